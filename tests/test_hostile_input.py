"""Input found to give 500s from outside: each now gets a 4xx naming what is wrong, on SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest

from pathway_review.inputs import same_site_path
from tests.conftest import ACCOUNTS, PASSWORD, csrf_token
from tests.feedback_support import OPEN, api_body, insert, token

CREATE = f"/api/v1/pathways/{OPEN[0]}/feedback"
ISSUES = "/api/v1/boards/lothian/interface-issues"
HUGE_IDS = [2**31, 2**63, 2**64, 10**30]


@pytest.fixture
def gp(app):
    return token(app, "gp")


@pytest.fixture
def cfsd(app):
    return token(app, "cfsd")


# ---- numbers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", HUGE_IDS)
def test_ids_beyond_any_column_are_not_found(client, app, gp, cfsd, number):
    for url, headers in ((f"/api/v1/feedback/{number}", gp), (f"/api/v1/feedback/{number}", cfsd)):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.is_json
    assert client.patch(f"/api/v1/feedback/{number}", json={"text": "x"}, headers=gp).status_code == 404
    assert client.post(f"/api/v1/feedback/{number}/triage", json={"status": "noted"},
                       headers=cfsd).status_code == 404


def test_ids_beyond_any_column_are_not_found_on_pages(client, auth):
    auth.login("gp")
    assert client.get(f"/feedback/{2**31}/").status_code == 404
    assert client.get(f"/feedback/{2**64}/edit").status_code == 404
    auth.logout()
    auth.login("cfsd")
    assert client.get(f"/consultations/responses/{2**31}/").status_code == 404


def test_the_largest_id_is_an_ordinary_404(client, gp):
    assert client.get(f"/api/v1/feedback/{2**31 - 1}", headers=gp).status_code == 404


def test_a_huge_page_number_shows_the_last_page(client, app, auth):
    record_id = insert(app, "gp", *OPEN, text="Kept on page one")
    auth.login("gp")
    page = client.get("/feedback/?page=99999999999999999999999")
    assert page.status_code == 200 and f"FB-{record_id}" in page.get_data(as_text=True)
    auth.logout()
    auth.login("cfsd")
    responses = client.get(f"/consultations/{OPEN[0]}/{OPEN[1]}/responses?page=99999999999999999999999")
    assert responses.status_code == 200 and "Kept on page one" in responses.get_data(as_text=True)
    assert client.get(f"/consultations/{OPEN[0]}/{OPEN[1]}/you-said-we-did?page={2**70}").status_code == 200


@pytest.mark.parametrize("query,field", [
    ("limit=2147483648", "limit"), ("offset=99999999999999999999999", "offset"), ("limit=0", "limit"),
    ("offset=-1", "offset"), ("limit=1e3", "limit"), ("offset=%C2%B2", "offset")])
def test_limit_and_offset_out_of_bounds_are_named(client, gp, query, field):
    response = client.get(f"/api/v1/feedback?{query}", headers=gp)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == field


def test_search_page_out_of_bounds_is_named(client, gp):
    response = client.get("/api/v1/search?q=referral&page=99999999999999999999999", headers=gp)
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "page"


@pytest.mark.parametrize("number", [str(2**64), "1e999", "-1e999"])
def test_a_json_number_beyond_range_is_refused(client, gp, number):
    raw = json.dumps(api_body(answers={"fit-kits-per-month": 1})).replace('"fit-kits-per-month": 1',
                                                                          f'"fit-kits-per-month": {number}')
    response = client.post(CREATE, data=raw, headers=gp | {"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "answers.fit-kits-per-month"


# ---- text ------------------------------------------------------------------------------------------

def test_a_nul_byte_in_json_text_is_named(client, app, gp):
    response = client.post(CREATE, json=api_body(text="Fine until\x00here"), headers=gp)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "text"
    assert client.get("/api/v1/feedback", headers=gp).get_json()["count"] == 0


def test_a_nul_byte_in_a_filter_is_named(client, gp, cfsd):
    for query in ("q=a%00b", "pathway=x%00", "board=%00", "theme=a%00"):
        response = client.get(f"/api/v1/feedback?{query}", headers=cfsd)
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["field"] == query.split("=")[0]
    assert client.get("/api/v1/pathways?specialty=%00", headers=gp).status_code == 422


def test_a_nul_byte_in_an_issue_is_named(client, runner):
    assert runner.invoke(args=["plugins", "enable", "interface_log", "--board", "lothian"]).exit_code == 0
    created = runner.invoke(args=["tokens", "create", ACCOUNTS["gp"][0]])
    headers = {"Authorization": "Bearer " + created.output.strip().splitlines()[-1]}
    response = client.post(ISSUES, headers=headers, json={"category": "prescribing", "service": "Renal\x00",
                                                          "description": "Letters arrive late."})
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "service"


def test_a_lone_surrogate_in_json_is_named(client, gp):
    raw = json.dumps(api_body(text="placeholder")).replace("placeholder", "a\\ud800")
    response = client.post(CREATE, data=raw, headers=gp | {"Content-Type": "application/json"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"][0]["field"] == "text" and "Unicode" in body["message"]


def test_a_nul_byte_in_the_feedback_form_is_shown_at_the_field_keeping_the_rest(client, auth):
    auth.login("gp")
    url = f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback"
    response = auth.post(url, data={"type": "workload", "text": "Kits run out\x00 every month",
                                    "section": "key-messages"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Kits run out every month" in page and "cannot be stored" in page
    assert 'href="#text"' in page  # the error summary links to the field


def test_a_nul_byte_in_another_form_gets_a_clear_422(client, auth):
    auth.login("cfsd")
    insert(app := client.application, "gp", *OPEN, text="A response")
    from plugins.feedback.models import Feedback
    with app.extensions["pathway_review.db"].sessions() as session:
        record_id = session.query(Feedback.id).scalar()
    response = auth.post(f"/consultations/responses/{record_id}/", data={"status": "noted", "response": "No\x00"})
    assert response.status_code == 422 and "response contains a NUL character" in response.get_data(as_text=True)


# ---- JSON shape ------------------------------------------------------------------------------------

def test_json_nested_a_thousand_deep_gets_a_small_413(client, gp):
    raw = '{"text": ' + "[" * 1000 + "]" * 1000 + "}"
    response = client.post(CREATE, data=raw, headers=gp | {"Content-Type": "application/json"})
    assert response.status_code == 413 and len(response.data) < 1000


def test_a_huge_json_array_gets_a_413(client, gp):
    response = client.post(CREATE, json=api_body(answers={"x": list(range(5000))}), headers=gp)
    assert response.status_code == 413


@pytest.mark.parametrize("changes,field", [({"type": ["other"]}, "type"), ({"type": {}}, "type"),
                                           ({"section": ["key-messages"]}, "section"), ({"text": 5}, "text"),
                                           ({"draft": "yes"}, "draft"), ({"version": {"v": 1}}, "version")])
def test_a_list_or_object_where_text_is_expected_is_named(client, gp, changes, field):
    response = client.post(CREATE, json=api_body(**changes), headers=gp)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize("body", [{"status": {}}, {"status": ["noted"]}, {"themes": {"a": 1}},
                                  {"response": []}])
def test_triage_with_the_wrong_types_is_named(client, app, cfsd, body):
    record_id = insert(app, "gp", *OPEN, text="Triage me")
    response = client.post(f"/api/v1/feedback/{record_id}/triage", json=body, headers=cfsd)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == next(iter(body))


def test_ten_thousand_unknown_fields_get_a_small_answer(client, gp):
    body = api_body() | {f"field-{n}-" + "x" * 100: n for n in range(10_000)}
    body = dict(list(body.items())[:1000])  # a JSON object holds at most 1,000 entries
    response = client.post(CREATE, json=body, headers=gp)
    assert response.status_code == 422 and len(response.data) < 3000
    assert "more unknown fields" in response.get_data(as_text=True)
    too_many = client.post(CREATE, json=api_body() | {f"f{n}": n for n in range(10_000)}, headers=gp)
    assert too_many.status_code == 413 and len(too_many.data) < 1000


# ---- dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31", "2026-13-01", "26-1-1"])
def test_dates_out_of_range_name_the_filter(client, cfsd, value):
    response = client.get(f"/api/v1/feedback?submitted_to={value}", headers=cfsd)
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "submitted_to"


def test_an_export_date_out_of_range_names_the_filter(client, cfsd):
    response = client.get("/api/v1/export/feedback.csv?submitted_from=9999-12-31", headers=cfsd)
    assert response.status_code == 400 and "submitted_from" in response.get_data(as_text=True)


def test_dates_within_range_still_filter(client, app, cfsd):
    insert(app, "gp", *OPEN, text="Dated")
    assert client.get("/api/v1/feedback?submitted_to=2100-12-31", headers=cfsd).get_json()["count"] == 1
    assert client.get("/api/v1/feedback?submitted_to=2000-01-01", headers=cfsd).get_json()["count"] == 0


# ---- where to go after signing in --------------------------------------------------------------------

HOSTILE_NEXT = ["/%09/evil.example/phish", "/\t/evil.example", "/%0A/x", "/\n/x", "//evil.example",
                "/\\evil.example", "/%5Cevil.example", "/%2F/evil.example", "/ /evil.example", "/%20/x",
                "https://evil.example", "evil.example", "/\x00x", "/a\x7f", "/%0D%0A/evil.example", ""]


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_next_refuses_anything_but_a_plain_path(value):
    assert same_site_path(value) is None


@pytest.mark.parametrize("value", ["/", "/pathways/headache-in-adults/1.0", "/search?q=red+flags",
                                   "/search?q=cauda%20equina", "/export/feedback/?round=a/1.0"])
def test_next_keeps_paths_on_this_site(value):
    assert same_site_path(value) == value


@pytest.mark.parametrize("value", ["/%09/evil.example/phish", "/%0A/x", "/%0D%0A/evil.example"])
def test_signing_in_never_redirects_off_the_site(client, value):
    login = client.post(f"/login?next={value}", data={"email": ACCOUNTS["gp"][0], "password": PASSWORD,
                                                       "csrf_token": csrf_token(client)})
    assert login.status_code == 302
    location = login.headers["Location"]
    assert location == "/" or location.startswith("/pathways"), location
    again = client.get(f"/login?next={value}")
    assert again.status_code == 302 and "evil" not in again.headers["Location"]
    assert not again.headers["Location"].startswith("//")


def test_signing_in_still_returns_to_the_page_asked_for(client):
    login = client.post("/login?next=/search%3Fq%3Dred%2Bflags", data={
        "email": ACCOUNTS["gp"][0], "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert login.headers["Location"] == "/search?q=red+flags"
