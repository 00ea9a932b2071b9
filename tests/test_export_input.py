"""Bad input gets a clear 4xx naming what is wrong, on the API and on the export form."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.export_dataset"], "EXPORT_RATE_LIMIT": "1000/60"}


@pytest.fixture
def cfsd(client, auth):
    auth.login("cfsd")
    return client


def test_unknown_dataset_is_404_listing_the_valid_ones(cfsd):
    response = cfsd.get("/api/v1/export/nothing.here.csv")
    assert response.status_code == 404
    body = response.get_json()
    assert {"records", "broken"} <= set(body["datasets"])
    assert "records" in body["message"] and "'nothing.here'" in body["message"]


def test_unknown_format_is_404_listing_the_valid_ones(cfsd):
    response = cfsd.get("/api/v1/export/records.pdf")
    assert response.status_code == 404
    assert response.get_json()["formats"] == ["csv", "xlsx", "json", "ndjson"]
    assert cfsd.get("/api/v1/export/records").status_code == 404


@pytest.mark.parametrize("query, field", [
    ("colour=blue", "colour"),
    ("board=atlantis", "board"),
    ("safety=maybe", "safety"),
    ("submitted_from=2026-02-30", "submitted_from"),
    ("submitted_to=21/11/2026", "submitted_to"),
    ("submitted_from=2026-11-10&submitted_to=2026-11-01", "submitted_to"),
    ("board=fife&board=tayside", "board"),
    ("author=" + "x" * 201, "author"),
    ("columns=id,shoe_size", "columns"),
    ("pseudonymise=perhaps", "pseudonymise"),
])
def test_invalid_filters_are_400_naming_the_filter(app, cfsd, query, field):
    response = cfsd.get(f"/api/v1/export/records.csv?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["message"]


def test_every_bad_filter_is_named_at_once(cfsd):
    body = cfsd.get("/api/v1/export/records.json?board=atlantis&safety=maybe&colour=blue").get_json()
    assert {e["field"] for e in body["errors"]} == {"board", "safety", "colour"}


def test_blank_filters_mean_any(cfsd):
    response = cfsd.get("/api/v1/export/records.json?board=&safety=&submitted_from=")
    assert response.status_code == 200
    assert response.get_json()["filters"] == {}


def test_the_form_shows_errors_beside_the_fields_and_keeps_what_was_chosen(cfsd):
    response = cfsd.get("/export/records/download?format=json&board=fife&submitted_from=yesterday"
                        "&author=someone%40example.org")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="nhsuk-error-summary"' in page
    assert '<a href="#submitted_from">Submitted from must be a real date' in page
    assert 'id="submitted_from-error"' in page
    assert 'value="yesterday"' in page and 'value="someone@example.org"' in page
    assert '<option value="fife" selected>' in page
    assert 'value="json" checked' in page
    assert "<title>Error: " in page


def test_the_form_asks_for_a_format_when_none_is_chosen(cfsd):
    response = cfsd.get("/export/records/download?board=fife")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<a href="#format">Choose a file format.</a>' in page
    assert '<option value="fife" selected>' in page


def test_an_unknown_parameter_on_the_form_is_reported_without_a_broken_link(cfsd):
    page = cfsd.get("/export/records/download?format=csv&colour=blue").get_data(as_text=True)
    assert "&#39;colour&#39; is not a filter" in page
    assert 'href="#colour"' not in page


def test_unknown_dataset_on_the_pages_is_a_404_page(cfsd):
    for url in ("/export/nothing/", "/export/nothing/download?format=csv"):
        response = cfsd.get(url)
        assert response.status_code == 404
        assert "records" in response.get_data(as_text=True)
