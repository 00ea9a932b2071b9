import datetime as dt
from html.parser import HTMLParser

import pytest

from pathway_review.document import (
    DocumentError, Problem, parse_document, render_markdown, html_to_text, slugify,
)

FRONT = """\
---
title: Suspected colorectal cancer
specialty: Colorectal
version: "3.0"
status: consultation
date: 2026-11-02
consultation_opens: 2026-11-02
consultation_closes: 2027-02-26
owning_group: Cancer Specialty Delivery Group
approved_by: Interface Delivery Group
last_reviewed: 2026-10-20
next_review: 2029-10-20
summary: Illustrative sample content, not clinical guidance.
questions:
  - {id: fit-threshold, label: "Is the FIT threshold right?", kind: choice, choices: [Yes, With changes, No]}
  - {id: gp-minutes, label: "Extra GP minutes per patient", kind: number}
---
"""

BODY = """\
Sample content, not guidance. See [the NICE page][nice].

## Red flags / USC referral

Refer within 2 weeks if FIT is 10 or more.

### Thresholds

| FIT | Action |
|-----|--------|
| 10+ | Refer  |

## Referral {#how-to-refer}

```
## not a section
```

[nice]: https://www.nice.org.uk/
"""


def write(tmp_path, text, slug="suspected-colorectal-cancer", name="3.0.md"):
    path = tmp_path / slug / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text, needle):
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(needle))


def problems(path):
    with pytest.raises(DocumentError) as info:
        parse_document(path)
    return info.value.problems


def fm(**changes):
    """FRONT with keys replaced, removed (None) or added before the closing line."""
    lines = []
    for line in FRONT.rstrip("\n").split("\n")[:-1]:
        key = line.split(":")[0]
        if key in changes:
            value = changes.pop(key)
            if value is not None:
                lines.append(f"{key}: {value}")
            continue
        lines.append(line)
    lines += [f"{k}: {v}" for k, v in changes.items() if v is not None]
    return "\n".join(lines) + "\n---\n"


def test_front_matter_is_read(tmp_path):
    pv = parse_document(write(tmp_path, FRONT + BODY))
    assert (pv.slug, pv.version, pv.status) == ("suspected-colorectal-cancer", "3.0", "consultation")
    assert pv.date == dt.date(2026, 11, 2) and pv.next_review == dt.date(2029, 10, 20)
    assert pv.sample is True and pv.is_sample
    # `Yes`/`No` must stay words, not become YAML booleans.
    assert pv.questions[0].choices == ("Yes", "With changes", "No")
    assert pv.questions[1].kind == "number" and pv.questions[1].choices == ()
    assert pv.version_key == (3, 0, 0)


def test_dates_as_strings_and_unknown_keys(tmp_path):
    pv = parse_document(write(tmp_path, fm(date='"2026-11-02"', sample="false",
                                           board_notes="keep me") + BODY))
    assert pv.date == dt.date(2026, 11, 2)
    assert pv.meta["board_notes"] == "keep me"
    assert pv.sample is False
    with pytest.raises(TypeError):
        pv.meta["title"] = "changed"


def test_unquoted_version_keeps_its_digits(tmp_path):
    # YAML would read 1.10 as the float 1.1; the file name says 1.10.
    pv = parse_document(write(tmp_path, fm(version="1.10") + BODY, name="1.10.md"))
    assert pv.version == "1.10" and pv.version_key == (1, 10, 0)


def test_sections_ids_titles_parents_and_lines(tmp_path):
    text = FRONT + BODY
    pv = parse_document(write(tmp_path, text))
    assert [s.id for s in pv.sections] == ["red-flags-usc-referral", "thresholds", "how-to-refer"]
    red, thresholds, referral = pv.sections
    assert red.title == "Red flags / USC referral" and red.level == 2 and red.parent_id is None
    assert thresholds.level == 3 and thresholds.parent_id == "red-flags-usc-referral"
    assert referral.title == "Referral"
    assert red.line == line_of(text, "## Red flags")
    assert thresholds.line == line_of(text, "### Thresholds")
    assert referral.line == line_of(text, "## Referral")
    # A level-2 section's HTML stops where its ### child starts.
    assert "2 weeks" in red.html and "<table" not in red.html
    assert '<table class="nhsuk-table">' in thresholds.html
    assert "## not a section" in referral.html
    assert red.text == "Refer within 2 weeks if FIT is 10 or more."
    assert pv.section("thresholds") is thresholds and pv.section("nope") is None


