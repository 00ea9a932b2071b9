"""The Practice contacts page: one board's contacts, for that board's users (and national staff)."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, url_for

from pathway_review.access import signed_in
from pathway_review.boards import enabled_plugins, get_board
from pathway_review.db import get_session

from . import NAME, contacts

bp = Blueprint(NAME, __name__, url_prefix="/practice-contacts", template_folder="templates")


@bp.get("/")
@signed_in
def contacts_page():
    if g.user.board is None:
        return render_template("practice_contacts/national.html", boards=_boards_with_plugin())
    return _board_page(g.user.board)


@bp.get("/boards/<slug:board>/")
@signed_in
def board_contacts(board):
    found = get_board(get_session(), board)
    # Another board's contacts are not this user's business; a board that has not switched the plugin
    # on has none to show.
    if found is None or (g.user.board is not None and g.user.board.id != found.id):
        abort(404)
    if NAME not in enabled_plugins(get_session(), found):
        abort(404)
    return _board_page(found)


def _board_page(board):
    return render_template("practice_contacts/contacts.html", board=board, contacts=contacts(board),
                           back=url_for("pathways.catalogue"))


def _boards_with_plugin():
    from sqlalchemy import select

    from pathway_review.models import Board, PluginEnablement

    return get_session().scalars(select(Board).join(PluginEnablement, PluginEnablement.board_id == Board.id)
                                 .where(PluginEnablement.plugin == NAME, PluginEnablement.enabled.is_(True))
                                 .order_by(Board.name)).all()
