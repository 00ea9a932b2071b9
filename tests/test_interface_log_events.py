"""The interface log declares an event of its own; another plugin hears each issue logged and triaged."""
import pytest

from tests.test_interface_log_api import API, NEW, tokens  # noqa: F401  (a fixture)


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.issue_listener"]}


def test_a_liaison_assigned_and_a_resolution_are_events_another_plugin_hears(app, client, tokens):  # noqa: F811
    issue = client.post(API, json=NEW, headers=tokens["gp"]).get_json()
    client.patch(f"{API}/{issue['id']}", json={"status": "in-progress", "owner": "admin@lothian.example"},
                 headers=tokens["admin"])
    resolved = client.patch(f"{API}/{issue['id']}", json={
        "status": "resolved", "resolution": "Schedule now sent with every request.", "lasting_change": True,
        "lasting_change_detail": "Shared-care request form includes monitoring."}, headers=tokens["admin"])
    assert resolved.status_code == 200, resolved.get_data(as_text=True)
    heard = app.extensions["issue_listener.heard"]
    assert [(old, new, fields) for _, _, _, old, new, fields in heard] == [
        (None, "new", []), ("new", "in-progress", ["owner_id", "status"]), ("in-progress", "resolved",
                                                                          ["lasting_change", "lasting_change_detail",
                                                                           "resolution", "status"])]
    assert heard[1][2] == {"name": "Lothian Admin", "email": "admin@lothian.example"}
    assert len({event_id for event_id, *_ in heard}) == 3 and {i for _, i, *_ in heard} == {issue["id"]}
