"""An optional plugin with a page, a pathway panel and a navigation link, for per-board tests."""
from flask import Blueprint, abort, g
from markupsafe import Markup, escape

from pathway_review import hookimpl
from pathway_review.access import can, checks_permission, roles_required, signed_in
from pathway_review.contracts import NavLink

title = "Board banner"
description = "Shows a banner of local guidance beside national pathways."
optional = True

bp = Blueprint("board_banner", __name__, url_prefix="/board-banner")


@bp.get("/")
@signed_in
def page():
    board = g.user.board.name if g.user.board else "national staff"
    return f"<h1>Board banner</h1><p>Local guidance for {escape(board)}</p>"


@bp.get("/boards/<slug:board>/")
@roles_required("gp", "board-admin", "admin")
def board_page(board):
    # Board-scoped data: a board's own users only (national admins see every board).
    if g.user.board is not None and g.user.board.slug != board:
        abort(404)
    return f"<h1>Board banner for {escape(board)}</h1>"


@bp.get("/boards/<slug:board>/edit")
@roles_required("gp", "board-admin", "admin")
@checks_permission("board_banner:edit")
def edit(board):
    if g.user.board is not None and g.user.board.slug != board:
        abort(404)
    if not can("board_banner:edit", board):
        abort(403)
    return f"<h1>Edit the banner for {escape(board)}</h1>"


@bp.get("/notices/<int:notice_id>/")
@signed_in
def notice(notice_id):
    abort(404)  # the fixture keeps no notices


@hookimpl
def register_blueprints(app):
    return [bp]


@hookimpl
def pathway_panels(version, user):
    return Markup('<p class="board-banner">Board banner: local guidance on {}</p>').format(version.title)


@hookimpl
def nav_links(user):
    return [NavLink("/board-banner/", "Board banner", order=60)]


@hookimpl
def permission(user, action, resource):
    if action == "board_banner:edit":
        return user is not None and user.role == "board-admin"
    return None
