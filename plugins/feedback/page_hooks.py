"""What the feedback plugin adds to other pages: navigation, actions and panels on a pathway version.

A pathway page calls the section hooks once per section, so everything they need is fetched once per
page (at most two queries) and kept on ``flask.g``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, render_template, url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import Action, NavLink, get_session, hookimpl, per_request

from .models import SUBMITTED, Feedback
from .service import library, window_state

CFSD_ROLES = ("cfsd", "admin")


@dataclass
class PageData:
    state: str
    own: dict = field(default_factory=dict)            # a GP's own feedback on this version, by status
    responses: int = 0                                 # CfSD: responses to this version
    carried: dict = field(default_factory=dict)        # CfSD: section id -> [same, changed] from earlier versions
    carried_gone: int = 0                              # CfSD: earlier feedback on sections this version lacks


def page_data(version, user) -> PageData:
    cache = g.setdefault("feedback_page_data", {})
    key = (version.slug, version.version, user.id)
    if key in cache:
        return cache[key]
    data = PageData(state=window_state(version))
    session = get_session()
    if user.role == "gp":
        data.own = dict(session.execute(
            select(Feedback.status, func.count()).where(
                Feedback.user_id == user.id, Feedback.pathway_slug == version.slug,
                Feedback.version == version.version).group_by(Feedback.status)).all())
    elif user.role in CFSD_ROLES:
        data.responses = session.scalar(select(func.count()).where(
            Feedback.pathway_slug == version.slug, Feedback.version == version.version,
            Feedback.status.in_(SUBMITTED))) or 0
        pathway = library().get(version.slug)
        earlier = [v.version for v in pathway.versions if v.version_key < version.version_key] if pathway else []
        if earlier:
            rows = session.execute(
                select(Feedback.section_id, Feedback.section_fingerprint, func.count()).where(
                    Feedback.pathway_slug == version.slug, Feedback.version.in_(earlier),
                    Feedback.status.in_(SUBMITTED), Feedback.section_id.is_not(None))
                .group_by(Feedback.section_id, Feedback.section_fingerprint)).all()
            for section_id, fingerprint, count in rows:
                section = version.section(section_id)
                if section is None:
                    data.carried_gone += count
                else:
                    pair = data.carried.setdefault(section_id, [0, 0])
                    pair[section.fingerprint != fingerprint] += count
    cache[key] = data
    return data


@hookimpl
def nav_links(user):
    if user.role == "gp":
        return [NavLink(url_for("feedback.mine"), "My feedback", order=30)]
    if user.role in CFSD_ROLES:
        return [NavLink(url_for("consultations.index"), "Consultations", order=30)]
    return None


@hookimpl
def pathway_actions(version, user):
    if user.role != "gp":
        return None
    state = window_state(version)
    actions = []
    if state == "open":
        actions.append(Action(url_for("feedback.new", slug=version.slug, version=version.version),
                              "Give feedback on the whole pathway", order=10))
    if state in ("open", "closed"):
        # GPs look for the answers where they gave the feedback: on the pathway itself.
        actions.append(Action(url_for("consultations.you_said_we_did", slug=version.slug, version=version.version),
                              "You said, we did: CfSD's answers to feedback on this version", order=20))
    return actions or None


@hookimpl
def section_actions(version, section, user):
    if user.role != "gp" or window_state(version) != "open":
        return None
    return [Action(url_for("feedback.new", slug=version.slug, version=version.version, section=section.id),
                   "Give feedback on this section", order=10)]


@hookimpl
def pathway_panels(version, user):
    if user.role not in ("gp", *CFSD_ROLES):
        return None
    if user.role == "gp":
        return per_request(_own_feedback_panel, version)  # every GP sees their own counts in a shared page
    data = page_data(version, user)
    carried = sum(sum(pair) for pair in data.carried.values()) + data.carried_gone
    if version.status != "consultation" and not data.responses and not carried:
        return None
    return render_template("feedback/_panel_cfsd.html", version=version, data=data, carried=carried)


def _own_feedback_panel(version):
    own = page_data(version, g.user).own
    given = sum(n for status, n in own.items() if status in SUBMITTED)
    drafts = own.get("draft", 0)
    if not (given or drafts):
        return None
    return render_template("feedback/_panel_gp.html", version=version, given=given, drafts=drafts)


@hookimpl
def section_panels(version, section, user):
    if user.role not in CFSD_ROLES:
        return None
    same, changed = page_data(version, user).carried.get(section.id, (0, 0))
    if not (same or changed):
        return None
    return render_template("feedback/_section_panel.html", version=version, section=section,
                           same=same, changed=changed)
