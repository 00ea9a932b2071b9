"""The reading pages as a GP sees them: catalogue, a pathway, its history and what changed."""
import html
import os
import re

import pytest

COLORECTAL = "/pathways/suspected-colorectal-cancer/"

# Every sample pathway's current version: title, specialty, version, status tag. The clock is frozen on
# 21 November 2026: three consultations are open, one opens in January and one closed in October.
CATALOGUE = {
    "dyspepsia": ("Dyspepsia in adults", "Gastroenterology", "1.0", "Published"),
    "headache-in-adults": ("Headache in adults", "Neurology", "1.0", "Open"),
    "heavy-menstrual-bleeding": ("Heavy menstrual bleeding", "Gynaecology", "1.0", "Opens on 11 January 2027"),
    "iron-deficiency-anaemia": ("Iron deficiency anaemia in adults", "Haematology", "1.0", "Published"),
    "low-back-pain": ("Low back pain in adults", "Musculoskeletal", "1.0", "Published"),
    "lower-urinary-tract-symptoms-men": ("Lower urinary tract symptoms in men", "Urology", "2.0", "Published"),
    "menopause-and-hrt": ("Menopause and HRT", "Gynaecology", "1.0", "Published"),
    "recurrent-uti-in-women": ("Recurrent UTI in women", "Urology", "1.0", "Closed on 31 October 2026"),
    "suspected-colorectal-cancer": ("Suspected colorectal cancer", "Colorectal", "3.0", "Open"),
    "suspected-head-and-neck-cancer": ("Suspected head and neck cancer", "ENT", "1.0", "Published"),
    "visible-haematuria": ("Visible haematuria", "Urology", "1.1", "Open"),
}
CLOSES_ON = {"suspected-colorectal-cancer": "26 February 2027", "visible-haematuria": "5 March 2027",
             "headache-in-adults": "12 March 2027"}
OPEN_NOW = set(CLOSES_ON)


def text_of(response):
    """The page's visible text, tags removed and whitespace collapsed."""
    body = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def catalogue_entries(page_html):
    """{slug: text of its catalogue card}."""
    cards = re.findall(r'<li class="nhsuk-card[^"]*">(.*?)</li>', page_html, flags=re.S)
    entries = {}
    for card in cards:
        slug = re.search(r'href="/pathways/([a-z0-9-]+)/"', card).group(1)
        entries[slug] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())
    return entries


@pytest.fixture
def gp(client, auth):
    auth.login("gp")
    return client


# ---- the catalogue --------------------------------------------------------------------------------

def test_catalogue_lists_every_pathway_with_its_status_specialty_and_version(gp):
    entries = catalogue_entries(gp.get("/").get_data(as_text=True))
    assert set(entries) == set(CATALOGUE)
    for slug, (title, specialty, version, tag) in CATALOGUE.items():
        entry = entries[slug]
        assert entry.startswith(title), slug
        assert f"{tag} {specialty} · version {version}" in entry, entry


def tags(page_html):
    return [html.unescape(t).strip() for t in re.findall(r'<strong class="nhsuk-tag[^"]*">([^<]*)</strong>', page_html)]


def test_catalogue_says_open_for_feedback_only_between_the_dates(gp):
    entries = catalogue_entries(gp.get("/").get_data(as_text=True))
    for slug, closes in CLOSES_ON.items():
        assert f"open for feedback until {closes}" in entries[slug], entries[slug]
    for slug in set(CATALOGUE) - OPEN_NOW:
        assert "open for feedback" not in entries[slug].lower(), entries[slug]


@pytest.mark.parametrize("day,tag,is_open", [
    ("2026-11-01", "Opens on 2 November 2026", False),
    ("2026-11-02", "Open", True),
    ("2027-02-11", "Open", True),
    ("2027-02-12", "Closes in 14 days", True),
    ("2027-02-25", "Closes in 1 day", True),
    ("2027-02-26", "Closes today", True),
    ("2027-02-27", "Closed on 26 February 2027", False),
])
def test_status_follows_the_clock_on_catalogue_pathway_page_and_filter(client, auth, app, day, tag, is_open):
    app.config["TODAY"] = day
    auth.login("gp")
    catalogue = client.get("/").get_data(as_text=True)
    assert f"{tag} Colorectal · version 3.0" in catalogue_entries(catalogue)["suspected-colorectal-cancer"]
    assert tags(client.get(COLORECTAL).get_data(as_text=True))[0] == tag
    open_filter = catalogue_entries(client.get("/?status=open").get_data(as_text=True))
    assert ("suspected-colorectal-cancer" in open_filter) == is_open


