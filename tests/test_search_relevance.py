"""What a GP sees when searching the sample library: the right section first, abbreviations,
highlighted snippets, versions, filters, spelling suggestions and paging."""
import re

import pytest

from plugins.search.testing import BACKENDS

DISTINCTIVE = {
    "colorectal": "suspected-colorectal-cancer",
    "haematuria": "visible-haematuria",
    "nocturia": "lower-urinary-tract-symptoms-men",
    "ferritin": "iron-deficiency-anaemia",
    "vasomotor": "menopause-and-hrt",
    "migraine": "headache-in-adults",
    "dyspepsia": "dyspepsia",
    "fibroid": "heavy-menstrual-bleeding",
    "cystitis": "recurrent-uti-in-women",
    "hoarseness": "suspected-head-and-neck-cancer",
    "cauda equina": "low-back-pain",
}


def search(client, q, **params):
    response = client.get("/api/v1/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory):
    # Nothing here changes the library, so one index serves the whole module.
    return str(tmp_path_factory.mktemp("search-index"))


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def app_config(shared_index, backend):
    return {"SEARCH_INDEX_DIR": shared_index, "SEARCH_BACKEND": backend}


@pytest.fixture
def gp(client, auth):
    auth.login("gp")
    return client


@pytest.mark.parametrize("term,slug", sorted(DISTINCTIVE.items()))
def test_a_distinctive_term_puts_its_pathway_first(gp, term, slug):
    found = search(gp, term)
    assert found["results"], f"nothing found for {term}"
    assert found["results"][0]["url"].startswith(f"/pathways/{slug}/"), found["results"][0]


def test_results_link_straight_to_the_section_of_the_current_version(gp):
    first = search(gp, "hoarseness")["results"][0]
    assert first["url"] == "/pathways/suspected-head-and-neck-cancer/1.0/#throat-and-voice"
    assert (first["title"], first["heading"], first["status"], first["version"]) == (
        "Suspected head and neck cancer", "Throat and voice", "published", "1.0")
    page = gp.get(first["url"].split("#")[0]).get_data(as_text=True)
    assert 'id="throat-and-voice"' in page


def test_endings_do_not_matter(gp):
    assert search(gp, "fibroids")["total"] == search(gp, "fibroid")["total"] > 0


def every_result(client, q):
    first = search(client, q)
    found = list(first["results"])
    for page in range(2, first["pages"] + 1):
        found += search(client, q, page=page)["results"]
    return found


def section_text(app, doc_id):
    _, slug, version, section = doc_id.split(":")
    return app.extensions["pathway_review.library"].get_version(slug, version).section(section).text


@pytest.mark.parametrize("short,long", [
    ("FIT", "faecal immunochemical test"), ("PSA", "prostate specific antigen"), ("HRT", "hormone replacement therapy"),
    ("IDA", "iron deficiency anaemia"),
])
def test_the_words_find_text_that_only_has_the_abbreviation(app, gp, short, long):
    by_short = {r["id"] for r in every_result(gp, short)}
    by_long = {r["id"] for r in every_result(gp, long)}
    assert by_short and by_short <= by_long
    assert any(re.search(rf"\b{short}\b", text) and long not in text.lower()
               for text in (section_text(app, i) for i in by_long))


@pytest.mark.parametrize("short,long", [
    ("USC", "urgent suspected cancer"), ("DRE", "digital rectal examination"), ("IDA", "iron deficiency anaemia"),
])
def test_an_abbreviation_finds_text_that_only_spells_it_out(app, gp, short, long):
    texts = [section_text(app, r["id"]) for r in every_result(gp, short)]
    assert any(long in text.lower() and not re.search(rf"\b{short}\b", text) for text in texts)


def test_an_abbreviation_highlights_the_words_it_stands_for(gp):
    snippets = [r["snippet"] for r in every_result(gp, "USC")]
    assert any("<mark>urgent suspected cancer</mark>" in s.lower() for s in snippets)


def test_matched_words_are_highlighted_in_an_escaped_snippet(gp):
    first = search(gp, "hoarseness")["results"][0]
    assert "<mark>hoarseness</mark>" in first["snippet"]
    page = gp.get("/search?q=hoarseness").get_data(as_text=True)
    assert "Persistent <mark>hoarseness</mark>" in page
    apostrophes = search(gp, "person's own account")["results"][0]["snippet"]
    assert "&#39;" in apostrophes and "<mark>account</mark>" in apostrophes


def test_current_versions_by_default_older_ones_on_request(gp):
    current = {r["version"] for r in search(gp, "colorectal")["results"]}
    assert current == {"3.0"}
    versions = set()
    for page in (1, 2, 3, 4, 5):
        versions |= {r["version"] for r in search(gp, "colorectal", all_versions=1, page=page)["results"]}
    assert versions == {"1.0", "2.0", "3.0"}


def test_filters_narrow_by_specialty_and_status(gp):
    urology = search(gp, "referral", specialty="urology")
    assert urology["total"] > 0 and {r["specialty"] for r in urology["results"]} == {"Urology"}
    published = search(gp, "referral", status="published")
    assert published["total"] > 0 and {r["status"] for r in published["results"]} == {"published"}
    assert search(gp, "migraine", specialty="Urology")["total"] == 0


@pytest.mark.parametrize("typed,slug", [
    ("haematuira", "visible-haematuria"), ("colorectel", "suspected-colorectal-cancer"),
    ("hematuria", "visible-haematuria"), ("anemia", "iron-deficiency-anaemia"),
])
def test_a_misspelt_or_us_spelling_finds_the_right_section_without_a_click(gp, typed, slug):
    found = search(gp, typed)
    assert found["total"] > 0 and found["results"][0]["url"].startswith(f"/pathways/{slug}/")
    assert typed in found["notes"][0] and found["suggestion"] is None
    page = gp.get("/search", query_string={"q": typed}).get_data(as_text=True)
    assert "Showing results for" in page


def test_a_short_misspelt_word_gets_a_suggestion_that_finds_something(gp):
    found = search(gp, "paon")
    assert found["total"] == 0 and found["suggestion"] == "pain"
    page = gp.get("/search?q=paon").get_data(as_text=True)
    assert re.search(r'Did you mean <a href="/search\?q=pain">pain</a>', page)


def test_no_suggestion_for_words_that_are_found(gp):
    assert search(gp, "migraine")["suggestion"] is None


def test_results_come_in_pages(gp):
    first, second = search(gp, "referral"), search(gp, "referral", page=2)
    assert first["total"] > 10 and first["pages"] > 1 and len(first["results"]) == 10
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    page = gp.get("/search?q=referral").get_data(as_text=True)
    assert 'href="/search?q=referral&amp;page=2"' in page and "Page 2 of" in page


def test_when_no_record_has_every_word_any_word_is_enough(gp):
    found = search(gp, "hoarseness nocturia")
    assert found["matched_all_words"] is False
    assert {r["url"].split("/")[2] for r in found["results"]} == {"suspected-head-and-neck-cancer",
                                                                   "lower-urinary-tract-symptoms-men"}


def test_phrases_or_and_leaving_words_out(gp):
    assert search(gp, '"cauda equina"')["total"] == search(gp, "cauda equina")["total"] > 0
    either = search(gp, "hoarseness OR nocturia")
    assert either["matched_all_words"] and either["total"] == search(gp, "hoarseness")["total"] + \
        search(gp, "nocturia")["total"]
    without = search(gp, "dyspepsia -helicobacter")
    assert 0 < without["total"] < search(gp, "dyspepsia")["total"]


def test_every_page_has_a_search_box_that_keeps_the_query(gp):
    catalogue = gp.get("/").get_data(as_text=True)
    assert 'action="/search"' in catalogue and 'id="search-field"' in catalogue
    page = gp.get("/search?q=ferritin").get_data(as_text=True)
    assert re.search(r'id="search-field"[^>]*value="ferritin"', page)
