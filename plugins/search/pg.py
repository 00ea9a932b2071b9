"""PostgreSQL full-text search: documents in a table every host reads, current as each change commits.

Each record is a row with a ``tsvector`` (title and heading weighted A, text D, English stemming) under
a GIN index. Rows are written in the transaction that changes the record (``events_recorded``), so a
search on any host finds a submission the moment it commits. Queries come from the same forgiving
parser as whoosh's: each word or phrase goes through ``websearch_to_tsquery`` (which never raises on
what people type), abbreviations are widened to the words they stand for, and who may see what is
part of the WHERE clause. Highlights come from ``ts_headline``.
"""
from __future__ import annotations

import logging
import math
import re
import time
import unicodedata

from markupsafe import Markup, escape
from sqlalchemy import text as sql

from pathway_review.plugin_api import database, jobs

from .engine import MAX_PAGE, PAGE_SIZE, Hit, Results, _safe_url
from .query import ParsedQuery, Unit, parse
from .schema import specialty_key
from .shaping import WINDOW, corrected, diversify, edit_distance, group_key
from .visibility import Scope

log = logging.getLogger(__name__)
MAINTAIN = "search.maintain"
# Bump when what a row holds changes: the worker then rebuilds every row.
ROWS_VERSION = "2"
BATCH = 500
WEIGHTS = "{0.1, 0.2, 0.4, 0.4}"  # D, C, B, A: a word in a title or heading counts four times
START, STOP = "\ue000", "\ue001"   # private-use characters: cannot clash with the escaping that follows
HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxFragments=1, MaxWords=30, MinWords=12"
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{4,}")

UPSERT = sql(r"""
INSERT INTO search_document (id, kind, title, heading, text, url, specialty, specialty_key, status, version,
                             current, roles, board, plugin, grp, document)
VALUES (:id, :kind, :title, :heading, :text, :url, :specialty, :specialty_key, :status, :version, :current,
        :roles, :board, :plugin, :grp,
        setweight(to_tsvector('english', :title), 'A') || setweight(to_tsvector('english', :heading), 'A')
        || to_tsvector('english', regexp_replace(:text, '([[:alpha:]])\.([[:alpha:]])', '\1 \2', 'g')))
ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, heading = EXCLUDED.heading,
    text = EXCLUDED.text, url = EXCLUDED.url, specialty = EXCLUDED.specialty,
    specialty_key = EXCLUDED.specialty_key, status = EXCLUDED.status, version = EXCLUDED.version,
    current = EXCLUDED.current, roles = EXCLUDED.roles, board = EXCLUDED.board, plugin = EXCLUDED.plugin,
    grp = EXCLUDED.grp, document = EXCLUDED.document
""")


def row(doc) -> dict:
    title, heading = " ".join((doc.title or "").split()), " ".join((doc.heading or "").split())
    return {"id": doc.id, "kind": doc.kind or "", "title": title, "heading": heading, "text": doc.text or "",
            "url": doc.url or "", "specialty": doc.specialty or "",
            "specialty_key": specialty_key(doc.specialty) or "-", "status": (doc.status or "-").casefold(),
            "version": doc.version or "", "current": bool(doc.current), "roles": sorted(doc.roles or ()),
            "board": doc.board, "plugin": doc.plugin or "-", "grp": group_key(doc.kind or "", doc.url or "")}


def vocabulary_words(doc) -> set[str]:
    content = unicodedata.normalize("NFKD", f"{doc.title} {doc.heading} {doc.text}".casefold())
    return set(_VOCABULARY_WORD.findall("".join(c for c in content if not unicodedata.combining(c))))


def put(connection, documents, removed, is_public) -> None:
    """Write the last word on each record through ``connection``, in its transaction."""
    latest: dict[str, object] = {}
    for doc_id in removed:
        latest[doc_id] = None
    for doc in documents:
        latest[doc.id] = doc
    gone = [doc_id for doc_id, doc in latest.items() if doc is None]
    if gone:
        connection.execute(sql("DELETE FROM search_document WHERE id = ANY(:ids)"), {"ids": gone})
    fresh = [doc for doc in latest.values() if doc is not None]
    if fresh:
        connection.execute(UPSERT, [row(doc) for doc in fresh])
    words = set().union(*(vocabulary_words(doc) for doc in fresh if is_public(doc))) if fresh else set()
    if words:
        # Words only ever join: a stale one can only offer a correction that then finds nothing.
        connection.execute(sql("INSERT INTO search_word (word) SELECT unnest(CAST(:words AS text[])) "
                               "ON CONFLICT DO NOTHING"), {"words": sorted(words)})


# ---- the query ---------------------------------------------------------------------------------------