def test_catalogue_filters_by_specialty_and_status(gp):
    urology = catalogue_entries(gp.get("/?specialty=Urology").get_data(as_text=True))
    assert set(urology) == {"lower-urinary-tract-symptoms-men", "recurrent-uti-in-women", "visible-haematuria"}
    open_now = catalogue_entries(gp.get("/?status=open").get_data(as_text=True))
    assert set(open_now) == OPEN_NOW
    assert "3 pathways" in text_of(gp.get("/?status=open"))
    assert set(catalogue_entries(gp.get("/?status=upcoming").get_data(as_text=True))) == {"heavy-menstrual-bleeding"}
    assert set(catalogue_entries(gp.get("/?status=closed").get_data(as_text=True))) == {"recurrent-uti-in-women"}
    # The old value of the "Open for feedback" choice, from a bookmark, still means open.
    assert set(catalogue_entries(gp.get("/?status=consultation").get_data(as_text=True))) == OPEN_NOW
    both = gp.get("/?specialty=Urology&status=published")
    assert set(catalogue_entries(both.get_data(as_text=True))) == {"lower-urinary-tract-symptoms-men"}
    assert "1 pathway" in text_of(both)
    none = gp.get("/?specialty=ENT&status=draft")
    assert "No pathways match these filters" in text_of(none)


@pytest.mark.parametrize("query,message", [
    ("specialty=Astrology", "There is no specialty called “Astrology”."),
    ("status=retired", "Choose a status from the list."),
])
def test_unknown_filter_value_gets_a_clear_message(gp, query, message):
    response = gp.get("/?" + query)
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page and message in page
    assert len(catalogue_entries(response.get_data(as_text=True))) == len(CATALOGUE)  # the list still shows


def test_filter_message_does_not_echo_markup(gp):
    response = gp.get("/?specialty=<script>alert(1)</script>")
    assert response.status_code == 400
    assert "<script>alert(1)" not in response.get_data(as_text=True)


# ---- a pathway ------------------------------------------------------------------------------------

def test_current_version_is_the_one_out_for_consultation(gp):
    response = gp.get(COLORECTAL)
    assert response.status_code == 200
    page = text_of(response)
    assert "Suspected colorectal cancer" in page and "Version 3.0" in page
    assert "Draft open for feedback until 26 February 2027 (97 days left)" in page


def test_pathway_page_has_contents_notice_and_editorial_details(gp):
    response = gp.get(COLORECTAL)
    body = response.get_data(as_text=True)
    page = text_of(response)
    contents = re.search(r'<nav class="nhsuk-contents-list".*?</nav>', body, flags=re.S).group(0)
    anchors = re.findall(r'href="#([a-z0-9-]+)"', contents)
    assert len(anchors) >= 5
    for anchor in anchors:
        assert f'id="{anchor}"' in body  # every contents entry leads to its section
    assert "Sample content — not clinical guidance" in page
    assert "Editorial details" in page
    for label in ("Owning group", "Approved by", "Issued", "Next review"):
        assert label in page
    assert "Version history" in page and "What changed since version 2.0" in page


def test_any_version_can_be_read_and_says_when_it_is_superseded(gp):
    page = text_of(gp.get(COLORECTAL + "1.0/"))
    assert "This version has been superseded." in page
    assert "Go to the current version (3.0)" in page
    published = text_of(gp.get(COLORECTAL + "2.0/"))
    assert "Published" in published and "superseded" not in published.lower().split("editorial details")[0]


def test_draft_says_it_is_a_draft(gp):
    response = gp.get("/pathways/menopause-and-hrt/2.0/")
    assert tags(response.get_data(as_text=True))[0] == "Draft"
    page = text_of(response)
    assert "This is a draft. It has not been approved and may change before it is signed off." in page


def test_consultation_not_yet_open_and_closed(gp):
    upcoming = gp.get("/pathways/heavy-menstrual-bleeding/")
    assert "Feedback opens on 11 January 2027" in text_of(upcoming)
    assert tags(upcoming.get_data(as_text=True))[0] == "Opens on 11 January 2027"
    closed = gp.get("/pathways/recurrent-uti-in-women/")
    assert "Feedback closed on 31 October 2026" in text_of(closed)
    assert tags(closed.get_data(as_text=True))[0] == "Closed on 31 October 2026"
    for page in (upcoming, closed):
        assert "open for feedback" not in text_of(page).lower()
        assert "Give feedback" not in text_of(page)  # the feedback plugin's window agrees


