"""The server-drawn charts: an image a screen reader can name, the numbers readable as text and in a table,
and markup that stays markup whatever the labels say."""
import xml.etree.ElementTree as ET

from pathway_review.plugin_api import bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    # The figure is XHTML-compatible, so the standard XML parser reads it as it stands.
    return ET.fromstring(str(markup))


def svg_of(figure):
    return figure.find(f"{SVG}svg")


def table_numbers(figure):
    rows = figure.findall(".//tbody/tr")
    return [(row.find("th").text, row.find("td").text) for row in rows]


def test_bar_chart_names_itself_and_reads_out_every_number():
    figure = parse(bar_chart("Responses by Health Board", [("NHS Fife", 4), ("NHS Lothian", 12), ("NHS Orkney", 0)],
                             header=("Health Board", "Responses"), chart_id="by-board"))
    svg = svg_of(figure)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "by-board-title by-board-desc"
    assert svg.find(f"{SVG}title").text == "Responses by Health Board"
    assert svg.find(f"{SVG}desc").text == "NHS Fife: 4; NHS Lothian: 12; NHS Orkney: 0."
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "pr-chart__value"]
    assert values == ["4", "12", "0"]
    assert table_numbers(figure) == [("NHS Fife", "4"), ("NHS Lothian", "12"), ("NHS Orkney", "0")]
    assert [th.text for th in figure.findall(".//thead//th")] == ["Health Board", "Responses"]


def test_longest_bar_is_the_largest_number_and_zero_draws_no_bar():
    svg = svg_of(parse(bar_chart("Hours", [("A", 5), ("B", 10), ("C", 0)], chart_id="h")))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert len(widths) == 2  # C has no bar, only its number
    assert widths[1] == max(widths) and widths[0] == widths[1] / 2


def test_labels_cannot_inject_markup():
    markup = bar_chart("<b>t</b>", [("<script>alert(1)</script>", 1)], chart_id="x")
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    parse(markup)


def test_an_empty_chart_says_there_is_no_data():
    svg = svg_of(parse(bar_chart("Nothing yet", [], chart_id="e")))
    assert svg.find(f"{SVG}desc").text == "No data."
    assert "No data" in [t.text for t in svg.iter(f"{SVG}text")]


def test_column_chart_over_time_totals_and_labels_the_axis():
    points = [(f"{day} Oct", day % 3) for day in range(1, 31)]
    figure = parse(column_chart("Responses per day", points, header=("Day", "Responses"), chart_id="per-day"))
    svg = svg_of(figure)
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith(f"30 points, {sum(n for _, n in points)} in all.")
    assert "17 Oct: 2" in desc
    axis = [t.text for t in svg.iter(f"{SVG}text") if t.text and t.text.endswith("Oct")]
    assert axis[0] == "1 Oct" and axis[-1] == "30 Oct" and 4 <= len(axis) <= 10
    assert len(table_numbers(figure)) == 30
    assert len(list(svg.iter(f"{SVG}rect"))) == sum(1 for _, n in points if n)


def test_column_chart_prints_each_number_when_there_is_room():
    svg = svg_of(parse(column_chart("Resolved per month", [("Jan", 3), ("Feb", 0), ("Mar", 7)], chart_id="m",
                                    table=False)))
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "pr-chart__value"] == ["3", "0", "7"]
