"""The hook API: everything a plugin can add to Pathway Review.

Implement a hook with ``@hookimpl`` from :mod:`pathway_review` and a function of the same name; take
only the arguments you need. See ``docs/plugins.md`` for a tutorial and an example of every hook.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Hashable, Iterable

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from typing import Callable

    from flask import Flask, Request
    from sqlalchemy.orm import Session
    import click
    from .contracts import (Action, BoardSetting, ConsultationFindings, Dataset, ExportFormat, NavLink,
                            PeriodicTask, SearchDocument, Setting)
    from .document import PathwayVersion, Section
    from .models import User

hookspec = pluggy.HookspecMarker("pathway_review")

# Hooks the host calls one implementation at a time (``PluginHost.call``): an implementation that
# raises is logged, left out and recorded as the plugin's failure, and the others still run. Page,
# event and data hooks are isolated so one plugin cannot take a page down or silence an event; start-up
# hooks are isolated so the app starts without the plugin that broke. Wrapper implementations of an
# isolated hook are refused at registration (they could not be run one at a time). A hook left
# unmarked is called through pluggy's own caller: a raising implementation aborts the call.
ISOLATED: set[str] = set()

# Answers an isolated hook may give besides None. Anything else is recorded as the plugin's failure and
# counts as no answer: a permission hook returning "yes" or a generator must never grant.
RESULT_TYPES: dict[str, type] = {"permission": bool, "readiness_checks": dict}


def isolated(spec):
    """Mark a hookspec as called one implementation at a time (see :data:`ISOLATED`)."""
    ISOLATED.add(spec.__name__)
    return spec


# -------------------------------------------------------------------------------------------------
# App start-up: called once per app, through every registered plugin whatever the board.
# -------------------------------------------------------------------------------------------------

@isolated
@hookspec
def config_settings() -> "list[Setting] | None":
    """Declare the configuration settings your plugin reads from ``app.config``.

    Called once in ``create_app``, after the plugins are registered and before any other hook. Each
    value is then loaded like the core's (default, ``instance/config.py``, ``PATHWAY_REVIEW_<NAME>``) and
    checked against its declared type, so your code reads ``app.config["NAME"]`` already typed. An
    ill-typed value, or a ``PATHWAY_REVIEW_*`` variable nobody declared, stops start-up with a message
    naming it. ``pathway-review config`` shows every setting, secrets masked.

    :return: a list of :class:`pathway_review.contracts.Setting`, or None.
    """


@isolated
@hookspec
def register_blueprints(app: "Flask") -> "list[Any] | None":
    """Return Flask blueprints to register on the app.

    Called once in ``create_app`` after the core's own blueprints. A blueprint brings its own
    ``template_folder`` and ``static_folder``. Its URLs answer 404 for users of a board that has not
    enabled the plugin (checked centrally, before your view runs).

    :param app: the application being built.
    :return: a list of :class:`flask.Blueprint`, or None.
    """


@isolated
@hookspec
def register_commands(cli: "click.Group") -> None:
    """Add commands to the ``pathway-review`` command line.

    Called once when the CLI is built. Use ``@cli.command()`` or ``cli.add_command()``.

    :param cli: the ``pathway-review`` Flask CLI group.
    """


@isolated
@hookspec
def template_folders() -> "list[str] | None":
    """Return extra template folders searched after the core's.

    Called once in ``create_app``. Useful for templates shared by several of your blueprints.

    :return: a list of absolute folder paths, or None.
    """


@isolated
@hookspec
def migrations() -> "str | None":
    """Return the folder holding your plugin's Alembic revision files.

    Called by ``pathway-review init``. Your first revision sets ``branch_labels = ("<plugin>",)``,
    ``down_revision = None`` and ``depends_on = "core_0001"``, so your tables are created after the
    core's; later revisions chain from it as usual.

    :return: an absolute folder path, or None if the plugin keeps no tables.
    """


@isolated
@hookspec
def board_settings() -> "list[BoardSetting] | None":
    """Declare settings each board can set for your plugin.

    Called when a board's plugin page is drawn and when settings are saved. Read a value with
    ``pathway_review.plugins.board_setting(plugin_name, board, key)``.

    :return: a list of :class:`pathway_review.contracts.BoardSetting`, or None.
    """


@isolated
@hookspec
def openapi_paths() -> "dict[str, Any] | None":
    """Add path items to the OpenAPI 3.1 document served at ``/api/v1/openapi.json``.

    Called each time the document is built. Keys are paths such as ``"/api/v1/search"``.

    :return: a mapping of path to OpenAPI path item, or None.
    """


@isolated
@hookspec
def export_formats() -> "list[ExportFormat] | None":
    """Offer file formats for exporting datasets.

    Called when an export is requested. The export plugin offers CSV, XLSX, JSON and NDJSON.

    :return: a list of :class:`pathway_review.contracts.ExportFormat`, or None.
    """


@isolated
@hookspec
def periodic_tasks() -> "list[PeriodicTask] | None":
    """Called once when the job-queue worker starts, through every registered plugin.

    Declare work to run on a schedule in the worker (never in a web process): daily digests, review
    reminders, sending queued mail. A task that raises is logged and retried at its next time; the others
    still run.

    :return: a list of :class:`pathway_review.contracts.PeriodicTask`, or None.
    """


@isolated
@hookspec
def app_started(app: "Flask") -> None:
    """Called once when the app starts serving or working: in each gunicorn worker, by
    ``pathway-review run``, and by the job-queue worker; never by other commands (``check``, ``config``,
    ``--help``), so those stay instant and harmless.

    Use it for warm-up work that needs the whole app and an initialised database, such as building a
    search index that is missing. An exception here is logged and the plugin marked failed; the app
    still serves.

    :param app: the application.
    """


@isolated
@hookspec
def readiness_checks(app: "Flask") -> "dict[str, Callable[[], dict | str | None]] | None":
    """Name the services your plugin needs to serve pages, for ``/readyz``, which load balancers ask
    every few seconds before sending people to a host. The core already checks the database and the
    job queue.

    Called on every ``/readyz`` request, outside sign-in. Each check is called with no arguments and
    must be quick and bounded (a connect timeout): return None or a dict of details (shown in the JSON
    body) when ready; return a short problem text, or raise, when not, and ``/readyz`` answers 503
    naming the check. An exception's message is logged, not shown.

    :param app: the application.
    :return: a dict of check name (``"search"``) to check, or None.
    """


# -------------------------------------------------------------------------------------------------
# Identity: who is making the request.
# -------------------------------------------------------------------------------------------------

@isolated
@hookspec(firstresult=True)
def authenticate_request(request: "Request") -> "User | None":
    """Identify the user of a request by some other means than the core's session or API token.

    Called on every request before the core looks at its own session cookie and bearer token, so a
    single sign-on plugin (e.g. Microsoft Entra ID headers set by a trusted proxy) can sign users in.
    Stops at first non-None result.

    :param request: the Flask request.
    :return: a :class:`pathway_review.models.User`, or None to let others (and the core) decide.
    """


@isolated
@hookspec
def login_methods() -> "list[Action] | None":
    """Offer other ways to sign in, shown as buttons on the sign-in page.

    :return: a list of :class:`pathway_review.contracts.Action` (``href``, ``label``), or None.
    """


@isolated
@hookspec(firstresult=True)
def permission(user: "User | None", action: str, resource: Any) -> "bool | None":
    """Decide whether ``user`` may do ``action`` on ``resource``.

    Called by ``pathway_review.access.can()``. The core's own rules run last, so a plugin can grant or
    refuse before them. An implementation that raises, or answers anything but True, False or None, is
    recorded as failed and counts as no answer: it neither grants nor refuses. Wrapper implementations
    are refused at registration. Stops at first non-None result.

    :param user: the signed-in user, or None.
    :param action: a string such as ``"pathway:read"``, ``"plugins:manage"`` or one of your own.
    :param resource: what the action is on (a board, a pathway version, a record), or None.
    :return: True to allow, False to refuse, None to leave the decision to others.
    """


@isolated
@hookspec(firstresult=True)
def send_account_link(user: "User", kind: str, url: str) -> "bool | None":
    """Get an invitation or password-reset link to the person it is for, by mail or otherwise.

    Called after the link is committed, when an admin invites someone (the admin page or ``pathway-review
    users invite``) and when someone asks for a password reset for an existing account. This is the
    account's own security mail: it goes whatever the person chose about other mail. Without an answer
    the core logs the link and shows an invitation to the admin who made it, so they can pass it on; a
    reset link is never shown. Stops at first non-None result.

    :param user: the account the link is for (its ``email`` and ``name``).
    :param kind: ``"invite"`` or ``"reset"``.
    :param url: the absolute, single-use link (7 days for an invitation, 1 hour for a reset).
    :return: True once the link is on its way (e.g. a mail queued), or None to leave it to others.
    """


# -------------------------------------------------------------------------------------------------
# Per request: called through the view of the signed-in user's board, one plugin at a time, so a
# plugin that raises is logged and left out while the page still renders.
# -------------------------------------------------------------------------------------------------

@isolated
@hookspec
def nav_links(user: "User") -> "list[NavLink] | None":
    """Add links to the site navigation.

    :param user: the signed-in user.
    :return: a list of :class:`pathway_review.contracts.NavLink`, or None.
    """


@isolated
@hookspec(firstresult=True)
def header_search_url() -> "str | None":
    """Return the URL the search box in the page header submits to (GET, parameter ``q``).

    No search box is shown when no plugin answers. Stops at first non-None result.
    """


@isolated
@hookspec
def page_variant(user: "User") -> "Hashable | None":
    """Say what, besides their role and board, makes the pathway page you add to differ for this user.

    A pathway page is rendered once and shared by everyone with the same role, board and plugin set;
    the page hooks below are called with the first such user. Return a value that is the same for every
    user who sees the same output from your hooks (for example ``"editor"`` for the people a board
    appointed), or None when your hooks depend on nothing else. Parts that differ for each person go in
    ``per_request`` slots instead. Called on every page view: keep it cheap.

    :param user: the signed-in user.
    :return: a hashable value, or None.
    """


@isolated
@hookspec
def pathway_actions(version: "PathwayVersion", user: "User") -> "list[Action] | None":
    """Add actions beside a pathway version (e.g. "Give feedback on the whole pathway").

    :param version: the pathway version being shown.
    :param user: the signed-in user.
    :return: a list of :class:`pathway_review.contracts.Action`, or None.
    """


@isolated
@hookspec
def pathway_panels(version: "PathwayVersion", user: "User") -> "str | None":
    """Add a panel of HTML above a pathway version's sections.

    Return markup you have escaped (render a template, or use ``markupsafe``).

    :param version: the pathway version being shown.
    :param user: the signed-in user.
    :return: an HTML string, or None.
    """


@isolated
@hookspec
def section_actions(version: "PathwayVersion", section: "Section", user: "User") -> "list[Action] | None":
    """Add actions beside one section of a pathway version.

    Called once per section per page view: keep it cheap (no queries per section; prefetch in
    ``pathway_panels`` or cache per request on ``flask.g``).

    :param version: the pathway version being shown.
    :param section: the section (``id``, ``title``, ``level``...).
    :param user: the signed-in user.
    :return: a list of :class:`pathway_review.contracts.Action`, or None.
    """


@isolated
@hookspec
def section_panels(version: "PathwayVersion", section: "Section", user: "User") -> "str | None":
    """Add a panel of HTML after one section's text (e.g. a board's local note).

    Same cost rule as :func:`section_actions`.

    :param version: the pathway version being shown.
    :param section: the section the panel follows.
    :param user: the signed-in user.
    :return: an HTML string, or None.
    """


# -------------------------------------------------------------------------------------------------
# Data contributed by plugins to others.
# -------------------------------------------------------------------------------------------------

@isolated
@hookspec
def datasets() -> "list[Dataset] | None":
    """Contribute datasets that can be exported.

    Called through the requesting user's board view, so a board plugin's dataset exists only where
    it is enabled. The export plugin owns the formats; you own the rows.

    :return: a list of :class:`pathway_review.contracts.Dataset`, or None.
    """


@isolated
@hookspec
def dataset_links(dataset: str, filters: "dict[str, Any]", user: "User") -> "list[Action] | None":
    """Offer links beside a page that shows a dataset, such as "Download as Excel" with the same filters.

    Called through the requesting user's board view by the plugin that draws the page (e.g. the CfSD
    feedback dashboard), so the plugin that owns formats can offer them without either importing the other.

    :param dataset: the dataset's name, as in :func:`datasets`.
    :param filters: the filters the page is showing, as query-string values.
    :param user: the signed-in user.
    :return: a list of :class:`pathway_review.contracts.Action`, or None.
    """


@isolated
@hookspec
def consultation_draft_holders(slug: str, version: str) -> "list[int] | None":
    """Name the people who hold an unsent draft on a consultation version.

    Called by scheduled work (e.g. the "consultation closes in 7 days" reminder) with an app context.

    :param slug: the pathway's slug.
    :param version: the version out for consultation.
    :return: a list of user ids, or None.
    """


@isolated
@hookspec(firstresult=True)
def consultation_findings(version: "PathwayVersion", detail: bool) -> "ConsultationFindings | None":
    """Give what the consultation on ``version`` found, for its report (counts, answers, every response).

    Called with an app context by the report plugin, on a request or in the job queue's worker. The plugin
    that owns feedback answers; anonymous responses must already be anonymised and identifiers removed.
    Stops at first non-None result.

    :param version: the :class:`pathway_review.document.PathwayVersion` consulted on.
    :param detail: False to ask for the four reach counts only (cheap: deciding whether to build on the
        request or in the job queue); True for everything.
    :return: a :class:`pathway_review.contracts.ConsultationFindings`, or None.
    """


@isolated
@hookspec
def search_documents() -> "Iterable[SearchDocument] | None":
    """Yield every searchable record you own, for a full rebuild of the search index.

    Called with an app context when the index is built or rebuilt. Yield lazily: the rebuild streams.

    :return: an iterable of :class:`pathway_review.contracts.SearchDocument`, or None.
    """


@isolated
@hookspec
def national_picture_counts(app: "Flask") -> "list[dict[str, Any]] | None":
    """Count your boards' shared records by board, national pathway and measure, for CfSD's national picture.

    Called with a request or app context when the national picture is drawn. Count only what a board
    shares nationally under your own rules (a board plugin: boards that have it on; feedback: submitted,
    not withdrawn). Leave out rows whose count is 0.

    :param app: the application.
    :return: a list of rows ``{"board": board slug, "pathway": pathway slug, "measure": a key unique
        across plugins (prefix it with your plugin's name), "label": what the measure counts, in words,
        "count": int}``, or None.
    """


@isolated
@hookspec
def national_picture_records(app: "Flask", board: str, pathway: str, measure: str) -> "list[dict[str, Any]] | None":
    """List the records behind one cell of the national picture: the ones your count for it counted.

    Called when CfSD opens a cell. Answer None for a measure that is not yours.

    :param app: the application.
    :param board: the board's slug.
    :param pathway: the national pathway's slug.
    :param measure: a measure key, as in :func:`national_picture_counts`.
    :return: a list of ``{"title": str, "href": the record's own page, "detail": str}``, or None.
    """


@isolated
@hookspec
def shareable_interface_issues(app: "Flask", board: str) -> "list[dict[str, Any]] | None":
    """Offer one board's interface issues, so their lessons can be shared with other boards.

    Called when a board's interface liaison publishes a case study. Answer with the board's issues in
    every status (the caller says why an unresolved one cannot be shared), or None where the board keeps
    no issue log.

    :param app: the application.
    :param board: the board's slug.
    :return: a list of ``{"id": int, "board": slug, "status": str, "status_label": str,
        "lasting_change": bool | None, "service": str, "category": str, "pathway": slug or None,
        "problem": str, "resolution": str, "change": str, "url": str}``, or None.
    """


# -------------------------------------------------------------------------------------------------
# Events: called through every plugin, whatever the board, after the change is committed.
#
# Except ``pathway_library_changed``, events travel through the outbox: the change and its event are
# written in one transaction (``pathway_review.outbox.record(session, name, **payload)``), and the job
# queue's worker calls the hook after the commit, at least once, in order for each record. Take
# ``event_id`` (the outbox row's id) if acting twice on one event would matter.
# -------------------------------------------------------------------------------------------------

@isolated
@hookspec
def pathway_library_changed(app: "Flask", slugs: "set[str]") -> None:
    """Called when pathway documents were added, changed or removed on disk and reloaded.

    :param app: the application.
    :param slugs: the pathways whose files changed.
    """


@isolated
@hookspec
def search_documents_changed(app: "Flask", documents: "list[SearchDocument]", removed: "list[str]",
                             event_id: int) -> None:
    """Tell the search index that records were added or changed (``documents``) or deleted (``removed``, ids).

    Record it in the transaction that changes a searchable record, before the commit:
    ``outbox.record(session, "search_documents_changed", about="myplugin:12", documents=[...], removed=[...])``.
    The worker calls this hook afterwards, and the search index applies a whole batch in one commit.

    :param app: the application.
    :param documents: the new or changed records, as :class:`pathway_review.contracts.SearchDocument`.
    :param removed: ids of records that no longer exist.
    :param event_id: the outbox event's id, the same each time this event is delivered.
    """


@isolated
@hookspec
def feedback_submitted(app: "Flask", feedback: "dict[str, Any]", event_id: int) -> None:
    """Called after a piece of feedback is submitted (not when saved as a draft).

    :param app: the application.
    :param feedback: the record as the feedback API returns it (``id``, ``pathway``, ``version``,
        ``section``, ``type``, ``status``, ``board``...).
    :param event_id: the outbox event's id, the same each time this event is delivered.
    """


@isolated
@hookspec
def feedback_status_changed(app: "Flask", feedback: "dict[str, Any]", old_status: str, new_status: str,
                            event_id: int) -> None:
    """Called after CfSD triage changes the status of a piece of feedback.

    :param app: the application.
    :param feedback: the record as the feedback API returns it, with its new status.
    :param old_status: the status before the change.
    :param new_status: the status after it.
    :param event_id: the outbox event's id, the same each time this event is delivered.
    """


@isolated
@hookspec
def feedback_answered(app: "Flask", feedback: "dict[str, Any]", event_id: int) -> None:
    """Called after CfSD writes or changes its answer to a piece of feedback (a non-empty response).

    :param app: the application.
    :param feedback: the record as the feedback API returns it, with the new ``response`` and ``status``.
    :param event_id: the outbox event's id, the same each time this event is delivered.
    """


@isolated
@hookspec
def plugin_enablement_changed(app: "Flask", plugin: str, board: str, enabled: bool, event_id: int) -> None:
    """Called after a board enables or disables an optional plugin.

    :param app: the application.
    :param plugin: the plugin's name.
    :param board: the board's slug.
    :param enabled: the new state.
    :param event_id: the outbox event's id, the same each time this event is delivered.
    """


@isolated
@hookspec
def events_recorded(app: "Flask", session: "Session", events: "list[dict[str, Any]]") -> None:
    """Called inside the transaction that recorded outbox events, just before it commits.

    For listeners that must change with the record in the same commit (the search index on PostgreSQL,
    so every host finds a change as soon as it is committed). Each implementation runs in its own
    savepoint: one that raises has its own writes undone, is recorded as failed, and the transaction
    still commits. Keep it short and write only through ``session``; the worker still delivers the
    events afterwards as usual. Not called for events set back for a retry.

    :param app: the application.
    :param session: the SQLAlchemy session of the transaction.
    :param events: one dict per event, in order: ``id`` (the outbox row's id), ``name``, ``about`` and
        ``payload`` (the keyword arguments listeners will get, decoded: documents are
        :class:`pathway_review.contracts.SearchDocument`).
    """


@hookspec
def events_delivered(app: "Flask", event_ids: "list[int]") -> None:
    """Called in the worker after a batch of outbox events went to their listeners, before the batch
    counts as delivered.

    A listener that gathers work per event (the search index) does it here in one go. Raise to have the
    whole batch delivered again later (with backoff): every listener then hears those events again.

    :param app: the application.
    :param event_ids: the ids of the events in the batch, in order.
    """


@isolated
@hookspec
def switched_for_board(app: "Flask", board: str, enabled: bool) -> None:
    """Called after a board switches *this* plugin on or off; other plugins do not hear it.

    Use it to bring a board's records back into search when the plugin is switched on, and to withdraw
    them when it is switched off (:meth:`pathway_review.board_plugins.BoardPlugin.board_switched` does
    both). ``plugin_enablement_changed`` is the same news broadcast to every plugin.

    :param app: the application.
    :param board: the board's slug.
    :param enabled: the new state.
    """
