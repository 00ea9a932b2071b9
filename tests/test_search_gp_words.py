"""Search finds what GPs type, on both backends: abbreviations with symbols, FIT the test before fit notes,
one pathway never filling page 1, and (on PostgreSQL) a new record found the moment it is committed."""
import pytest

from plugins.search.testing import BACKENDS
from tests.test_interface_log import ISSUE, enable, issue_url, log_issue


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def app_config(backend):
    return {"SEARCH_BACKEND": backend}


def search(client, q, **params):
    response = client.get("/api/v1/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def pathway(result):
    return result["url"].split("/")[2]


@pytest.mark.parametrize("q,slug", [
    ("U&E", "visible-haematuria"), ("eGFR", "visible-haematuria"), ("H. pylori", "dyspepsia"),
    ("h.pylori", "dyspepsia"),
])
def test_gp_abbreviations_are_searched_not_refused(client, auth, q, slug):
    auth.login("gp")
    found = search(client, q)
    assert found["total"] > 0, found
    assert slug in {pathway(r) for r in found["results"][:3]}


def test_fit_the_test_ranks_above_an_interface_issue_about_fit_notes(client, auth, runner):
    enable(runner)
    auth.login("gp")
    issue_url(log_issue(auth, description="Fit notes for patients after day surgery are left to the GP.",
                        category="fit-notes"))
    found = search(client, "FIT")
    kinds = [r["kind"] for r in found["results"]]
    assert "interface-issue" in {r["kind"] for r in search(client, "fit notes")["results"]}
    assert pathway(found["results"][0]) == "suspected-colorectal-cancer"
    first_issue = kinds.index("interface-issue") if "interface-issue" in kinds else len(kinds)
    # The colorectal pathway's best FIT sections lead, together, before the issue about fit notes.
    colorectal = [i for i, r in enumerate(found["results"]) if r["url"].startswith("/pathways/suspected-colorectal")]
    assert colorectal[:3] == [0, 1, 2] and first_issue > 2


def test_one_pathway_does_not_fill_the_first_page(client, auth):
    auth.login("gp")
    first = search(client, "referral")["results"]
    per_pathway = {}
    for result in first:
        per_pathway[pathway(result)] = per_pathway.get(pathway(result), 0) + 1
    assert len(per_pathway) >= 3 and max(per_pathway.values()) <= 3
    # A pathway's sections sit together, under its best match.
    order = [pathway(r) for r in first]
    assert all(order.index(p) + per_pathway[p] - 1 == len(order) - 1 - order[::-1].index(p) for p in per_pathway)


def test_a_logged_issue_is_found_at_once_and_leaves_search_when_the_board_switches_off(client, auth, runner):
    enable(runner)
    auth.login("gp")
    issue_url(log_issue(auth, description="Quetiapine shared-care letters arrive without monitoring plans."))
    assert any(r["kind"] == "interface-issue" for r in search(client, "quetiapine")["results"])
    result = runner.invoke(args=["plugins", "disable", "interface_log", "--board", "lothian"])
    assert result.exit_code == 0, result.output
    assert search(client, "quetiapine")["total"] == 0
    assert ISSUE["service"]  # the issue was logged with the usual fields
