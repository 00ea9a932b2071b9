"""Every operation of /api/v1/openapi.json, fuzzed by schemathesis against the app as a GP and as CfSD.

Fails on any 5xx, on a status code the document does not list for the operation, and on a response
body that breaks its documented schema. Valid and invalid cases both (schemathesis' positive and
negative generation), derandomized and bounded per operation, so a run is the same every time and
takes a minute or two.

schemathesis' own pytest loader does not run under pytest 9 (it sets ``Function._nodeid``), so the
operations are driven with hypothesis directly: the same strategies, the same checks.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.feedback_support import OPEN, insert, token

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def known(app, client, runner) -> dict:
    """Path values that reach real records, swapped into half the cases (random ones mostly miss: 404)."""
    assert runner.invoke(args=["plugins", "enable", "interface_log", "--board", "lothian"]).exit_code == 0
    feedback = [insert(app, "gp", *OPEN, text=text) for text in ("Kits run out every month",
                                                                 "The referral form asks for tests we cannot order")]
    issue = client.post("/api/v1/boards/lothian/interface-issues", headers=token(app, "gp"), json={
        "category": "prescribing", "service": "Renal", "description": "Letters ask us to prescribe."})
    assert issue.status_code == 201
    return {"slug": OPEN[0], "version": OPEN[1], "board": "lothian", "feedback_id": feedback[0],
            "issue_id": issue.get_json()["id"], "dataset": "feedback"}


def operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def failures_for(operation, headers, known: dict) -> str | None:
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @FUZZ
    @given(case=strategy, real_path=st.booleans())
    def run(case, real_path):
        if real_path and case.path_parameters:
            case.path_parameters = {k: known.get(k, v) for k, v in case.path_parameters.items()}
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Exception as exc:  # noqa: BLE001 (every failure is reported, with the operation's name)
        return f"{operation.method.upper()} {operation.path}: {exc}"
    return None


@pytest.mark.parametrize("role", ["gp", "cfsd"])
def test_every_operation_answers_as_documented(app, known, role):
    found = operations(app)
    assert len(found) >= 15, "the document lost operations"
    headers = token(app, role)
    failures = [f for f in (failures_for(operation, headers, known) for operation in found) if f]
    assert not failures, "\n\n".join(failures)


def test_the_document_lists_what_the_pipeline_can_answer(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    create = paths["/api/v1/pathways/{slug}/feedback"]["post"]["responses"]
    assert {"401", "403", "404", "409", "413", "422", "429"} <= create.keys()
    assert "429" in paths["/api/v1/export/{dataset}.{format}"]["get"]["responses"]
    for path, item in paths.items():
        for method, operation in item.items():
            if operation.get("security") != []:
                assert "401" in operation["responses"], f"{method} {path}"
            if operation.get("parameters") or "requestBody" in operation:
                assert "422" in operation["responses"], f"{method} {path}"


def test_documented_values_are_accepted(client, app):
    insert(app, "gp", *OPEN, text="Submitted")
    drafts = client.get("/api/v1/feedback?status=draft", headers=token(app, "cfsd"))
    assert drafts.status_code == 200 and drafts.get_json()["count"] == 0  # nobody else's drafts show
    document = client.get("/api/v1/openapi.json").get_json()
    triage = document["paths"]["/api/v1/feedback/{feedback_id}/triage"]["post"]["requestBody"]
    assert triage["content"]["application/json"]["schema"]["minProperties"] == 1  # {} is refused, and says so