class _Query:
    """A tsquery expression over bound parameters: only parameter names are put into the SQL."""

    def __init__(self):
        self.params: dict[str, str] = {}

    def _bind(self, value: str) -> str:
        name = f"w{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def unit(self, unit: Unit) -> str:
        if unit.prefix is not None:
            letters = re.sub(r"[^\w]", "", unit.prefix)
            if letters:
                return f"to_tsquery('simple', {self._bind(letters + ':*')})"
        if unit.synonym is not None:
            short, words = unit.synonym
            return (f"(websearch_to_tsquery('english', {self._bind(short)}) || "
                    f"websearch_to_tsquery('english', {self._bind(_quoted(words))}))")
        words = _quoted(unit.text) if unit.phrase else _plain(unit.text)
        return f"websearch_to_tsquery('english', {self._bind(words)})"

    def build(self, parsed: ParsedQuery, every: bool) -> str | None:
        clauses = ["(" + " || ".join(self.unit(u) for u in clause) + ")" for clause in parsed.clauses]
        if not every:
            if len(clauses) < 2:
                return None
            clauses = ["(" + " || ".join(clauses) + ")"]
        expression = " && ".join(clauses)
        if parsed.excluded:
            expression = f"({expression}) && !!(" + " || ".join(self.unit(u) for u in parsed.excluded) + ")"
        return expression


# PostgreSQL's parser reads "H.pylori" as a host name, one token: split it as whoosh does, and leave
# out single letters as whoosh does ("H. pylori" is searched for as "pylori", which finds "Helicobacter pylori").
_INITIAL = re.compile(r"(?<=[^\W\d_])\.(?=[^\W\d_])")
_LETTER = re.compile(r"(?<![\w&])[^\W\d_](?![\w&])")


def _words_of(text: str) -> str:
    return _LETTER.sub(" ", _INITIAL.sub(" ", text.replace('"', " ")))


def _quoted(text: str) -> str:
    return '"' + _words_of(text) + '"'


def _plain(text: str) -> str:
    # websearch_to_tsquery reads "or" and a leading "-" as operators; the parser has dealt with those.
    return re.sub(r"(^|\s)-", r"\1", _words_of(text))


def _where(scope: Scope, params: dict) -> str:
    params.update(role=scope.role, plugins=sorted(scope.plugins))
    where = ["(cardinality(d.roles) = 0 OR :role = ANY(d.roles))", "d.plugin = ANY(CAST(:plugins AS text[]))"]
    if scope.board is not None:
        where.append("(d.board IS NULL OR d.board = :board)")
        params["board"] = scope.board
    if not scope.all_versions:
        where.append("d.current")
    if scope.specialty:
        where.append("d.specialty_key = :specialty")
        params["specialty"] = scope.specialty
    if scope.status:
        where.append("d.status = :status")
        params["status"] = scope.status
    return " AND ".join(where)


