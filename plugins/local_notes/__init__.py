"""Local notes: a board's own notes beside sections of national pathways, and its local variation register."""
from __future__ import annotations

from pathlib import Path

from flask import url_for

from pathway_review.plugin_api import Action, BoardSetting, NavLink, hookimpl

from . import rules

title = "Local notes on national pathways"
description = ("Your board's local referral routes, service contacts, test availability and local variations, "
               "shown to your users beside the national text and flagged for review when that text changes.")
optional = True

HERE = Path(__file__).parent


@hookimpl
def register_blueprints(app):
    from .views import bp

    return [bp]


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
        key="editors", label="Who else may write local notes", kind="emails", default=[],
        hint="E-mail addresses of your board's users who may add, edit and review local notes, besides "
             "board admins. One per line.")]


@hookimpl
def permission(user, action, resource):
    return rules.permission(user, action, resource)


@hookimpl
def nav_links(user):
    if user.board_id is not None:
        return [NavLink(url_for("local_notes.register", board=user.board.slug), "Local notes", order=60)]
    if user.role in rules.NATIONAL_READERS:
        return [NavLink(url_for("local_notes.index"), "Local notes", order=60)]
    return None


@hookimpl
def pathway_panels(version, user):
    from .panels import national_panel

    return national_panel(version, user)


@hookimpl
def page_variant(user):
    # Editors see "Add a local note" and the flags on notes the national text has moved past.
    return "local-notes-editor" if user.board_id is not None and rules.is_editor(user, user.board) else None


@hookimpl
def section_actions(version, section, user):
    if user.board_id is None or not rules.is_editor(user, user.board):
        return None
    href = url_for("local_notes.new_note", board=user.board.slug, pathway=version.slug, version=version.version,
                   section=section.id)
    return [Action(href, "Add a local note", order=70)]


@hookimpl
def section_panels(version, section, user):
    from .panels import section_panel

    return section_panel(version, section, user)


@hookimpl
def datasets():
    from .dataset import local_notes_dataset

    return [local_notes_dataset()]


@hookimpl
def search_documents():
    from .search import kit

    yield from kit.search_documents()


@hookimpl
def switched_for_board(app, board, enabled):
    from .search import kit

    kit.board_switched(app, board, enabled)


@hookimpl
def national_picture_counts(app):
    from .picture import picture_counts

    return picture_counts()


@hookimpl
def national_picture_records(app, board, pathway, measure):
    from .picture import picture_records

    return picture_records(board, pathway, measure)
