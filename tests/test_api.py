"""The JSON API under /api/v1 and the OpenAPI document that describes it."""
import re

import pytest
from sqlalchemy import select

from pathway_review import accounts
from pathway_review.models import ApiToken, User, utcnow

COLORECTAL = "/api/v1/pathways/suspected-colorectal-cancer"
SUMMARY_KEYS = {"slug", "version", "title", "specialty", "status", "date", "consultation", "owning_group",
                "approved_by", "last_reviewed", "next_review", "summary", "sample", "questions"}


def make_token(app, email="gp@lothian.example", name="script"):
    with app.extensions["pathway_review.db"].transaction() as session:
        user = session.scalar(select(User).where(User.email == email))
        return accounts.create_token(session, user, name)


@pytest.fixture
def api(app):
    """A client that authenticates as a script would: a bearer token, no cookie."""
    token = make_token(app)
    client = app.test_client()

    def get(url, **kwargs):
        return client.get(url, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return get


def test_list_pathways(api):
    response = api("/api/v1/pathways")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["count"] == len(body["pathways"]) == 11
    by_slug = {p["slug"]: p for p in body["pathways"]}
    colorectal = by_slug["suspected-colorectal-cancer"]
    assert SUMMARY_KEYS <= set(colorectal)
    assert colorectal["version"] == "3.0" and colorectal["versions"] == ["1.0", "2.0", "3.0"]
    assert colorectal["consultation"] == {"opens": "2026-11-02", "closes": "2027-02-26", "state": "open",
                                          "days_left": 97, "label": "Open"}
    assert colorectal["sample"] is True
    assert by_slug["heavy-menstrual-bleeding"]["consultation"] == {
        "opens": "2027-01-11", "closes": "2027-04-09", "state": "upcoming", "days_left": None,
        "label": "Opens on 11 January 2027"}
    assert by_slug["recurrent-uti-in-women"]["consultation"] == {
        "opens": "2026-08-03", "closes": "2026-10-31", "state": "closed", "days_left": None,
        "label": "Closed on 31 October 2026"}
    assert by_slug["dyspepsia"]["consultation"] == {"opens": None, "closes": None, "state": "not-consultation",
                                                    "days_left": None, "label": "Published"}


def test_consultation_state_follows_the_clock(api, app):
    app.config["TODAY"] = "2027-02-20"
    closing = api(COLORECTAL).get_json()["consultation"]
    assert (closing["state"], closing["days_left"], closing["label"]) == ("open", 6, "Closes in 6 days")
    app.config["TODAY"] = "2027-02-27"
    closed = api(COLORECTAL).get_json()["consultation"]
    assert (closed["state"], closed["days_left"], closed["label"]) == ("closed", None, "Closed on 26 February 2027")


def test_list_filters(api):
    urology = api("/api/v1/pathways?specialty=Urology").get_json()
    assert {p["slug"] for p in urology["pathways"]} == {"lower-urinary-tract-symptoms-men", "recurrent-uti-in-women",
                                                        "visible-haematuria"}
    in_consultation = api("/api/v1/pathways?status=consultation&specialty=Urology").get_json()
    assert {p["slug"] for p in in_consultation["pathways"]} == {"recurrent-uti-in-women", "visible-haematuria"}
    open_now = api("/api/v1/pathways?consultation=open&specialty=Urology").get_json()
    assert {p["slug"] for p in open_now["pathways"]} == {"visible-haematuria"}


@pytest.mark.parametrize("state,slugs", [
    ("open", {"suspected-colorectal-cancer", "visible-haematuria", "headache-in-adults"}),
    ("upcoming", {"heavy-menstrual-bleeding"}),
    ("closed", {"recurrent-uti-in-women"}),
])
def test_filter_by_consultation_state(api, state, slugs):
    body = api(f"/api/v1/pathways?consultation={state}").get_json()
    assert {p["slug"] for p in body["pathways"]} == slugs
    assert {p["consultation"]["state"] for p in body["pathways"]} == {state}


def test_invalid_consultation_filter_is_a_400_naming_the_field(api):
    response = api("/api/v1/pathways?consultation=soon")
    assert response.status_code == 400
    assert response.get_json()["field"] == "consultation" and "upcoming" in response.get_json()["message"]
    assert api("/api/v1/pathways?specialty=Astrology").get_json() == {"pathways": [], "count": 0}


def test_invalid_status_filter_is_a_400_naming_the_field(api):
    response = api("/api/v1/pathways?status=retired")
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == "status" and "draft" in body["message"]


def test_one_pathway_with_every_version(api):
    body = api(COLORECTAL).get_json()
    assert body["current_version"] == "3.0" and body["title"] == "Suspected colorectal cancer"
    assert [(v["version"], v["status"]) for v in body["versions"]] == [
        ("1.0", "superseded"), ("2.0", "published"), ("3.0", "consultation")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", body["versions"][0]["date"])
    assert body["questions"] and {"id", "label", "kind", "choices"} <= set(body["questions"][0])


def test_one_version_with_its_sections(api):
    body = api(COLORECTAL + "/versions/2.0").get_json()
    assert body["version"] == "2.0" and body["status"] == "published"
    sections = body["sections"]
    assert sections and {"id", "title", "level", "parent", "html", "text"} == set(sections[0])
    ids = [s["id"] for s in sections]
    assert len(ids) == len(set(ids))
    for section in sections:
        assert section["level"] in (2, 3)
        if section["level"] == 3:
            assert section["parent"] in ids
    assert any("<p>" in s["html"] for s in sections)
    assert all("<" not in s["text"] for s in sections)


def test_section_ids_are_stable_between_versions(api):
    old = {s["title"]: s["id"] for s in api(COLORECTAL + "/versions/2.0").get_json()["sections"]}
    new = {s["title"]: s["id"] for s in api(COLORECTAL + "/versions/3.0").get_json()["sections"]}
    shared = old.keys() & new.keys()
    assert shared and all(old[t] == new[t] for t in shared)


@pytest.mark.parametrize("url", [
    "/api/v1/pathways/no-such-pathway",
    COLORECTAL + "/versions/9.0",
    COLORECTAL + "/versions/latest",
    "/api/v1/pathways/no-such-pathway/versions/1.0",
    "/api/v1/pathways/..%2F..%2Fsetup.cfg",
    "/api/v1/no-such-endpoint",
])
def test_unknown_things_are_json_404s(api, url):
    response = api(url)
    assert response.status_code == 404 and response.is_json
    assert set(response.get_json()) >= {"error", "message"}


@pytest.mark.parametrize("url", ["/api/v1/pathways", COLORECTAL, COLORECTAL + "/versions/3.0"])
def test_signed_out_gets_401_json_not_a_redirect(client, url):
    response = client.get(url)
    assert response.status_code == 401 and response.is_json
    assert "Bearer" in response.get_json()["message"]


def test_a_signed_in_browser_can_use_the_api_too(client, auth):
    auth.login("gp")
    assert client.get("/api/v1/pathways").status_code == 200


@pytest.mark.parametrize("header", ["Bearer prt_not-a-real-token", "Bearer ", "Basic Z3A6cGFzcw==", "Bearer x" * 50])
def test_bad_credentials_get_401(client, header):
    assert client.get("/api/v1/pathways", headers={"Authorization": header}).status_code == 401


def test_revoked_token_and_deactivated_account_stop_working(app, client):
    token = make_token(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/pathways", headers=headers).status_code == 200
    with app.extensions["pathway_review.db"].transaction() as session:
        session.scalars(select(ApiToken)).one().revoked_at = utcnow()
    assert client.get("/api/v1/pathways", headers=headers).status_code == 401

    other = make_token(app, email="staff@cfsd.example")
    with app.extensions["pathway_review.db"].transaction() as session:
        session.scalar(select(User).where(User.email == "staff@cfsd.example")).active = False
    assert client.get("/api/v1/pathways", headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_token_is_stored_only_as_a_hash(app):
    token = make_token(app)
    with app.extensions["pathway_review.db"].sessions() as session:
        row = session.scalars(select(ApiToken)).one()
    assert row.token_hash != token and len(row.token_hash) == 64 and token.startswith(row.prefix)


def test_bearer_token_does_not_start_a_browser_session(app, client):
    token = make_token(app)
    client.get("/api/v1/pathways", headers={"Authorization": f"Bearer {token}"})
    assert client.get("/").status_code == 302


# ---- OpenAPI --------------------------------------------------------------------------------------

def openapi_path(rule) -> str:
    return re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule)


def test_openapi_document_is_public_and_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_openapi_document_is_well_formed(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/"), path
        templated = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            assert method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}, (path, method)
            assert operation.get("responses"), f"{method.upper()} {path} documents no responses"
            for code, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5](\d\d|XX)|default", code), (path, code)
                assert "description" in response or "$ref" in response, (path, code)
            declared = {p["name"] for p in operation.get("parameters", []) + item.get("parameters", [])
                        if p.get("in") == "path"}
            assert declared == templated, f"{method.upper()} {path}: path parameters {declared} != {templated}"
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in {"path", "query", "header", "cookie"}
                if parameter["in"] == "path":
                    assert parameter.get("required") is True
            if "operationId" in operation:
                operation_ids.append(operation["operationId"])
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def test_every_api_route_is_documented(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        item = doc["paths"].get(openapi_path(rule))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if item is None or method.lower() not in item:
                missing.append(f"{method} {rule.rule}")
    assert not missing, "API routes missing from the OpenAPI document (add them through openapi_paths): " + \
        ", ".join(missing)