class PostgresSearch:
    """The search service on PostgreSQL: the same methods as the whoosh one."""

    def __init__(self, app):
        self.app = app

    # The worker's outbox deliveries: the rows were already written with the change.
    def changed(self, documents, removed) -> None:
        pass

    def apply_batch(self) -> int:
        return 0

    def built(self, connection) -> bool:
        value = connection.execute(sql("SELECT value FROM search_state WHERE key = 'built'")).scalar()
        return value == ROWS_VERSION

    def maintain(self) -> None:
        with database().engine.connect() as connection:
            if self.built(connection):
                return
        started = time.monotonic()
        count = self.rebuild(timeout=600)
        log.info("search documents built: %d records in %.1fs", count, time.monotonic() - started)

    def rebuild(self, timeout: float, strict: bool = False, unless=None) -> int:
        """Every contributor's records afresh, in one transaction: searches see the old rows until it commits."""
        from .service import contributions

        return self.write_all(contributions(self.app, strict), timeout)

    def write_all(self, contributed, timeout: float) -> int:
        """Replace every row with ``contributed`` ((document, is public) pairs, streamed)."""
        count, seen = 0, set()
        with database().engine.begin() as connection:
            # One rebuild at a time; a second waits rather than interleaving its rows.
            connection.execute(sql("SELECT pg_advisory_xact_lock(72010002)"))
            connection.execute(sql(f"SET LOCAL lock_timeout = '{int(timeout * 1000)}ms'"))
            connection.execute(sql("DELETE FROM search_document"))
            batch, words = [], set()
            for doc, public in contributed:
                if doc.id in seen:
                    log.warning("search document %s was contributed twice; the first is kept", doc.id)
                    continue
                seen.add(doc.id)
                batch.append(row(doc))
                if public:
                    words |= vocabulary_words(doc)
                if len(batch) >= BATCH:
                    connection.execute(UPSERT, batch)
                    count, batch = count + len(batch), []
            if batch:
                connection.execute(UPSERT, batch)
                count += len(batch)
            connection.execute(sql("DELETE FROM search_word"))
            if words:
                connection.execute(sql("INSERT INTO search_word (word) SELECT unnest(CAST(:words AS text[]))"),
                                   {"words": sorted(words)})
            connection.execute(sql("INSERT INTO search_state (key, value) VALUES ('built', :v) ON CONFLICT (key) "
                                   "DO UPDATE SET value = EXCLUDED.value"), {"v": ROWS_VERSION})
        return count

    def doc_count(self) -> int:
        with database().engine.connect() as connection:
            return connection.execute(sql("SELECT count(*) FROM search_document")).scalar() or 0

    # ---- searching -------------------------------------------------------------------------------

    def search(self, text: str, scope: Scope, page: int = 1, page_size: int = PAGE_SIZE) -> Results:
        from .service import Rebuilding

        parsed = parse(text)
        page = min(max(1, page), MAX_PAGE)
        limit = max(WINDOW, page * page_size)
        with database().engine.connect() as connection:
            if not self.built(connection):
                jobs.run_soon(self.app, MAINTAIN)
                if not self.built(connection):
                    raise Rebuilding()
            matched_all, suggestion, notes = True, None, list(parsed.notes)
            found, total = self._ranked(connection, parsed, True, scope, limit)
            if not total:
                again, suggestion, more = corrected(parsed, lambda w: self._known(connection, w),
                                                    lambda w, d: self._nearest(connection, w, d))
                if again is not None:
                    suggestion = None
                    found, total = self._ranked(connection, again, True, scope, limit)
                    if total:
                        parsed, notes = again, more + notes
                elif suggestion is not None and not self._ranked(connection, parse(suggestion), True, scope, 1)[1]:
                    suggestion = None
                if not total:
                    found, total = self._ranked(connection, parsed, False, scope, limit)
                    matched_all = not total
            pages = max(1, math.ceil(total / page_size))
            page = min(page, pages)
            ids = [i for i, _ in diversify(found, lambda item: item[1])][(page - 1) * page_size:page * page_size]
            hits = self._hits(connection, parsed, matched_all, ids) if ids else []
        return Results(parsed.text, hits, total, page, pages, matched_all, suggestion, notes)

    def _ranked(self, connection, parsed: ParsedQuery, every: bool, scope: Scope, limit: int):
        """[(id, group)] of the best ``limit`` matches, and how many match in all."""
        query = _Query()
        expression = query.build(parsed, every)
        if expression is None:
            return [], 0
        params = dict(query.params, limit=limit)
        where = _where(scope, params)
        rows = connection.execute(sql(
            f"SELECT d.id, d.grp, count(*) OVER () AS total FROM search_document d, (SELECT {expression} AS q) q "
            f"WHERE d.document @@ q.q AND {where} "
            f"ORDER BY ts_rank('{WEIGHTS}', d.document, q.q, 1) * CASE WHEN d.kind = 'section' THEN 2 ELSE 1 END "
            "DESC, d.id LIMIT :limit"), params).all()
        return [(r.id, r.grp) for r in rows], (rows[0].total if rows else 0)

    def _hits(self, connection, parsed: ParsedQuery, every: bool, ids: list[str]) -> list[Hit]:
        query = _Query()
        expression = query.build(parsed, every) or query.build(parsed, True)
        rows = connection.execute(sql(
            "SELECT d.id, d.kind, d.title, d.heading, d.text, d.url, d.status, d.version, d.specialty, d.current, "
            f"ts_headline('english', d.text, q.q, '{HEADLINE}') AS headline "
            f"FROM search_document d, (SELECT {expression} AS q) q WHERE d.id = ANY(:ids)"),
            dict(query.params, ids=ids)).all()
        by_id = {r.id: r for r in rows}
        return [Hit(id=r.id, kind=r.kind, title=r.title, heading=r.heading, url=_safe_url(r.url),
                    snippet=_snippet(r.text, r.headline), status=r.status, version=r.version,
                    specialty=r.specialty, current=r.current)
                for r in (by_id[i] for i in ids if i in by_id)]

    def _known(self, connection, word: str) -> bool:
        return connection.execute(sql("SELECT 1 FROM search_word WHERE word = :w"), {"w": word}).first() is not None

    def _nearest(self, connection, word: str, distance: int) -> str | None:
        candidates = connection.execute(sql(
            "SELECT word FROM search_word WHERE left(word, 1) = left(:w, 1) "
            "AND length(word) BETWEEN :shortest AND :longest"),
            {"w": word, "shortest": len(word) - distance, "longest": len(word) + distance}).scalars()
        scored = sorted((edit_distance(word, c, distance), c) for c in candidates)
        return scored[0][1] if scored and scored[0][0] <= distance else None


def _snippet(text: str, headline: str) -> Markup:
    plain = headline.replace(START, "").replace(STOP, "")
    marked = escape(headline).replace(START, Markup("<mark>")).replace(STOP, Markup("</mark>"))
    marked = Markup(str(marked).replace("</mark> <mark>", " "))  # "urgent suspected cancer" is one match
    stripped = plain.strip()
    if stripped and not text.lstrip().startswith(stripped):
        marked = Markup("\u2026") + marked
    if stripped and not text.rstrip().endswith(stripped):
        marked = marked + Markup("\u2026")
    return marked
