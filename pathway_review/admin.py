"""Administration: the plugin register, each board's plugins and users, library health, the audit log."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from . import accounts, audit, boards, failures
from .access import can, roles_required
from .db import database, get_session
from .inputs import page_number
from .models import ROLE_LABELS, AuditEvent, Board, PluginEnablement, User
from .plugins import PluginInfo, board_setting, declared_settings, host

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required("admin", "board-admin")
def index():
    if g.user.role == "board-admin":
        return redirect(url_for("admin.board_plugins", board=g.user.board.slug))
    db = get_session()
    return render_template("admin/index.html", boards=db.scalars(select(Board).order_by(Board.name)).all())


@bp.route("/health")
@roles_required("admin", "cfsd")
def library_health():
    library = current_app.extensions["pathway_review.library"]
    return render_template("admin/health.html", problems=library.problems, pathways=library.pathways)


@bp.route("/plugins")
@roles_required("admin")
def plugins():
    plugin_host = host()
    db = get_session()
    enabled = {}
    for plugin, slug in db.execute(select(PluginEnablement.plugin, Board.slug).join(Board)
                                   .where(PluginEnablement.enabled.is_(True))):
        enabled.setdefault(plugin, []).append(slug)
    recorded = failures.recorded(plugin_host, database(), db)
    rows = []
    # A plugin that failed only in another worker or on another host is listed too.
    for name in sorted(set(plugin_host.info) | set(recorded)):
        info = plugin_host.info.get(name) or PluginInfo(name=name, title=name, source="not loaded here")
        module = plugin_host.pm.get_plugin(name)
        hooks = sorted(c.name for c in plugin_host.pm.get_hookcallers(module)) if module is not None else []
        rows.append((info, hooks, sorted(enabled.get(name, [])), recorded.get(name, [])))
    return render_template("admin/plugins.html", rows=rows)


def _board_or_404(slug: str) -> Board:
    db = get_session()
    board = boards.get_board(db, slug)
    if board is None or not can("plugins:manage", board):
        # Another board's admin page does not exist for this user. Recorded on the request's own session:
        # on a POST it already holds SQLite's write lock, which a second transaction would wait on forever.
        audit.record("permission.denied", target=request.path, actor=g.user)
        db.commit()
        abort(404)
    return board


@bp.route("/boards/<slug:board>/plugins", methods=["GET", "POST"])
@roles_required("admin", "board-admin")
def board_plugins(board):
    board_row = _board_or_404(board)
    plugin_host = host()
    db = get_session()
    if request.method == "POST":
        name = request.form.get("plugin", "")
        wanted = request.form.get("action") == "enable"
        try:
            changed = boards.set_plugin_enabled(db, name, board_row, wanted, actor=g.user)
        except boards.EnablementError as exc:
            flash(str(exc), "error")
            return redirect(url_for("admin.board_plugins", board=board)), 303
        saving = request.form.get("settings") == "1" and name in plugin_host.optional_names + ["core"]
        if saving:
            _save_settings(db, name, board_row)
        db.commit()
        if saving:
            flash(f"Settings for {plugin_host.info[name].title} saved for {board_row.name}.", "success")
        if changed:
            flash(f"{plugin_host.info[name].title} is now {'on' if wanted else 'off'} for {board_row.name}.",
                  "success")
        return redirect(url_for("admin.board_plugins", board=board)), 303
    enabled = boards.enabled_plugins(db, board_row)
    optional = []
    for name in plugin_host.optional_names:
        settings = declared_settings(name) if name in enabled else []
        values = {setting.key: board_setting(name, board_row, setting.key) for setting in settings}
        optional.append((plugin_host.info[name], name in enabled, settings, values))
    return render_template("admin/board_plugins.html", board=board_row, optional=optional)


@bp.route("/boards/<slug:board>/plugins/<name>/switch-off")
@roles_required("admin", "board-admin")
def confirm_switch_off(board, name):
    """Switching a plugin off hides its pages from a whole board, so it is asked for on a page of its own;
    the answer is posted to board_plugins."""
    board_row = _board_or_404(board)
    plugin_host = host()
    if name not in plugin_host.optional_names:
        abort(404)
    if name not in boards.enabled_plugins(get_session(), board_row):
        flash(f"{plugin_host.info[name].title} is already off for {board_row.name}.", "info")
        return redirect(url_for("admin.board_plugins", board=board)), 303
    return render_template("admin/switch_off.html", board=board_row, info=plugin_host.info[name])


def _save_settings(db, name, board_row):
    for setting in declared_settings(name):
        raw = request.form.get(f"setting-{setting.key}")
        value = (raw == "on") if setting.kind == "bool" else (raw or "").strip()[:2000]
        if setting.kind == "choice" and value not in setting.choices:
            continue
        boards.save_setting(db, name, board_row, setting.key, value, actor=g.user)


@bp.route("/boards/<slug:board>/users", methods=["GET", "POST"])
@roles_required("admin", "board-admin")
def board_users(board):
    board_row = _board_or_404(board)
    db = get_session()
    errors, form = [], {}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("email", "name", "role", "practice_code")}
        allowed_roles = ("gp", "board-admin")
        # Each problem is put in the words of the form's own labels, not the command line's.
        if "@" not in form["email"]:
            errors.append({"field": "email", "message": "Enter the email address in the right format, "
                                                        "like name@nhs.scot."})
        if not form["name"]:
            errors.append({"field": "name", "message": "Enter the person's full name."})
        if form["role"] not in allowed_roles:
            errors.append({"field": "role", "message": "Choose GP or board admin."})
        if not errors:
            try:
                user = accounts.create_user(db, form["email"], form["name"], form["role"], None,
                                            board_row.slug, form["practice_code"] or None)
            except accounts.AccountError as exc:
                message = str(exc)
                errors.append({"field": "email", "message": message[:1].upper() + message[1:] + "."})
            else:
                audit.record("user.created", target=user.email, board_id=board_row.id, role=user.role)
                from .admin_users import invite

                invite(db, user)
                return redirect(url_for("admin.board_users", board=board)), 303
    users = db.scalars(select(User).where(User.board_id == board_row.id).order_by(User.name)).all()
    return render_template("admin/board_users.html", board=board_row, users=users, errors=errors, form=form,
                           role_labels=ROLE_LABELS), (400 if errors else 200)


@bp.route("/audit")
@roles_required("admin")
def audit_log():
    db = get_session()
    per_page = 50
    total = db.scalar(select(func.count(AuditEvent.id)))
    page = page_number((total + per_page - 1) // per_page)
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())
                        .offset((page - 1) * per_page).limit(per_page)).all()
    rows = [(e, json.loads(e.detail or "{}")) for e in events]
    return render_template("admin/audit.html", rows=rows, page=page, has_next=page * per_page < total)


@bp.route("/background")
@roles_required("admin")
def background():
    from . import jobs, outbox
    from .models import PeriodicRun

    db = get_session()
    try:
        depth = jobs.job_queue(current_app._get_current_object()).depth()
    except Exception:  # the page is most needed when the queue is down
        current_app.logger.exception("the job queue could not be read")
        depth = None
    runs = {row.name: row for row in db.scalars(select(PeriodicRun))}
    tasks = [(name, task, runs.get(name))
             for name, task in sorted(jobs.periodic_tasks(current_app._get_current_object()).items())]
    return render_template("admin/background.html", depth=depth, counts=outbox.counts(db), tasks=tasks,
                           failed=outbox.failed_events(db))


@bp.route("/background/retry", methods=["POST"])
@roles_required("admin")
def retry_events():
    from . import outbox

    db = get_session()
    wanted = request.form.get("event", "all")
    if wanted != "all" and not wanted.isdigit():
        abort(400)
    count = outbox.retry(db, None if wanted == "all" else [int(wanted)])
    audit.record("outbox.retry", target=wanted, count=count)
    db.commit()
    flash(f"{count} event{'s' if count != 1 else ''} put back in the queue." if count
          else "There was no failed event to retry.", "success")
    return redirect(url_for("admin.background")), 303


from . import admin_users  # noqa: E402,F401  (one person's page and its actions, on this blueprint)