def test_open_consultation_invites_feedback(gp):
    page = gp.get(COLORECTAL)
    assert tags(page.get_data(as_text=True))[0] == "Open"
    assert "Give feedback on the whole pathway" in text_of(page)


def test_print_stylesheet_is_linked(gp):
    body = gp.get(COLORECTAL).get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="(/static/css/app\.css[^"]*)"', body).group(1)
    css = gp.get(href).get_data(as_text=True)
    assert "@media print" in css


# ---- history and comparison -----------------------------------------------------------------------

def test_history_lists_versions_newest_first_with_dates_and_status(gp):
    response = gp.get(COLORECTAL + "history/")
    assert response.status_code == 200
    page = text_of(response)
    order = [page.index(f"Version {v}") for v in ("3.0", "2.0", "1.0")]
    assert order == sorted(order)
    assert tags(response.get_data(as_text=True))[:3] == ["Open", "Published", "Superseded"]
    assert "2 November 2026" in page and "5 February 2024" in page
    assert "Compare with 2.0" in page and "First version" in page


def test_compare_shows_added_removed_and_changed_sections_with_word_changes(gp):
    response = gp.get(COLORECTAL + "compare/2.0/3.0/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "What changed from version 2.0 to 3.0" in text_of(response)
    assert re.search(r'<section class="pr-change pr-change--added"', body)
    assert re.search(r'<section class="pr-change pr-change--changed"', body)
    assert re.search(r'<ins class="pr-diff-ins">[^<]+</ins>', body)
    assert re.search(r'<del class="pr-diff-del">[^<]+</del>', body)
    summary = re.search(r"(\d+) changed, (\d+) added, (\d+) removed", text_of(response))
    changed, added, removed = map(int, summary.groups())
    assert changed >= 1 and added >= 1
    assert body.count("pr-change--added") == added and body.count("pr-change--removed") == removed

    backwards = gp.get(COLORECTAL + "compare/3.0/2.0/").get_data(as_text=True)
    assert backwards.count("pr-change--removed") == added  # what 3.0 added, going back removes


def test_compare_marks_a_parent_changed_when_its_subsections_changed(gp):
    # 3.0 edits both sub-sections of "Red flags" but not a word directly under the heading.
    body = gp.get(COLORECTAL + "compare/2.0/3.0/").get_data(as_text=True)
    red_flags = re.search(r'<section class="pr-change pr-change--(\w+)" id="change-red-flags".*?</section>', body, re.S)
    assert red_flags.group(1) == "changed"
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", red_flags.group(0))).split())
    assert ("Changed under this heading: Refer as urgent suspected cancer without waiting for FIT; "
            "Refer as urgent suspected cancer with a FIT result.") in text


def test_history_form_leads_to_the_comparison(gp):
    response = gp.get(COLORECTAL + "compare/?from=1.0&to=3.0")
    assert response.status_code == 302 and response.headers["Location"] == COLORECTAL + "compare/1.0/3.0/"
    bad = gp.get(COLORECTAL + "compare/?from=1.0&to=9.9")
    assert bad.status_code == 400 and "Choose two versions of this pathway." in text_of(bad)


# ---- bad addresses --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/pathways/no-such-pathway/",
    COLORECTAL + "9.0/",
    COLORECTAL + "3.0.0/",
    "/pathways/no-such-pathway/history/",
    COLORECTAL + "compare/2.0/9.0/",
    "/pathways/no-such-pathway/compare/1.0/2.0/",
])
def test_unknown_pathway_or_version_gets_the_friendly_404(gp, url):
    response = gp.get(url)
    assert response.status_code == 404
    page = text_of(response)
    assert "Page not found" in page and "Go to the pathway catalogue" in page
    assert "Traceback" not in page


@pytest.mark.parametrize("url", [
    "/pathways/../../etc/passwd/",
    "/pathways/suspected-colorectal-cancer/../../../etc/passwd",
    "/pathways/%2e%2e/%2e%2e/etc/passwd/",
    "/pathways/suspected-colorectal-cancer/%2e%2e%2f%2e%2e%2fsetup.cfg/",
    "/pathways/suspected-colorectal-cancer%2F..%2F..%2Fsetup.cfg/",
    "/pathways/..%5c..%5csetup.cfg/",
    "/pathways/suspected-colorectal-cancer/..\\..\\setup.cfg/",
    "/pathways/suspected-colorectal-cancer/3.0%00/",
    "/pathways/" + "a" * 5000 + "/",
    "/pathways/suspected-colorectal-cancer/" + "1." * 3000 + "0/",
    "/pathways/" + "a" * 5000 + "/compare/1.0/2.0/",
])
def test_path_traversal_gets_a_404_and_reads_nothing(gp, url):
    response = gp.get(url)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "root:" not in body and "[metadata]" not in body and "install_requires" not in body
    assert "Page not found" in text_of(response)


