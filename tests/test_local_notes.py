"""Local notes: switched on per board, shown beside the national text to that board only, edited by its editors."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

SLUG = "suspected-colorectal-cancer"
NOTES = "/local-notes/boards/lothian/"
NEW = NOTES + "notes/new"
PAGE = f"/pathways/{SLUG}/"
CHI = "021116 5794"  # a valid-looking CHI (sample), never a real person's


def enable(runner, board="lothian", plugin="local_notes"):
    result = runner.invoke(args=["plugins", "enable", plugin, "--board", board])
    assert result.exit_code == 0, result.output


def add_note(auth, board="lothian", **fields):
    data = {"pathway": SLUG, "version": "3.0", "section": "how-to-refer", "kind": "referral-route",
            "text": "Refer through SCI Gateway to **Lothian colorectal triage**."} | fields
    return auth.post(f"/local-notes/boards/{board}/notes/new", data)


def note_count(app):
    from plugins.local_notes.models import LocalNote

    with app.extensions["pathway_review.db"].sessions() as session:
        return session.scalar(select(func.count(LocalNote.id)))


def test_off_by_default(client, auth):
    auth.login("board-admin")
    assert client.get(NOTES).status_code == 404
    page = client.get(PAGE).get_data(as_text=True)
    assert "Local notes" not in page and "Add a local note" not in page


def test_lothian_users_see_the_note_and_fife_users_see_nothing(app, client, auth, runner):
    enable(runner)
    auth.login("board-admin")
    response = add_note(auth)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{PAGE}#how-to-refer")
    auth.logout()

    auth.login("gp")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Local note — NHS Lothian" in page
    assert "<strong>Lothian colorectal triage</strong>" in page
    assert "not part of the national pathway" in page
    assert 'href="/local-notes/boards/lothian/"' in page  # the navigation link
    auth.logout()

    auth.login("gp-fife")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Lothian colorectal triage" not in page and "Local note" not in page
    assert client.get(NOTES).status_code == 404
    assert client.get("/local-notes/boards/fife/").status_code == 404  # Fife has not switched it on
    auth.logout()

    auth.login("board-admin-fife")
    assert client.get(NOTES).status_code == 404
    assert add_note(auth).status_code == 404
    assert note_count(app) == 1


def test_a_gp_cannot_write_notes_until_appointed(app, client, auth, runner):
    enable(runner)
    auth.login("gp")
    assert "Add a local note" not in client.get(PAGE).get_data(as_text=True)
    assert client.get(NEW).status_code == 403
    assert add_note(auth).status_code == 403
    assert note_count(app) == 0
    auth.logout()

    auth.login("board-admin")
    saved = auth.post("/admin/boards/lothian/plugins", {"plugin": "local_notes", "action": "enable", "settings": "1",
                                                        "setting-editors": "gp@lothian.example\nnobody@else.example"})
    assert saved.status_code == 303
    auth.logout()

    auth.login("gp")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Add a local note" in page
    assert add_note(auth).status_code == 303
    assert note_count(app) == 1


def test_another_boards_editor_in_the_setting_gains_nothing(app, client, auth, runner):
    enable(runner)
    enable(runner, "fife")
    auth.login("board-admin")
    auth.post("/admin/boards/lothian/plugins", {"plugin": "local_notes", "action": "enable", "settings": "1",
                                                "setting-editors": "gp@fife.example"})
    auth.logout()
    auth.login("gp-fife")
    assert add_note(auth).status_code == 404
    assert add_note(auth, board="fife").status_code == 403
    assert note_count(app) == 0


def test_cfsd_reads_every_register_but_writes_none(client, auth, runner):
    enable(runner)
    auth.login("board-admin")
    add_note(auth)
    auth.logout()
    auth.login("cfsd")
    index = client.get("/local-notes/").get_data(as_text=True)
    assert "NHS Lothian" in index and "NHS Fife" not in index
    register = client.get(NOTES)
    assert register.status_code == 200 and "Lothian colorectal triage" in register.get_data(as_text=True)
    assert client.get("/local-notes/boards/fife/").status_code == 404
    assert client.get(NEW).status_code == 403
    page = client.get(PAGE).get_data(as_text=True)
    assert "Local notes from Health Boards" in page and "NHS Lothian</a>: 1 note" in page
    assert "Local note — NHS Lothian" not in page  # the register is where national staff read them


def test_a_rejected_note_keeps_what_was_typed_and_saves_nothing(app, client, auth, runner, caplog):
    enable(runner)
    auth.login("board-admin")
    text = f"Ring the triage nurse about patient {CHI} before referring."
    response = add_note(auth, kind="", text=text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose the type of local note." in page
    assert "Local note contains what looks like a CHI or NHS number" in page
    assert f">{text}</textarea>" in page
    assert 'value="how-to-refer" selected' in page
    assert note_count(app) == 0
    assert "5794" not in caplog.text


def test_a_local_variation_needs_its_reason(app, auth, runner):
    enable(runner)
    auth.login("board-admin")
    response = add_note(auth, kind="variation", text="Lothian refers these patients to the nurse-led clinic.")
    assert response.status_code == 400
    assert "Enter the reason for the local variation." in response.get_data(as_text=True)
    assert add_note(auth, kind="variation", text="Lothian refers these patients to the nurse-led clinic.",
                    reason="The clinic books them directly.").status_code == 303
    assert note_count(app) == 1


@pytest.mark.parametrize("fields, field, message", [
    ({"pathway": "no-such-pathway"}, "pathway", "Choose a pathway from the list."),
    ({"section": "not-a-section"}, "section", "Choose the section the note is about."),
    ({"text": "x" * 5001}, "text", "5,000 characters or fewer"),
])
def test_bad_fields_are_named(app, auth, runner, fields, field, message):
    enable(runner)
    auth.login("board-admin")
    response = add_note(auth, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="#{field}"' in page and message in page
    assert note_count(app) == 0


def test_editing_and_deleting_a_note(app, client, auth, runner):
    enable(runner)
    auth.login("board-admin")
    add_note(auth)
    register = client.get(NOTES).get_data(as_text=True)
    note_id = re.search(r"/notes/(\d+)/edit", register).group(1)
    edit = f"{NOTES}notes/{note_id}/edit"
    bad = auth.post(edit, {"kind": "service-contact", "text": ""})
    assert bad.status_code == 400 and "Enter the local note." in bad.get_data(as_text=True)
    assert "Lothian colorectal triage" in client.get(PAGE).get_data(as_text=True)  # unchanged by the rejection
    edited = auth.post(edit, {"kind": "service-contact", "text": "Colorectal secretaries: extension 1234."})
    assert edited.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "extension 1234" in page and "Service contact" in page
    assert "Delete this local note?" in client.get(f"{NOTES}notes/{note_id}/delete").get_data(as_text=True)
    assert auth.post(f"{NOTES}notes/{note_id}/delete").status_code == 303
    assert "extension 1234" not in client.get(PAGE).get_data(as_text=True)
    assert note_count(app) == 0


def test_another_boards_note_cannot_be_reached_through_your_board(app, client, auth, runner):
    enable(runner)
    enable(runner, "fife")
    auth.login("board-admin-fife")
    add_note(auth, board="fife", text="Fife triage route.")
    fife_register = client.get("/local-notes/boards/fife/").get_data(as_text=True)
    fife_id = re.search(r"/notes/(\d+)/edit", fife_register).group(1)
    auth.logout()
    auth.login("board-admin")
    assert client.get(f"{NOTES}notes/{fife_id}/edit").status_code == 404
    assert auth.post(f"{NOTES}notes/{fife_id}/delete").status_code == 404
    assert client.get(f"/local-notes/boards/fife/notes/{fife_id}/edit").status_code == 404
    assert note_count(app) == 1


def test_switching_off_hides_the_notes_and_switching_on_brings_them_back(client, auth, runner):
    enable(runner)
    auth.login("board-admin")
    add_note(auth)
    off = auth.post("/admin/boards/lothian/plugins", {"plugin": "local_notes", "action": "disable"})
    assert off.status_code == 303
    assert "Lothian colorectal triage" not in client.get(PAGE).get_data(as_text=True)
    assert client.get(NOTES).status_code == 404
    auth.logout()
    auth.login("cfsd")
    assert client.get(NOTES).status_code == 404
    assert "Local notes from Health Boards" not in client.get(PAGE).get_data(as_text=True)
    auth.logout()
    auth.login("board-admin")
    auth.post("/admin/boards/lothian/plugins", {"plugin": "local_notes", "action": "enable"})
    assert "Lothian colorectal triage" in client.get(PAGE).get_data(as_text=True)
    assert "Lothian colorectal triage" in client.get(NOTES).get_data(as_text=True)


def test_the_register_is_offered_as_a_dataset_for_the_board_only(app, auth, client, runner):
    from flask import g

    from pathway_review.auth import enabled_for_board
    from pathway_review.models import User
    from pathway_review.plugins import hooks, host

    enable(runner)
    enable(runner, "fife")
    auth.login("board-admin")
    add_note(auth)
    auth.logout()
    auth.login("board-admin-fife")
    add_note(auth, board="fife", text="Fife triage route.")

    def rows_for(email):
        with app.extensions["pathway_review.db"].sessions() as session:
            user = session.scalar(select(User).where(User.email == email))
        with app.test_request_context("/"):
            g.user = user
            g.hooks = host().view(enabled_for_board(user.board_id) if user.board_id else None)
            found = {d.name: d for result in hooks().datasets() for d in result or []}
            if "local_notes" not in found:
                return None
            return [row["note"] for row in found["local_notes"].rows({})]

    assert rows_for("admin@lothian.example") == ["Refer through SCI Gateway to **Lothian colorectal triage**."]
    assert rows_for("admin@fife.example") == ["Fife triage route."]
    assert len(rows_for("staff@cfsd.example")) == 2
    runner.invoke(args=["plugins", "disable", "local_notes", "--board", "fife"])
    assert rows_for("admin@fife.example") is None
    assert len(rows_for("staff@cfsd.example")) == 1


def test_a_gp_appointed_while_signed_in_can_add_notes_straight_away(app, runner):
    from tests.conftest import AuthActions

    enable(runner)
    gp_client, admin_client = app.test_client(), app.test_client()
    gp, admin = AuthActions(gp_client), AuthActions(admin_client)
    gp.login("gp")
    admin.login("board-admin")
    assert "Add a local note" not in gp_client.get(PAGE).get_data(as_text=True)
    admin.post("/admin/boards/lothian/plugins", {"plugin": "local_notes", "action": "enable", "settings": "1",
                                                 "setting-editors": "gp@lothian.example"})
    assert "Add a local note" in gp_client.get(PAGE).get_data(as_text=True)
