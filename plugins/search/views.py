"""The search page and the search API: one reading of the request, two ways of answering."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for

from pathway_review.plugin_api import STATUSES, can, error_response, hooks, inputs, library, signed_in

from .backend import BackendRefused
from .engine import MAX_PAGE, PAGE_SIZE
from .visibility import Scope
from .query import QueryProblem
from .schema import specialty_key
from .service import Rebuilding, Unavailable, service

bp = Blueprint("search", __name__, template_folder="templates", static_folder="static",
               static_url_path="/search-static")

YES, NO = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}
REBUILDING = "Search is being rebuilt. It will be back in a minute or two; try again shortly."
UNAVAILABLE = "Search cannot answer just now. Try again later, or browse the pathway catalogue."
RETRY_AFTER = {"Retry-After": "30"}
KIND_LABELS = {"section": "Pathway section", "feedback": "Feedback"}


@dataclass
class SearchRequest:
    """The search a person asked for, with a message for each part that could not be understood."""
    q: str = ""
    specialty: str = ""
    status: str = ""
    all_versions: bool = False
    page: int = 1
    errors: list[dict] = field(default_factory=list)

    def scope(self) -> Scope:
        user = g.user
        return Scope(role=user.role, board=None if user.board_id is None else user.board.slug,
                     plugins=frozenset(hooks().allowed), all_versions=self.all_versions,
                     specialty=specialty_key(self.specialty) or None, status=self.status or None)

    def link(self, **changes) -> str:
        values = {"q": self.q, "specialty": self.specialty, "status": self.status,
                  "all_versions": "1" if self.all_versions else "", "page": self.page} | changes
        return url_for("search.results", **{k: v for k, v in values.items() if v not in ("", None, 1)})


def specialties() -> list[str]:
    return library().specialties()


def read_request(args) -> SearchRequest:
    wanted = SearchRequest(q=args.get("q", ""))
    specialty = args.get("specialty", "").strip()
    if specialty:
        known = {specialty_key(s): s for s in specialties()}
        if specialty_key(specialty) in known:
            wanted.specialty = known[specialty_key(specialty)]
        else:
            wanted.errors.append({"field": "specialty", "message": "Choose a specialty from the list: "
                                  + ", ".join(known.values()) + "."})
    status = args.get("status", "").strip().lower()
    if status in STATUSES or not status:
        wanted.status = status
    else:
        wanted.errors.append({"field": "status", "message": "Choose a status from the list: "
                              + ", ".join(STATUSES) + "."})
    versions = args.get("all_versions", "").strip().lower()
    if versions in YES | NO:
        wanted.all_versions = versions in YES
    else:
        wanted.errors.append({"field": "all_versions", "message": "all_versions must be 1 (include older "
                                                                  "versions) or 0."})
    try:
        wanted.page = inputs.query_int("page", 1, 1, MAX_PAGE, args=args)
    except inputs.InputError as problem:
        wanted.errors.append({"field": "page", "message": problem.message})
    return wanted


@bp.get("/search")
@signed_in
def results():
    if not can("search:pathways"):  # the permission hook lets a plugin close search to someone
        return error_response(403)
    wanted = read_request(request.args)
    context = {"wanted": wanted, "search_query": wanted.q, "specialties": specialties(), "results": None,
               "notice": None, "errors": list(wanted.errors)}
    status = 400 if wanted.errors else 200
    headers = {}
    if not wanted.errors and wanted.q.strip():
        try:
            context["results"] = service(current_app).search(wanted.q, wanted.scope(), wanted.page)
        except QueryProblem as problem:
            context["errors"].append({"field": "q", "message": str(problem)})
            status = 400
        except Rebuilding:
            context["notice"], status, headers = REBUILDING, 503, RETRY_AFTER
        except (Unavailable, BackendRefused):
            context["notice"], status, headers = UNAVAILABLE, 503, RETRY_AFTER
    context["field_errors"] = {error["field"]: error["message"] for error in reversed(context["errors"])}
    return render_template("search/results.html", kind_label=kind_label, page_size=PAGE_SIZE, **context), \
        status, headers


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or (kind or "record").replace("-", " ").replace("_", " ").capitalize()


@bp.get("/api/v1/search")
@signed_in
def api():
    if not can("search:pathways"):
        return error_response(403)
    wanted = read_request(request.args)
    if not wanted.q.strip():
        wanted.errors.insert(0, {"field": "q", "message": "Enter a word or phrase to search for, as q."})
    if wanted.errors:
        return error_response(400, wanted.errors[0]["message"], errors=wanted.errors)
    try:
        results = service(current_app).search(wanted.q, wanted.scope(), wanted.page)
    except QueryProblem as problem:
        return error_response(400, str(problem), errors=[{"field": "q", "message": str(problem)}])
    except (Rebuilding, Unavailable, BackendRefused) as exc:
        rebuilding = isinstance(exc, Rebuilding)
        response = error_response(503, REBUILDING if rebuilding else UNAVAILABLE, rebuilding=rebuilding,
                                  heading="Search is being rebuilt" if rebuilding else "Search is not available")
        response.headers.update(RETRY_AFTER)
        return response
    return jsonify({
        "query": results.query, "total": results.total, "page": results.page, "pages": results.pages,
        "page_size": PAGE_SIZE, "matched_all_words": results.matched_all_words,
        "suggestion": results.suggestion, "notes": results.notes,
        "results": [hit.as_json() for hit in results.hits],
    })