def test_reference_link_defined_at_the_end_works_in_intro(tmp_path):
    pv = parse_document(write(tmp_path, FRONT + BODY))
    assert 'href="https://www.nice.org.uk/"' in pv.intro_html
    assert 'rel="noopener noreferrer"' in pv.intro_html


def test_ids_are_stable_across_versions_and_follow_renames(tmp_path):
    v3 = parse_document(write(tmp_path, FRONT + BODY))
    v4_body = BODY.replace("2 weeks", "10 days").replace("### Thresholds", "### FIT thresholds")
    v4 = parse_document(write(tmp_path, fm(version='"4.0"') + "\n" + v4_body, name="4.0.md"))
    assert v4.section("red-flags-usc-referral") is not None
    assert v4.section("how-to-refer") is not None
    assert v4.section("thresholds") is None and v4.section("fit-thresholds") is not None
    assert v3.section("how-to-refer").fingerprint == v4.section("how-to-refer").fingerprint
    assert (v3.section("red-flags-usc-referral").fingerprint
            != v4.section("red-flags-usc-referral").fingerprint)


def test_reflowing_a_paragraph_keeps_the_fingerprint(tmp_path):
    a = parse_document(write(tmp_path, FRONT + "## A\n\nOne two\nthree.\n"))
    b = parse_document(write(tmp_path, FRONT + "## A\n\nOne two three.\n"))
    assert a.sections[0].fingerprint == b.sections[0].fingerprint


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<div onclick="alert(1)" style="x">x</div>',
    "[x]: javascript:alert(1)\n\n[click][x]",
])
def test_hostile_html_never_reaches_the_page(tmp_path, hostile):
    body = f"{hostile}\n\n## Section\n\n{hostile}\n\nText {hostile} inline.\n"
    pv = parse_document(write(tmp_path, FRONT + body))
    rendered = pv.intro_html + "".join(s.html for s in pv.sections) + render_markdown(hostile)
    tags = _Tags()
    tags.feed(rendered)
    assert tags.names <= ALLOWED_TAGS
    for name, value in tags.attrs:
        assert name in {"href", "title", "rel", "class", "id", "start", "align", "colspan",
                        "rowspan", "scope"}
        if name == "href":
            assert value.startswith(("http:", "https:", "mailto:", "#", "/"))
    assert "<script" not in rendered and "alert(1)</script" not in rendered


ALLOWED_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table",
                "thead", "tbody", "tr", "th", "td", "a", "strong", "em", "code", "pre",
                "blockquote", "br", "hr", "div", "span", "abbr", "sup", "sub", "ins", "del"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names, self.attrs = set(), []

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.attrs.extend((k, v or "") for k, v in attrs)


def test_admonitions_keep_their_class_and_others_do_not(tmp_path):
    body = '## A\n\n!!! warning "Safety"\n    Do not delay.\n\n<div class="evil">x</div>\n'
    html = parse_document(write(tmp_path, FRONT + body)).sections[0].html
    assert '<div class="admonition warning">' in html
    assert "evil" not in html


def test_user_markdown_cannot_take_over_page_ids():
    html = render_markdown("## Red flags\n\nSee **this**.\n\n<p id=red-flags>x</p>")
    assert "id=" not in html and "<strong>this</strong>" in html and "<h2>Red flags</h2>" in html


def test_slugify_and_html_to_text():
    assert slugify("Red flags / USC referral") == "red-flags-usc-referral"
    assert slugify("Référence: 2–3 weeks") == "reference-2-3-weeks"
    assert slugify("Ελληνικά") == slugify("Ελληνικά") and slugify("Ελληνικά").startswith("section-")
    assert html_to_text("<p>a  &amp;\n b</p><ul><li>c</li></ul>") == "a & b\nc"


