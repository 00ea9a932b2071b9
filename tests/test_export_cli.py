"""``pathway-review export``: files for scheduled jobs, checked and audited like any other export."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from pathway_review.models import AuditEvent
from tests.fixture_plugins import export_dataset as fixture


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.export_dataset"]}


def test_writes_a_filtered_csv_file(runner, tmp_path):
    target = tmp_path / "fife.csv"
    result = runner.invoke(args=["export", "records", "--format", "csv", "--filter", "board=fife",
                                 "--filter", "status=new", "-o", str(target)])
    assert result.exit_code == 0, result.output
    expected = [r for r in fixture.source_rows() if r["board"] == "fife" and r["status"] == "new"]
    header, *rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"), newline="")))
    assert header == fixture.COLUMNS
    assert [int(r[0]) for r in rows] == [r["id"] for r in expected]
    assert f"Exported {len(expected)} rows of records as csv" in result.output
    assert not (tmp_path / "fife.csv.part").exists()


def test_format_follows_the_file_extension(runner, tmp_path):
    target = tmp_path / "records.xlsx"
    result = runner.invoke(args=["export", "records", "--pseudonymise", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target)["Responses"]
    assert sheet.max_row == len(fixture.source_rows()) + 1
    names = {c.value for c in sheet["L"][1:] if c.value}
    assert names and all(name.startswith("Respondent ") for name in names)


def test_names_only_when_identified_is_asked_for(runner):
    def names(*options):
        result = runner.invoke(args=["export", "records", "--format", "json", *options, "-o", "-"])
        assert result.exit_code == 0, result.output
        return {row["author_name"] for row in json.loads(result.stdout)["rows"]}

    people = {r["author_name"] for r in fixture.source_rows()} - {None}
    assert names() & people == set(), "pseudonymised unless asked"
    assert people <= names("--identified")
    both = runner.invoke(args=["export", "records", "--pseudonymise", "--identified", "-o", "-"])
    assert both.exit_code != 0 and "not both" in both.output


def test_writes_to_standard_output(runner):
    result = runner.invoke(args=["export", "records", "--format", "ndjson", "--columns", "id,board", "-o", "-"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines == [{"id": r["id"], "board": r["board"]} for r in fixture.source_rows()]


@pytest.mark.parametrize("args, named", [
    (["records", "--filter", "board=atlantis"], "Board"),
    (["records", "--filter", "colour=blue"], "colour"),
    (["records", "--format", "pdf"], "pdf"),
    (["nothing", "--format", "csv"], "records"),
])
def test_bad_input_fails_naming_the_problem_and_writes_nothing(runner, tmp_path, args, named):
    target = tmp_path / "out.csv"
    result = runner.invoke(args=["export", *args, "-o", str(target)])
    assert result.exit_code == 2
    assert named in result.output
    assert not target.exists()


def test_a_filter_must_be_name_equals_value(runner, tmp_path):
    result = runner.invoke(args=["export", "records", "--filter", "fife", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "NAME=VALUE" in result.output


def test_command_line_exports_are_audited(app, runner, tmp_path):
    runner.invoke(args=["export", "records", "--filter", "safety=yes", "-o", str(tmp_path / "s.json")])
    with app.extensions["pathway_review.db"].sessions() as session:
        found = {e.action: e for e in session.scalars(select(AuditEvent).where(AuditEvent.action.like("export%")))}
    assert set(found) == {"export", "export.completed"}
    assert found["export"].actor_email == "cli"
    assert json.loads(found["export"].detail)["via"] == "cli"
    assert json.loads(found["export"].detail)["filters"] == {"safety": True}
    assert json.loads(found["export.completed"].detail)["rows"] == sum(
        1 for r in fixture.source_rows() if r["safety"] is True)
