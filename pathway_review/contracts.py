"""The shapes that cross between plugins through hooks.

Plugins never import each other; they agree on these records instead. A plugin that owns data
*contributes* it (a :class:`Dataset` for export, :class:`SearchDocument` records for search) and the
plugin that owns a capability (formats, the index) consumes it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence


@dataclass(frozen=True)
class NavLink:
    """A link in the site navigation."""
    href: str
    label: str
    order: int = 50


@dataclass(frozen=True)
class Action:
    """A button-like link beside a pathway or a section (e.g. "Give feedback on this section")."""
    href: str
    label: str
    order: int = 50


@dataclass(frozen=True)
class BoardSetting:
    """One setting a plugin offers each board (shown on the board's plugin page).

    ``kind`` is ``"bool"``, ``"text"``, ``"choice"`` or ``"emails"`` (a list of accounts of the board).
    """
    key: str
    label: str
    kind: str = "text"
    default: Any = None
    choices: Sequence[str] = ()
    hint: str = ""


@dataclass(frozen=True)
class SearchDocument:
    """One searchable record contributed to the search index.

    ``id`` is unique across all contributors (prefix it with your plugin's name).
    Visibility: ``roles`` limits who may find it (empty = every signed-in user) and ``board`` limits it
    to users of one board (``None`` = every board). ``current`` is False for older versions.
    """
    id: str
    kind: str
    title: str
    heading: str
    text: str
    url: str
    specialty: str = ""
    status: str = ""
    version: str = ""
    current: bool = True
    roles: frozenset[str] = frozenset()
    board: str | None = None
    # The contributing plugin: its documents are hidden from boards that have not enabled it.
    plugin: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON-able values (it travels through the outbox as JSON)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["roles"] = sorted(self.roles)
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "SearchDocument":
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "roles": frozenset(known.get("roles") or ())})


@dataclass(frozen=True)
class DatasetFilter:
    """A filter a dataset understands; ``kind`` is ``choice``, ``text``, ``bool`` or ``date``."""
    name: str
    label: str
    kind: str = "text"
    choices: Sequence[str] = ()


@dataclass
class Dataset:
    """Records a plugin offers for export.

    ``columns(filters)`` names the columns (they may depend on the filters, e.g. a pathway's own
    questions); ``rows(filters)`` yields one mapping per record, streamed; ``summary(filters)`` returns
    ``{heading: [(label, count), ...]}`` for a summary sheet. ``filters`` arrive validated: every key is
    one of ``filter_specs`` and choice values are among the choices.
    """
    name: str
    title: str
    filter_specs: Sequence[DatasetFilter]
    columns: Callable[[Mapping[str, Any]], list[str]]
    rows: Callable[[Mapping[str, Any]], Iterator[Mapping[str, Any]]]
    summary: Callable[[Mapping[str, Any]], dict[str, list[tuple[str, int]]]] | None = None
    roles: frozenset[str] = frozenset({"cfsd", "admin"})
    # Columns that identify a person, replaced by a stable pseudonym when asked.
    personal_columns: Sequence[str] = ()
    # For spreadsheets, which people read: ``headings(filters)`` maps a column to its heading and
    # ``labeller(filters)`` returns a function giving a row with labels for codes ("Partly accepted" for
    # ``partly-accepted``). JSON keeps the column names and values as they are.
    headings: Callable[[Mapping[str, Any]], Mapping[str, str]] | None = None
    labeller: Callable[[Mapping[str, Any]], Callable[[Mapping[str, Any]], Mapping[str, Any]]] | None = None


@dataclass(frozen=True)
class ExportFormat:
    """A file format the export plugin (or another plugin) can write.

    ``write(dataset, columns, rows, filters)`` returns an iterable of ``bytes`` chunks so that a large
    export streams.
    """
    name: str
    title: str
    mimetype: str
    extension: str
    write: Callable[..., Iterable[bytes]]
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodicTask:
    """Work the job-queue worker runs on a schedule (digests, reminders, sweeps, sending mail).

    ``run(app)`` is called in the worker inside an application context. Give exactly one of ``every``
    (seconds between runs) or ``at`` (a daily time, ``"HH:MM"`` in UK time). Names are unique across
    plugins; prefix them with the plugin's name.
    """
    name: str
    run: Callable[[Any], None]
    every: int | None = None
    at: str | None = None

    def __post_init__(self):
        if (self.every is None) == (self.at is None):
            raise ValueError(f"periodic task {self.name!r}: give exactly one of every= or at=")


@dataclass(frozen=True)
class Setting:
    """One configuration setting, declared by the core or a plugin.

    Set it in ``instance/config.py`` (as ``NAME = value``) or as the environment variable
    ``PATHWAY_REVIEW_<NAME>``, whose value is read as JSON (``true``, ``30``, ``["a", "b"]``) and, for
    text settings, as it stands. ``type`` is one of ``"str"``, ``"int"``, ``"float"``, ``"bool"``, ``"path"``,
    ``"list"`` (of text; a comma-separated value is accepted), ``"rate"`` (``"COUNT/SECONDS"``) or ``"date"``
    (``YYYY-MM-DD``). A ``default`` of None means "not set". ``secret`` values are masked wherever the
    configuration is shown. Names are unique across the core and every plugin: prefix yours with the
    plugin's name.
    """
    name: str
    type: str
    default: Any
    help: str
    secret: bool = False


@dataclass
class ConsultationFindings:
    """What a consultation on one pathway version found, for a report: reach, counts, answers and every
    response with its answer. The plugin that owns feedback builds it; reports only lay it out.

    Anonymous responses arrive anonymised (``attribution`` names the board at most) and free text has had
    anything that looks like a CHI or NHS number replaced, so a report cannot leak either.
    ``by_board``, ``by_section``, ``per_day`` (ISO date, count) and ``themes`` are ``(label, count)`` pairs;
    ``questions`` are ``(question label, [(choice, count)], answered)``; ``workload`` has ``respondents``,
    ``total_hours``, ``median_hours`` and ``method``; ``safety`` and ``responses`` are mappings with
    ``reference``, ``section``, ``type``, ``attribution``, ``submitted`` (ISO date), ``text``, ``status``,
    ``answer`` and ``safety``.
    """
    responses: int = 0
    respondents: int = 0
    boards: int = 0
    practices: int = 0
    by_board: list = field(default_factory=list)
    by_section: list = field(default_factory=list)
    per_day: list = field(default_factory=list)
    safety: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    workload: Mapping = field(default_factory=dict)
    themes: list = field(default_factory=list)
    items: list = field(default_factory=list)