def test_consultation_state_and_days_left(tmp_path):
    pv = parse_document(write(tmp_path, FRONT + BODY))
    assert pv.consultation_state(dt.date(2026, 11, 1)) == "upcoming"
    assert pv.days_left(dt.date(2026, 11, 1)) is None
    assert pv.consultation_state(dt.date(2026, 11, 2)) == "open"
    assert pv.days_left(dt.date(2027, 2, 25)) == 1
    assert pv.days_left(dt.date(2027, 2, 26)) == 0
    assert pv.consultation_state(dt.date(2027, 2, 27)) == "closed"
    assert pv.days_left(dt.date(2027, 2, 27)) is None
    published = parse_document(write(tmp_path, fm(status="published") + BODY))
    assert published.consultation_state(dt.date(2026, 12, 1)) == "not-consultation"


# --- validation: every problem, each on its own line -------------------------

def test_missing_front_matter(tmp_path):
    assert [p.line for p in problems(write(tmp_path, "## A\n\ntext\n"))] == [1]
    found = problems(write(tmp_path, "---\ntitle: x\n\n## A\n"))
    assert found[0].line == 1 and "not closed" in found[0].message


def test_yaml_syntax_error_has_its_line(tmp_path):
    text = FRONT.replace("summary: Illustrative", "summary: [Illustrative") + BODY
    found = problems(write(tmp_path, text))
    assert len(found) == 1 and "YAML" in found[0].message
    assert found[0].line in (line_of(text, "summary:"), line_of(text, "questions:"))


def test_front_matter_must_be_a_mapping(tmp_path):
    found = problems(write(tmp_path, "---\n- a list\n---\n## A\n"))
    assert found[0].line == 2 and "key: value" in found[0].message


def test_many_problems_are_reported_together_with_lines(tmp_path):
    text = fm(status="pending", version='"3.0.0.1"', date="2026-13-45", summary=None,
              approved_by="") + "# A title\n\n## Same\n\nx\n\n### Same\n\ny\n"
    path = write(tmp_path, text)
    found = problems(path)
    by_line = {}
    for p in found:
        by_line.setdefault(p.line, []).append(p.message)
    assert any("unknown status 'pending'" in m for m in by_line[line_of(text, "status:")])
    assert any("must look like" in m for m in by_line[line_of(text, "version:")])
    assert any("not a valid date" in m for m in by_line[line_of(text, "date:")])
    assert any("'approved_by' is empty" in m for m in by_line[line_of(text, "approved_by:")])
    assert any("missing required field 'summary'" in m for m in by_line[1])
    assert any("h1" in m for m in by_line[line_of(text, "# A title")])
    assert any("duplicate section id 'same'" in m for m in by_line[line_of(text, "## Same")])
    assert any("duplicate section id 'same'" in m for m in by_line[line_of(text, "### Same")])
    assert len(found) == 8
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in found)


def test_version_must_match_file_name(tmp_path):
    text = FRONT + BODY
    found = problems(write(tmp_path, text, name="2.0.md"))
    assert [(p.line, "does not match the file name 2.0.md" in p.message) for p in found] == [
        (line_of(text, "version:"), True)]


def test_consultation_needs_dates_in_order(tmp_path):
    text = fm(consultation_opens=None) + BODY
    found = problems(write(tmp_path, text))
    assert "consultation_opens is required" in found[0].message
    text = fm(consultation_closes="2026-10-01") + BODY
    found = problems(write(tmp_path, text))
    assert found[0].line == line_of(text, "consultation_closes:")
    assert "before consultation_opens" in found[0].message
    # Draft and published versions need no consultation dates.
    parse_document(write(tmp_path, fm(status="draft", consultation_opens=None,
                                      consultation_closes=None) + BODY))


def test_empty_body(tmp_path):
    found = problems(write(tmp_path, FRONT + "\n   \n"))
    assert "no body" in found[0].message


def test_bad_questions(tmp_path):
    text = FRONT.replace("questions:\n", """questions:
  - {label: No id, kind: text}
  - {id: q2, kind: text}
  - {id: q3, label: Q3, kind: essay}
  - {id: q4, label: Q4, kind: choice}
  - {id: q4, label: Q4 again, kind: text}
""") + BODY
    found = problems(write(tmp_path, text))
    expected = [("- {label: No id", "no id"), ("- {id: q2", "no label"), ("- {id: q3", "essay"),
                ("- {id: q4, label: Q4,", "needs a list of choices"),
                ("- {id: q4, label: Q4 again", "already used")]
    for start, words in expected:
        assert any(p.line == line_of(text, "  " + start) and words in p.message for p in found), start


