"""A local note is flagged for review when the national text beside it changes in a newer version."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_PATHWAYS

COLORECTAL = "suspected-colorectal-cancer"
HEADACHE = "headache-in-adults"
REGISTER = "/local-notes/boards/lothian/"
CHANGED = "National text changed — review this note"
GONE = "Section no longer in the current version — review this note"


@pytest.fixture
def app_config(tmp_path):
    # A copy of the sample library, so a test can publish a new version of a pathway.
    library = tmp_path / "pathways"
    shutil.copytree(SAMPLE_PATHWAYS, library)
    return {"PATHWAYS_DIR": str(library)}


@pytest.fixture
def editor(runner, auth):
    assert runner.invoke(args=["plugins", "enable", "local_notes", "--board", "lothian"]).exit_code == 0
    auth.login("board-admin")
    return auth


def add_note(auth, slug, version, section, text):
    response = auth.post(REGISTER + "notes/new", {"pathway": slug, "version": version, "section": section,
                                                  "kind": "referral-route", "text": text})
    assert response.status_code == 303, response.get_data(as_text=True)


def note_id(client, text):
    register = client.get(REGISTER).get_data(as_text=True)
    return re.search(rf'<div id="note-(\d+)">(?:(?!<div id="note-).)*{re.escape(text)}', register, re.S).group(1)


def needing_review(client) -> str:
    register = client.get(REGISTER).get_data(as_text=True)
    block = re.search(r"<h2>Needing review</h2>(.*?)<h2>All notes</h2>", register, re.S)
    return block.group(1) if block else ""


def test_a_note_on_a_section_changed_in_the_current_version_is_flagged(client, editor):
    # Colorectal 3.0 (out for consultation) rewrote "How to refer" but kept "Who not to refer".
    add_note(editor, COLORECTAL, "2.0", "how-to-refer", "Lothian USC triage route.")
    add_note(editor, COLORECTAL, "2.0", "who-not-to-refer", "Lothian surveillance clinic.")
    flagged = needing_review(client)
    assert "How to refer" in flagged and CHANGED in flagged
    assert "Who not to refer" not in flagged
    assert f"/pathways/{COLORECTAL}/compare/2.0/3.0/" in client.get(REGISTER).get_data(as_text=True)

    current_page = client.get(f"/pathways/{COLORECTAL}/").get_data(as_text=True)
    assert current_page.count(CHANGED) == 1
    assert "Written against national version 2.0" in current_page
    # Beside the 2.0 text the note is exactly what was written: nothing to review there.
    assert CHANGED not in client.get(f"/pathways/{COLORECTAL}/2.0/").get_data(as_text=True)


def test_review_flags_are_for_editors_not_for_every_gp(client, editor, auth):
    add_note(editor, COLORECTAL, "2.0", "how-to-refer", "Lothian USC triage route.")
    auth.logout()
    auth.login("gp")
    assert CHANGED not in client.get(f"/pathways/{COLORECTAL}/").get_data(as_text=True)
    register = client.get(REGISTER).get_data(as_text=True)
    assert "Lothian USC triage route." in register and CHANGED not in register
    auth.logout()
    auth.login("cfsd")
    assert CHANGED in client.get(REGISTER).get_data(as_text=True)


def test_marking_a_note_reviewed_moves_it_to_the_current_version(client, editor):
    add_note(editor, COLORECTAL, "2.0", "how-to-refer", "Lothian USC triage route.")
    reviewed = editor.post(f"{REGISTER}notes/{note_id(client, 'Lothian USC triage route.')}/reviewed",
                           {"next": f"/pathways/{COLORECTAL}/#how-to-refer"})
    assert reviewed.status_code == 303 and reviewed.headers["Location"].endswith("#how-to-refer")
    page = client.get(f"/pathways/{COLORECTAL}/").get_data(as_text=True)
    assert CHANGED not in page and "Written against national version 3.0" in page
    assert "No notes need review" in client.get(REGISTER).get_data(as_text=True)


def test_editing_a_flagged_note_can_confirm_it_still_applies(client, editor):
    add_note(editor, COLORECTAL, "2.0", "how-to-refer", "Lothian USC triage route.")
    edit = f"{REGISTER}notes/{note_id(client, 'Lothian USC triage route.')}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert CHANGED in form and "still applies to the current national text (version 3.0)" in form
    editor.post(edit, {"kind": "referral-route", "text": "Lothian USC triage route, via SCI Gateway."})
    assert CHANGED in needing_review(client)  # saved, but not yet confirmed against 3.0
    editor.post(edit, {"kind": "referral-route", "text": "Lothian USC triage route, via SCI Gateway.",
                       "reviewed": "yes"})
    assert CHANGED not in needing_review(client)


def publish_headache_1_1(library: Path):
    """Version 1.1 drops the cluster headache section and rewrites investigations; the rest is unchanged."""
    text = (library / HEADACHE / "1.0.md").read_text()
    text = text.replace('version: "1.0"', 'version: "1.1"')
    text = re.sub(r"### Cluster headache\n.*?(?=\n## )", "", text, flags=re.S)
    text = re.sub(r"(## Investigations before referral\n)", r"\1\nA new first paragraph.\n", text)
    (library / HEADACHE / "1.1.md").write_text(text)


def test_a_new_version_flags_changed_and_removed_sections(app, client, editor):
    add_note(editor, HEADACHE, "1.0", "cluster-headache", "Lothian oxygen prescribing route.")
    add_note(editor, HEADACHE, "1.0", "investigations-before-referral", "No direct-access MRI in Lothian.")
    add_note(editor, HEADACHE, "1.0", "how-to-refer", "Lothian neurology triage.")
    assert "No notes need review" in client.get(REGISTER).get_data(as_text=True)

    publish_headache_1_1(Path(app.config["PATHWAYS_DIR"]))
    flagged = needing_review(client)
    assert "Cluster headache" in flagged and GONE in flagged
    assert "Investigations before referral" in flagged and CHANGED in flagged
    assert "How to refer" not in flagged

    # The note on a section that no longer exists cannot be confirmed against it.
    gone = editor.post(f"{REGISTER}notes/{note_id(client, 'Lothian oxygen prescribing route.')}/reviewed")
    assert gone.status_code == 409
    assert "not in the current version" in gone.get_data(as_text=True)
    assert GONE in needing_review(client)
