"""Pages for a board's local notes: the register, and adding, editing, reviewing and deleting a note."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import (Board, abort_with, audit, can, checks_permission, get_session, held_forms,
                                       inputs, render_markdown, signed_in, utcnow)

from . import search
from .forms import LABELS, REASON_LIMIT, TEXT_LIMIT, check_note, field_errors, read_note
from .models import KINDS, LocalNote
from .rules import (CHANGED, CURRENT, FLAGS, NATIONAL_READERS, board_or_404, compare_href, current_section, kit,
                    library, pathway_title, review_state, section_title)

bp = Blueprint("local_notes", __name__, url_prefix="/local-notes", template_folder="templates")


def _safe_next(value: str | None) -> str | None:
    return inputs.same_site_path(value)


def save(db) -> None:
    # Flushed before the commit so the change is seen as new data by every worker's page cache,
    # which watches flushes; a commit's own flush comes too late for it.
    db.flush()
    db.commit()


def note_or_404(board: Board, note_id: int) -> LocalNote:
    note = get_session().get(LocalNote, note_id)
    if note is None or note.board_id != board.id:
        abort(404)
    return note


def present(note: LocalNote) -> dict:
    """What a page needs to show one note."""
    state = review_state(note)
    current, _ = current_section(note)
    return {"note": note, "html": render_markdown(note.text), "state": state, "flag": FLAGS.get(state),
            "pathway_title": pathway_title(note), "section_title": section_title(note),
            "compare_href": compare_href(note, current) if state != CURRENT else None}


@bp.route("/")
@signed_in
def index():
    if g.user.board_id is not None:
        return redirect(url_for("local_notes.register", board=g.user.board.slug))
    if g.user.role not in NATIONAL_READERS:
        abort(404)
    db = get_session()
    counts = dict(db.execute(select(LocalNote.board_id, func.count(LocalNote.id)).group_by(LocalNote.board_id)).all())
    boards = kit.boards(db)
    return render_template("local_notes/index.html", boards=[(b, counts.get(b.id, 0)) for b in boards])


@bp.route("/boards/<slug:board>/")
@signed_in
def register(board):
    board_row = board_or_404(board)
    notes = get_session().scalars(select(LocalNote).where(LocalNote.board_id == board_row.id)
                                  .order_by(LocalNote.pathway, LocalNote.id)).all()
    items = [present(n) for n in notes]
    may_edit = can("local_notes:edit", board_row)
    # Review flags are for the people who act on them, and for national staff reading the register.
    show_flags = may_edit or g.user.board_id is None
    groups: dict[str, list[dict]] = {}
    for item in sorted(items, key=lambda i: (i["pathway_title"].casefold(), i["note"].id)):
        groups.setdefault(item["pathway_title"], []).append(item)
    return render_template("local_notes/register.html", board=board_row, groups=groups, total=len(items),
                           needs_review=[i for i in items if i["flag"]] if show_flags else [],
                           show_flags=show_flags, may_edit=may_edit)


@bp.route("/boards/<slug:board>/notes/new", methods=["GET", "POST"])
@signed_in
@checks_permission("local_notes:edit")
def new_note(board):
    board_row = board_or_404(board, "local_notes:edit")
    held = held_forms.restored() if request.method == "GET" else None  # typed before a sign-out, and kept
    posted = request.form if request.method == "POST" else held
    source = posted if posted is not None else request.args
    slug = (source.get("pathway") or "").strip()
    values = read_note(posted) if posted is not None else {"kind": "", "text": "", "reason": ""}
    values["section"] = (source.get("section") or "").strip()
    pathways = [(p.slug, p.title) for p in library().pathways.values()]
    if not slug:
        errors = [{"field": "pathway", "message": "Choose a pathway."}] if request.method == "POST" else []
        return _choose_pathway(board_row, pathways, slug, errors)
    pathway = library().get(slug)
    if pathway is None:
        return _choose_pathway(board_row, pathways, slug,
                               [{"field": "pathway", "message": "Choose a pathway from the list."}])
    version = pathway.version(source.get("version")) if source.get("version") else pathway.current
    if version is None:
        abort(404)
    errors = []
    if request.method == "POST":
        section = version.section(values["section"])
        if section is None:
            errors.append({"field": "section", "message": "Choose the section the note is about."})
        errors.extend(check_note(values))
        if not errors:
            note = LocalNote(board_id=board_row.id, pathway=pathway.slug, section_id=section.id,
                             version=version.version, fingerprint=section.fingerprint, kind=values["kind"],
                             text=values["text"], reason=values["reason"] or None, author_id=g.user.id)
            db = get_session()
            db.add(note)
            db.flush()  # the note's id, for the audit trail
            audit.record("local_note.created", target=f"local_note:{note.id}", board_id=board_row.id,
                         pathway=pathway.slug, section=section.id, kind=note.kind)
            search.changed(db, search.document_id(note.id), documents=[search.note_document(note)])
            save(db)
            flash(f"Local note added to “{section.title}”. {board_row.name} users now see it beside the section.",
                  "success")
            endpoint_args = {"slug": pathway.slug, "_anchor": section.id}
            if version is pathway.current:
                return redirect(url_for("pathways.current", **endpoint_args)), 303
            return redirect(url_for("pathways.version", version=version.version, **endpoint_args)), 303
    return render_template("local_notes/form.html", board=board_row, pathway=pathway, version=version,
                           is_current=version is pathway.current, values=values, errors=errors,
                           field_errors=field_errors(errors), kinds=KINDS, labels=LABELS,
                           limits={"text": TEXT_LIMIT, "reason": REASON_LIMIT},
                           sections=[(s.id, ("— " if s.level > 2 else "") + s.title) for s in version.sections],
                           note=None), (400 if errors else 200)


def _choose_pathway(board_row, pathways, slug, errors):
    return render_template("local_notes/choose_pathway.html", board=board_row, pathways=pathways, slug=slug,
                           errors=errors, field_errors=field_errors(errors)), (400 if errors else 200)


@bp.route("/boards/<slug:board>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@signed_in
@checks_permission("local_notes:edit")
def edit_note(board, note_id):
    board_row = board_or_404(board, "local_notes:edit")
    note = note_or_404(board_row, note_id)
    current, section = current_section(note)
    state = review_state(note)
    values = {"kind": note.kind, "text": note.text, "reason": note.reason or "", "reviewed": ""}
    errors = []
    if request.method == "POST":
        values = read_note(request.form) | {"reviewed": request.form.get("reviewed", "")}
        errors = check_note(values)
        if not errors:
            note.kind, note.text, note.reason = values["kind"], values["text"], values["reason"] or None
            note.updated_at = utcnow()
            reviewed = values["reviewed"] == "yes" and state == CHANGED
            if reviewed:
                note.version, note.fingerprint, note.reviewed_at = current.version, section.fingerprint, utcnow()
            audit.record("local_note.updated", target=f"local_note:{note.id}", board_id=board_row.id,
                         reviewed=reviewed)
            search.changed(get_session(), search.document_id(note.id), documents=[search.note_document(note)])
            save(get_session())
            flash("Local note saved.", "success")
            return redirect(url_for("local_notes.register", board=board_row.slug)), 303
    item = present(note)
    return render_template("local_notes/form.html", board=board_row, note=note, item=item, values=values,
                           errors=errors, field_errors=field_errors(errors), kinds=KINDS, labels=LABELS,
                           limits={"text": TEXT_LIMIT, "reason": REASON_LIMIT},
                           current=current, can_mark_reviewed=state == CHANGED), (400 if errors else 200)


@bp.route("/boards/<slug:board>/notes/<int:note_id>/reviewed", methods=["POST"])
@signed_in
@checks_permission("local_notes:edit")
def mark_reviewed(board, note_id):
    board_row = board_or_404(board, "local_notes:edit")
    note = note_or_404(board_row, note_id)
    current, section = current_section(note)
    if section is None:
        abort_with(409, "This section is not in the current version of the pathway, so the note cannot be "
                        "checked against it. Edit the note to say where it now applies, or delete it.")
    note.version, note.fingerprint = current.version, section.fingerprint
    note.reviewed_at = note.updated_at = utcnow()
    audit.record("local_note.reviewed", target=f"local_note:{note.id}", board_id=board_row.id,
                 version=current.version)
    search.changed(get_session(), search.document_id(note.id), documents=[search.note_document(note)])
    save(get_session())
    flash(f"Note on “{section.title}” marked as reviewed against version {current.version}.", "success")
    return redirect(_safe_next(request.form.get("next"))
                    or url_for("local_notes.register", board=board_row.slug)), 303


@bp.route("/boards/<slug:board>/notes/<int:note_id>/delete", methods=["GET", "POST"])
@signed_in
@checks_permission("local_notes:edit")
def delete_note(board, note_id):
    board_row = board_or_404(board, "local_notes:edit")
    note = note_or_404(board_row, note_id)
    if request.method == "POST":
        db = get_session()
        audit.record("local_note.deleted", target=f"local_note:{note.id}", board_id=board_row.id,
                     pathway=note.pathway, section=note.section_id)
        db.delete(note)
        search.changed(db, search.document_id(note_id), removed=[search.document_id(note_id)])
        save(db)
        flash("Local note deleted.", "success")
        return redirect(url_for("local_notes.register", board=board_row.slug)), 303
    return render_template("local_notes/delete.html", board=board_row, item=present(note))