def test_bad_folder_name_is_a_problem(tmp_path):
    found = problems(write(tmp_path, FRONT + BODY, slug="Colorectal_Cancer"))
    assert "folder name" in found[0].message
    assert parse_document(write(tmp_path, FRONT + BODY, slug="Bad_Name"), slug="colorectal").slug \
        == "colorectal"


def test_problem_str():
    assert str(Problem("p/1.0.md", 4, "bad")) == "p/1.0.md:4: bad"


def test_headings_with_markup_keep_plain_titles_and_right_lines(tmp_path):
    body = ("## *Urgent* referral via [SCI Gateway](https://example.org) &amp; more\n\ntext\n\n"
            "#### Urgent referral via SCI Gateway more\n\nnested\n\n"
            "## Raw <b>bold</b> heading\n\ny\n\nSetext heading\n--------------\n\nz\n\n"
            "## Last\n")
    text = FRONT + body
    pv = parse_document(write(tmp_path, text))
    first, raw, setext, last = pv.sections
    assert first.title == "Urgent referral via SCI Gateway & more"
    assert first.id == "urgent-referral-via-sci-gateway-more"
    assert 'id="urgent-referral-via-sci-gateway-more"' not in first.html  # nested h4 id differs
    assert raw.title == "Raw bold heading"
    assert [s.line for s in pv.sections] == [
        line_of(text, "## *Urgent*"), line_of(text, "## Raw"), line_of(text, "Setext heading"),
        line_of(text, "## Last")]


def test_setext_h1_is_reported(tmp_path):
    text = FRONT + "Intro\n\nBig title\n=========\n\n## A\n"
    found = problems(write(tmp_path, text))
    assert [(p.line, "h1" in p.message) for p in found] == [(line_of(text, "Big title"), True)]


def test_a_section_swallowed_by_open_html_is_reported(tmp_path):
    text = FRONT + '## A\n\n<div class="box">\nunclosed\n\n## B\n\ntext\n'
    found = problems(write(tmp_path, text))
    assert [(p.line, "did not become a section" in p.message) for p in found] == [
        (line_of(text, "## B"), True)]


def test_a_commented_out_section_is_fine(tmp_path):
    pv = parse_document(write(tmp_path, FRONT + "## A\n\ntext\n\n<!--\n## Hidden\n\nx\n-->\n"))
    assert [s.id for s in pv.sections] == ["a"]


NESTED = """\
## Scope

Adults with lower GI symptoms.

## Red flags

### Refer at once

A rectal mass.

### Refer with a FIT result

FIT of 10 or more.

## How to refer

Use SCI Gateway.
"""


def test_a_section_shown_on_its_own_includes_its_subsections(tmp_path):
    pv = parse_document(write(tmp_path, FRONT + NESTED))
    red = pv.section("red-flags")
    assert red.text == ""  # everything sits under its sub-headings
    assert "<h3>Refer at once</h3>" in red.full_html and "A rectal mass." in red.full_html
    assert "<h3>Refer with a FIT result</h3>" in red.full_html and "FIT of 10 or more." in red.full_html
    assert red.full_text == "Refer at once\n\nA rectal mass.\n\nRefer with a FIT result\n\nFIT of 10 or more."
    assert "SCI Gateway" not in red.full_html and "Adults" not in red.full_html
    child, scope = pv.section("refer-at-once"), pv.section("scope")
    assert (child.full_html, child.full_text) == (child.html, child.text)
    assert (scope.full_html, scope.full_text) == (scope.html, scope.text)


def test_a_change_in_a_subsection_changes_its_parents_fingerprint(tmp_path):
    old = parse_document(write(tmp_path / "old", FRONT + NESTED))
    new = parse_document(write(tmp_path / "new", FRONT + NESTED.replace("FIT of 10", "FIT of 20")))
    assert old.section("red-flags").fingerprint != new.section("red-flags").fingerprint
    assert old.section("refer-with-a-fit-result").fingerprint != new.section("refer-with-a-fit-result").fingerprint
    for unchanged in ("scope", "refer-at-once", "how-to-refer"):
        assert old.section(unchanged).fingerprint == new.section(unchanged).fingerprint
