"""The export page and form, the links other pages show, navigation and the OpenAPI description."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g
from sqlalchemy import select

from pathway_review.models import User
from pathway_review.plugins import flatten, host, page_hook
from tests.conftest import ACCOUNTS


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.export_dataset"], "EXPORT_RATE_LIMIT": "1000/60"}


def links_for(app, who, filters):
    with app.test_request_context("/"):
        with app.extensions["pathway_review.db"].sessions() as session:
            user = session.scalar(select(User).where(User.email == ACCOUNTS[who][0]))
        g.user, g.hooks = user, host().view(None)
        return flatten(page_hook("dataset_links", dataset="records", filters=filters, user=user))


def test_export_page_lists_each_dataset_with_its_downloads(client, auth):
    auth.login("cfsd")
    page = client.get("/export/").get_data(as_text=True)
    assert "<h1>Export</h1>" in page
    assert "<h2>Test records</h2>" in page
    assert 'href="/export/records/"' in page
    assert 'href="/export/records/download?format=xlsx" download' in page
    assert "Broken records" in page


def test_navigation_offers_export_to_cfsd_only(client, auth):
    auth.login("cfsd")
    assert 'href="/export/">Export</a>' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("gp")
    assert 'href="/export/"' not in client.get("/").get_data(as_text=True)


def test_form_offers_every_filter_format_and_the_pseudonym_option(client, auth):
    auth.login("admin")
    page = client.get("/export/records/").get_data(as_text=True)
    assert 'action="/export/records/download" method="get"' in page
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">File format</legend>' in page
    assert 'value="xlsx" checked' in page, "Excel is the default"
    assert '<select class="nhsuk-select" id="board" name="board"' in page
    assert '<option value="" selected>Any</option>' in page
    assert 'id="submitted_from" name="submitted_from" type="date"' in page
    assert 'name="safety" type="radio" value="yes"' in page
    assert 'name="pseudonymise" type="radio" value="1" checked' in page, "pseudonymised unless asked"
    assert 'name="pseudonymise" type="radio" value="0"' in page and "Identified" in page
    assert "<script" not in page.split("</main>")[0] and "style=" not in page


def test_form_is_prefilled_from_the_link_that_led_to_it(client, auth):
    auth.login("cfsd")
    page = client.get("/export/records/?board=tayside&safety=true&pseudonymise=no").get_data(as_text=True)
    assert '<option value="tayside" selected>' in page
    assert 'name="safety" type="radio" value="yes" checked' in page
    assert 'name="pseudonymise" type="radio" value="0" checked' in page


def test_submitting_the_form_downloads_the_file(client, auth):
    auth.login("cfsd")
    response = client.get("/export/records/download?format=csv&board=fife&safety=&pseudonymise=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.csv"')
    assert b"Respondent " in response.get_data()


def test_the_export_page_is_for_analysts_without_api_or_command_line_instructions(client, auth):
    auth.login("cfsd")
    page = client.get("/export/").get_data(as_text=True)
    assert "/api/v1/export" not in page and "pathway-review export" not in page
    assert "Downloads are pseudonymised" in page


def test_dataset_links_carry_the_page_filters_and_download(app, client, auth):
    actions = links_for(app, "cfsd", {"board": "fife", "safety": True, "page": "2", "status": ""})
    labels = [a.label for a in sorted(actions, key=lambda a: a.order)]
    assert labels == ["Download CSV", "Download Excel", "Download JSON", "More export options"]
    excel = next(a for a in actions if a.label == "Download Excel")
    query = parse_qs(urlsplit(excel.href).query)
    assert query == {"format": ["xlsx"], "board": ["fife"], "safety": ["yes"]}, "page parameters are left out"
    auth.login("cfsd")
    for action in actions:
        assert client.get(action.href).status_code == 200, action.href


def test_dataset_links_are_not_offered_to_people_who_cannot_export(app):
    assert links_for(app, "gp", {"board": "lothian"}) == []
    assert links_for(app, "board-admin", {}) == []


def test_openapi_describes_the_export_endpoint_and_its_filters(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/export/{dataset}.{format}"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["format"]["schema"]["enum"] == ["csv", "xlsx", "json", "ndjson"]
    assert "records" in parameters["dataset"]["schema"]["enum"]
    assert parameters["board"]["schema"]["enum"] == ["lothian", "fife", "tayside"]
    assert parameters["submitted_from"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["safety"]["schema"] == {"type": "boolean"}
    assert {"200", "400", "401", "403", "404", "429"} <= set(operation["responses"])
    content = operation["responses"]["200"]["content"]
    assert "text/csv" in content and "application/x-ndjson" in content
    json.dumps(document)