@pytest.mark.parametrize("version", ["latest", "v3.0", "3", "3.0a", "3.0.0.0", "-1.0", "3,0", "١.٠"])
def test_version_that_is_not_a_version_is_a_404(gp, version):
    assert gp.get(f"{COLORECTAL}{version}/").status_code == 404
    assert gp.get(f"{COLORECTAL}compare/{version}/3.0/").status_code == 404


# ---- documents that cannot be trusted -------------------------------------------------------------

def _document(version="1.0", status="published", title="Untrusted pathway", body=""):
    return (f"---\ntitle: {title}\nspecialty: Testing\nversion: \"{version}\"\nstatus: {status}\n"
            "date: 2026-01-05\nowning_group: Test SDG\napproved_by: Interface Group\n"
            f"summary: For tests.\n---\n{body}")


HOSTILE_BODY = """\
## Red flags

<script>alert("script")</script>
<img src="x" onerror="alert('img')">
<iframe src="https://evil.example/"></iframe>
<div onclick="alert('div')">Click text stays</div>
<style>body { display: none }</style>

[Plain link](javascript:alert('link')) and <a href="javascript:alert('raw')">raw link</a>
and [data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==).

<form action="https://evil.example/"><input name="password"></form>

## Referral

[Referral guidance](https://www.example.nhs.scot/refer) remains a link.
"""


def put(root, relpath, text):
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class TestUntrustedLibrary:
    @pytest.fixture
    def library(self, tmp_path):
        root = tmp_path / "library"
        put(root, "untrusted/1.0.md", _document(body=HOSTILE_BODY))
        put(root, "broken/1.0.md", "---\ntitle: [unclosed\n---\n## A\n")
        put(root, "good/1.0.md", _document(title="Good pathway", body="## Key messages\n\nAll well.\n"))
        return root

    @pytest.fixture
    def app_config(self, library):
        return {"PATHWAYS_DIR": str(library)}

    def test_raw_html_and_javascript_links_never_reach_the_page(self, gp):
        for url in ("/pathways/untrusted/", "/api/v1/pathways/untrusted/versions/1.0"):
            body = gp.get(url).get_data(as_text=True)
            lowered = body.lower()
            for forbidden in ("<script>alert", "onerror", "onclick", "<iframe", "javascript:", "data:text/html",
                              "<form action=\"https://evil", "display: none"):
                assert forbidden not in lowered, (url, forbidden)
        page = text_of(gp.get("/pathways/untrusted/"))
        assert "Click text stays" in page and "raw link" in page
        body = gp.get("/pathways/untrusted/").get_data(as_text=True)
        assert re.search(r'<a href="https://www\.example\.nhs\.scot/refer"[^>]*>Referral guidance</a>', body)

    def test_broken_document_is_skipped_the_rest_served_and_listed_on_health(self, client, auth):
        auth.login("gp")
        entries = catalogue_entries(client.get("/").get_data(as_text=True))
        assert set(entries) == {"untrusted", "good"}
        assert client.get("/pathways/broken/").status_code == 404
        assert client.get("/pathways/good/").status_code == 200
        assert client.get("/admin/health").status_code == 403
        auth.login("cfsd")
        health = client.get("/admin/health")
        page = text_of(health)
        assert "1 problem" in page and "broken/1.0.md" in page and "not valid YAML" in page

    def test_changed_file_is_reloaded(self, client, auth, library):
        auth.login("gp")
        assert "All well." in text_of(client.get("/pathways/good/"))
        path = put(library, "good/1.0.md", _document(title="Good pathway", body="## Key messages\n\nRevised advice.\n"))
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000_000))
        page = text_of(client.get("/pathways/good/"))
        assert "Revised advice." in page and "All well." not in page
        put(library, "good/1.1.md", _document(version="1.1", status="draft", title="Good pathway",
                                              body="## Key messages\n\nNew draft.\n"))
        assert client.get("/pathways/good/1.1/").status_code == 200
        (library / "good" / "1.1.md").unlink()
        assert client.get("/pathways/good/1.1/").status_code == 404
