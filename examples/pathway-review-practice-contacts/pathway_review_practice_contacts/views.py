"""The Practice contacts page: one board's contacts, for that board's users (and national staff)."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, url_for

from pathway_review.plugin_api import get_board, get_session, signed_in

from . import NAME, contacts, kit

bp = Blueprint(NAME, __name__, url_prefix="/practice-contacts", template_folder="templates")


@bp.get("/")
@signed_in
def contacts_page():
    if g.user.board is None:
        return render_template("practice_contacts/national.html", boards=kit.boards())
    return _board_page(g.user.board)


@bp.get("/boards/<slug:board>/")
@signed_in
def board_contacts(board):
    found = get_board(get_session(), board)
    # Another board's contacts are not this user's business; a board that has not switched the plugin
    # on has none to show.
    if found is None or (g.user.board is not None and g.user.board.id != found.id):
        abort(404)
    if not kit.is_on(found):
        abort(404)
    return _board_page(found)


def _board_page(board):
    return render_template("practice_contacts/contacts.html", board=board, contacts=contacts(board),
                           back=url_for("pathways.catalogue"))

