"""The supported API for plugins: import the core from here and nowhere else.

Every name in ``__all__`` is documented in ``docs/plugin-api.md`` and keeps its meaning across releases;
the rest of ``pathway_review`` may change without notice. Built-in plugins use exactly this module, and a
test fails if one of them imports anything else from the core.
"""
from __future__ import annotations

from types import SimpleNamespace

from . import (audit as _audit, held_forms as _held_forms, inputs as _inputs, jobs as _jobs, outbox as _outbox,
               ratelimit as _ratelimit)
from .access import can, checks_permission, public, roles_required, signed_in
from .charts import bar_chart, column_chart
from .reviews import ReviewStatus, months_before, review_status
from .board_plugins import BoardPlugin, BoardScope, appointed
from .cache import FragmentCache, per_request
from .boards import (TERRITORIAL_BOARDS, board_for_plugin, boards_with_plugin, enabled_plugins,
                     get_board, set_plugin_enabled)
from .cli import with_database
from .clock import today
from .config import public_url
from .consultation import ConsultationStatus, consultation_status
from .contracts import (Action, BoardSetting, ConsultationFindings, Dataset, DatasetFilter, ExportFormat,
                        NavLink, PeriodicTask, SearchDocument, Setting)
from .db import Base, database, get_session
from .demo import create_demo_accounts
from .document import STATUSES, PathwayVersion, Question, Section, render_markdown
from .extensions import app_extension
from .identifiers import Field, FieldProblem, check_fields, describe_for_log, find_identifiers
from .library import Pathway
from .models import ROLES, Board, User, as_utc, utcnow
from .pathways import get_pathway_or_404, get_version_or_404, library
from .hookspecs import hookspec
from .plugins import PluginHookFailed, board_setting, flatten, hookimpl, hooks, host, page_hook
from .security import abort_with, csrf_exempt, error_response

# Namespaces rather than the modules themselves, so only these functions are part of the API.
audit = SimpleNamespace(record=_audit.record, record_now=_audit.record_now)
inputs = SimpleNamespace(**{name: getattr(_inputs, name) for name in (
    "InputError", "json_object", "unknown_fields", "expect", "check_json", "bounded_int", "query_int", "page_number",
    "bounded_date", "text_problem", "check_texts", "shows_text_problems", "form_text_errors", "storable",
    "same_site_path", "MAX_ID", "MAX_INT", "FIRST_YEAR", "LAST_YEAR")})
held_forms = SimpleNamespace(restored=_held_forms.restored)
outbox = SimpleNamespace(record=_outbox.record, counts=_outbox.counts)
jobs = SimpleNamespace(run_soon=_jobs.run_soon)
ratelimit = SimpleNamespace(parse_limit=_ratelimit.parse_limit, hit=_ratelimit.hit, hit_all=_ratelimit.hit_all,
                            count_in=_ratelimit.count_in)

__all__ = [
    # hooks and the plugin host
    "hookimpl", "hookspec", "host", "hooks", "page_hook", "flatten", "board_setting", "PluginHookFailed",
    "per_request", "FragmentCache",
    # contracts: the shapes that cross between plugins
    "Action", "NavLink", "BoardSetting", "Setting", "Dataset", "DatasetFilter", "ExportFormat", "PeriodicTask",
    "SearchDocument", "ConsultationFindings",
    # the database
    "Base", "database", "get_session", "with_database", "app_extension", "outbox", "jobs",
    # the pathway library
    "library", "get_pathway_or_404", "get_version_or_404", "Pathway", "PathwayVersion", "Section", "Question",
    "STATUSES", "render_markdown", "consultation_status", "ConsultationStatus", "review_status", "ReviewStatus",
    "months_before",
    # boards, accounts and board plugins
    "Board", "User", "ROLES", "TERRITORIAL_BOARDS", "get_board", "enabled_plugins", "boards_with_plugin",
    "set_plugin_enabled", "board_for_plugin", "BoardPlugin", "BoardScope", "appointed",
    "create_demo_accounts",
    # access
    "public", "signed_in", "roles_required", "checks_permission", "can", "csrf_exempt",
    # patient identifiers
    "Field", "FieldProblem", "check_fields", "describe_for_log", "find_identifiers",
    # audit, rate limits, errors, time
    "audit", "ratelimit", "inputs", "held_forms", "error_response", "abort_with", "today", "utcnow", "as_utc",
    "public_url",
    # charts drawn on the server
    "bar_chart", "column_chart",
]
