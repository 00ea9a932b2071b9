"""Practice contacts: who a board's practices contact about how national pathways work locally."""
from __future__ import annotations

from flask import g, render_template, url_for

from pathway_review.plugin_api import BoardPlugin, BoardSetting, NavLink, board_setting, hookimpl

__version__ = "0.1.0"
title = "Practice contacts"
description = ("Your board's interface liaison and interface inbox, beside every national pathway and on a "
               "Practice contacts page.")
optional = True

NAME = "practice_contacts"
CONTACT_KEYS = ("liaison_name", "liaison_email", "liaison_phone", "inbox_hours")
kit = BoardPlugin(NAME)  # which boards have the plugin on


@hookimpl
def board_settings():
    return [
        BoardSetting("liaison_name", "Interface liaison's name", hint="For example: Dr Ailsa Reid, GP interface lead"),
        BoardSetting("liaison_email", "Interface inbox email address", hint="Practices write here about pathways"),
        BoardSetting("liaison_phone", "Phone number for practices"),
        BoardSetting("inbox_hours", "When the inbox is answered", hint="For example: weekdays, 9am to 5pm"),
        BoardSetting("show_on_pathways", "Show the contacts beside every national pathway", kind="bool",
                     default=True),
    ]


def contacts(board) -> dict:
    """The board's contacts, read once per request however many hooks ask."""
    cache = g.setdefault("practice_contacts", {})
    if board.id not in cache:
        found = {key: (board_setting(NAME, board, key) or "").strip() for key in CONTACT_KEYS}
        found["show_on_pathways"] = board_setting(NAME, board, "show_on_pathways")
        found["any"] = any(found[key] for key in CONTACT_KEYS)
        cache[board.id] = found
    return cache[board.id]


@hookimpl
def register_blueprints(app):
    from .views import bp

    return [bp]


@hookimpl
def nav_links(user):
    if user.board is None:
        return None  # contacts belong to a board; national staff reach them from each board's page
    return [NavLink(url_for("practice_contacts.contacts_page"), "Practice contacts", order=70)]


@hookimpl
def pathway_panels(version, user):
    if user.board is None:
        return None
    found = contacts(user.board)
    if not found["any"] or not found["show_on_pathways"]:
        return None
    return render_template("practice_contacts/panel.html", board=user.board, contacts=found, version=version)
