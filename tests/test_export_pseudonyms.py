"""Pseudonymised exports: nobody named, one stable pseudonym per person, the same in every format."""
from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest

from plugins.export.pseudonyms import pseudonymiser
from tests.fixture_plugins import export_dataset as fixture


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.export_dataset"]}


@pytest.fixture
def cfsd(client, auth):
    auth.login("cfsd")
    return client


def test_pseudonymised_export_names_nobody_and_keeps_people_apart(cfsd):
    body = cfsd.get("/api/v1/export/records.json?pseudonymise=1").get_data()
    for name, email in fixture.PEOPLE:
        assert name.encode() not in body and email.lower().encode() not in body.lower()
    document = json.loads(body)
    assert document["pseudonymised"] is True
    by_person: dict[str, set[str]] = {}
    for got, want in zip(document["rows"], fixture.source_rows()):
        if want["author_email"] is None:
            assert got["author_name"] is None and got["author_email"] is None
            continue
        assert re.fullmatch(r"Respondent [0-9a-f]{10}", got["author_name"])
        assert got["author_email"] == got["author_name"]
        by_person.setdefault(want["author_email"], set()).add(got["author_name"])
    assert all(len(names) == 1 for names in by_person.values()), "one pseudonym per person"
    assert len({next(iter(n)) for n in by_person.values()}) == len(by_person), "different people differ"
    again = json.loads(cfsd.get("/api/v1/export/records.json?pseudonymise=yes").get_data())
    assert again["rows"] == document["rows"], "stable from one export to the next"


def test_pseudonyms_depend_on_the_secret_key():
    row = {"author_name": "Dr Morag Lothian", "author_email": "morag@lothian.example", "text": "kept"}
    here = pseudonymiser("this-installation", ["author_name", "author_email"])(row)
    there = pseudonymiser("another-installation", ["author_name", "author_email"])(row)
    assert here["text"] == there["text"] == "kept"
    assert here["author_name"] != there["author_name"]
    same_person = {"author_name": " dr morag lothian", "author_email": "MORAG@lothian.example"}
    assert pseudonymiser("this-installation", ["author_name", "author_email"])(same_person) == {
        "author_name": here["author_name"], "author_email": here["author_name"]}


def test_csv_and_xlsx_are_pseudonymised_too(cfsd):
    for fmt in ("csv", "xlsx"):
        body = cfsd.get(f"/api/v1/export/records.{fmt}?pseudonymise=1").get_data()
        if fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(body))["Responses"]
            body = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row).encode()
        assert b"Respondent " in body
        assert b"Morag" not in body and b"lothian.example" not in body


def test_the_pseudonym_key_not_the_secret_key_keys_exports(tmp_path, database_url):
    from tests.conftest import AuthActions, make_app

    app = make_app(tmp_path, database_url, PLUGINS=["tests.fixture_plugins.export_dataset"],
                   PSEUDONYM_KEY="shared-by-every-host")
    try:
        client = app.test_client()
        AuthActions(client).login("cfsd")
        rows = json.loads(client.get("/api/v1/export/records.json?pseudonymise=1").get_data())["rows"]
    finally:
        app.extensions["pathway_review.db"].dispose()
    source = [row for row in fixture.source_rows() if row["author_email"]]
    personal = ["author_name", "author_email"]
    got = {row["author_name"] for row in rows if row["author_name"]}
    assert got == {pseudonymiser("shared-by-every-host", personal)(row)["author_name"] for row in source}
    assert got.isdisjoint({pseudonymiser("test-secret", personal)(row)["author_name"] for row in source})
