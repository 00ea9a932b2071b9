"""Interface issue log: a board's everyday problems between general practice and hospital services."""
from __future__ import annotations

from pathlib import Path

from flask import url_for

from pathway_review.plugin_api import Action, BoardSetting, NavLink, hookimpl

from . import hookspecs as plugin_hookspecs, rules  # noqa: F401  (the log's own event, added by the host)

title = "Interface issue log"
description = ("Your users log problems between general practice and hospital services; your interface "
               "liaison triages them, and a dashboard shows what is open, what was fixed and how fast.")
optional = True

HERE = Path(__file__).parent


@hookimpl
def register_blueprints(app):
    from .api import bp as api_bp
    from .views import bp

    return [bp, api_bp]


@hookimpl
def migrations():
    return str(HERE / "migrations")


@hookimpl
def register_commands(cli):
    from .demo import register

    register(cli)


@hookimpl
def board_settings():
    return [BoardSetting(
        key="liaison", label="Interface liaison: who else may triage issues", kind="emails", default=[],
        hint="E-mail addresses of your board's users who triage interface issues, besides board admins "
             "(for example your interface liaison and Interface Group leads). One per line.")]


@hookimpl
def permission(user, action, resource):
    return rules.permission(user, action, resource)


@hookimpl
def nav_links(user):
    if user.board_id is not None:
        return [NavLink(url_for("interface_log.dashboard", board=user.board.slug), "Interface issues", order=65)]
    if user.role in rules.NATIONAL_READERS:
        return [NavLink(url_for("interface_log.index"), "Interface issues", order=65)]
    return None


@hookimpl
def pathway_actions(version, user):
    if user.board_id is None:
        return None
    href = url_for("interface_log.new_issue", board=user.board.slug, pathway=version.slug)
    return [Action(href, "Log an interface issue about this pathway", order=80)]


@hookimpl
def openapi_paths():
    from .openapi import paths

    return paths()


@hookimpl
def datasets():
    from .data import interface_issues_dataset

    return [interface_issues_dataset()]


@hookimpl
def search_documents():
    from .data import kit

    yield from kit.search_documents()


@hookimpl
def switched_for_board(app, board, enabled):
    from .data import kit

    kit.board_switched(app, board, enabled)


@hookimpl
def national_picture_counts(app):
    from .sharing import picture_counts

    return picture_counts()


@hookimpl
def national_picture_records(app, board, pathway, measure):
    from .sharing import picture_records

    return picture_records(board, pathway, measure)


@hookimpl
def shareable_interface_issues(app, board):
    from .sharing import shareable

    return shareable(board)
