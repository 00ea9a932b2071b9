"""Page times at 1,000, 10,000 and 100,000 stored responses.

    .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000] [--requests 30] [--rebuild]

For each size an instance is generated once (bulk inserts, fixed seed; 70% of the responses to the open
consultation, the rest spread over the other versions, from 2,000 GPs) and kept in
$TMPDIR/pathway-review-scale/ for later runs; its search index is built then, and that build is timed (run
again with ``--rebuild``). gunicorn with 2 sync workers serves it; one client asks each page ``--requests``
times in turn and p50/p95 are printed beside the goal (p95 at most 50 ms; CfSD search at most 40 ms), with a
bare Flask route's p50 from the same run as the baseline. The GP's pathway page is measured on a cache miss:
the version's cache mark is moved on before each request. Figures are printed, not asserted.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support  # noqa: E402

SEED = 2026
GPS = 2000
GENERATOR = "2"  # bump when the generated data or its indexes change, so cached instances are made again
STATUSES = (["new"] * 40 + ["acknowledged"] * 15 + ["accepted"] * 12 + ["partly-accepted"] * 8
            + ["not-accepted"] * 6 + ["changed-in-next-version"] * 4 + ["withdrawn"] * 5 + ["draft"] * 10)
TYPES = ["red-flags", "referral-criteria", "investigations", "primary-care-management", "patient-information",
         "workload", "other"]
PHRASES = ["ultrasound access is limited in our area", "waiting times for ultrasound access are long",
           "the FIT threshold moves work onto practices", "phlebotomy capacity is stretched",
           "the referral form asks for results we cannot get", "patients will need a longer appointment"]


def words_of(library) -> list[str]:
    text = " ".join(s.text if hasattr(s, "text") else "" for p in library.pathways.values()
                    for v in p.versions for s in v.sections)
    found = re.findall(r"[A-Za-z][a-z]{2,}", text) or ["pathway", "referral", "practice", "patients"]
    return found[:20000]


def generate(app, total: int, gp_ids: list[int], seed: int = SEED) -> None:
    """``total`` responses written with bulk inserts, then counted for the dashboard as the migration does."""
    from pathway_review.consultation import consultation_status
    from plugins.feedback.models import Feedback
    from plugins.feedback.questions import questions_for
    from plugins.feedback.tally import backfill

    rng = random.Random(seed)
    library = app.extensions["pathway_review.library"]
    with app.app_context():
        versions = [v for p in sorted(library.pathways.values(), key=lambda p: p.slug) for v in p.versions]
        main = support.open_consultation(app)
        others = [v for v in versions if v is not main and consultation_status(v).state in ("open", "closed")] \
            or [v for v in versions if v is not main]
    words = words_of(library)
    database = app.extensions["pathway_review.db"]
    with database.engine.connect() as conn:
        boards = dict(conn.exec_driver_sql("SELECT id, board_id FROM user_account").all())
    start = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
    table, batch = Feedback.__table__, []
    with database.engine.begin() as conn:
        for i in range(total):
            pv = main if rng.random() < 0.7 or not others else rng.choice(others)
            section = rng.choice([None, *pv.sections])
            status = rng.choice(STATUSES)
            answers = {}
            for q in questions_for(pv):
                if q.kind == "choice" and rng.random() < 0.8:
                    answers[q.id] = rng.choice(q.choices)
                elif q.kind == "number" and rng.random() < 0.5:
                    answers[q.id] = rng.randint(1, 60)
            text = " ".join(rng.choices(words, k=rng.randint(12, 50)))
            if rng.random() < 0.05:
                text += ". " + rng.choice(PHRASES)
            user_id = rng.choice(gp_ids)
            at = start + timedelta(seconds=i * 9)
            answered = status in ("accepted", "partly-accepted", "not-accepted", "changed-in-next-version")
            batch.append({
                "user_id": user_id, "board_id": boards.get(user_id), "pathway_slug": pv.slug, "version": pv.version,
                "section_id": section.id if section else None, "section_title": section.title if section else None,
                "section_fingerprint": section.fingerprint if section else None, "type": rng.choice(TYPES),
                "text": text, "text_html": f"<p>{text}</p>", "answers": json.dumps(answers, sort_keys=True),
                "safety_concern": rng.random() < 0.03, "anonymous": rng.random() < 0.2, "hide_board": False,
                "status": status, "response": "Thank you: we have changed the wording." if answered else None,
                "themes": "[]", "created_at": at, "updated_at": at,
                "submitted_at": None if status == "draft" else at})
            if len(batch) == 5000:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)
        backfill(conn)
    from pathway_review.db import optimize

    optimize(database, full=True)


def cache_key() -> str:
    root = support.ROOT
    migrations = sorted(p.name for p in [*root.glob("pathway_review/migrations/versions/*.py"),
                                         *root.glob("plugins/*/migrations/*.py")])
    return hashlib.sha1(("\n".join(migrations) + GENERATOR).encode()).hexdigest()[:10]


def instance(size: int, rebuild: bool) -> tuple[Path, dict, float | None]:
    """The cached instance for ``size`` responses (made if missing) and the index build time, if measured."""
    folder = Path(tempfile.gettempdir()) / "pathway-review-scale" / f"{size}-{cache_key()}"
    env = support.environment(folder, f"sqlite:///{folder / 'instance' / 'bench.sqlite3'}")
    ready = folder / "ready"
    if not ready.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        started = time.monotonic()
        support.init(env)
        app = support.app_for(env)
        people, _ = support.add_people(app, GPS)
        generate(app, size, [user_id for _, user_id in people])
        app.extensions["pathway_review.db"].dispose()
        print(f"  generated {size} responses in {time.monotonic() - started:.1f} s", flush=True)
        rebuild = True
    took = None
    if rebuild:
        started = time.monotonic()
        subprocess.run([str(support.BIN / "pathway-review"), "search", "reindex"], env=env, cwd=support.ROOT,
                       check=True, capture_output=True)
        took = time.monotonic() - started
    ready.write_text("ready\n")
    return folder, env, took


def measure(size: int, requests: int, rebuild: bool) -> None:
    folder, env, rebuild_time = instance(size, rebuild)
    app = support.app_for(env)
    pv = support.open_consultation(app)
    from pathway_review.db import bump_statement, version_scope

    database = app.extensions["pathway_review.db"]

    def miss():
        with database.transaction() as session:
            session.execute(bump_statement(database.engine.dialect.name),
                            [{"scope": version_scope(pv.slug, pv.version)}])

    base = f"/consultations/{pv.slug}/{pv.version}"
    pages = [  # (label, path, who, before each request, goal in ms)
        ("GP pathway page, cache miss", f"/pathways/{pv.slug}/{pv.version}/", "gp", miss, 50),
        ("CfSD consultation dashboard", f"{base}/", "cfsd", None, 50),
        ("CfSD responses list, page 1", f"{base}/responses", "cfsd", None, 50),
        ("CfSD responses list, page 20", f"{base}/responses?page=20", "cfsd", None, 50),
        ('"You said, we did"', f"{base}/you-said-we-did", "gp", None, 50),
        ("My feedback", "/feedback/", "gp", None, 50),
        ('CfSD search "ultrasound access"', "/search?q=ultrasound+access", "cfsd", None, 40),
        ('GP search "ultrasound access"', "/search?q=ultrasound+access", "gp", None, 50),
    ]
    with support.gunicorn(folder, env) as port:
        cookies = {"gp": support.sign_in(port, "bench.gp0@example.nhs.scot"),
                   "cfsd": support.sign_in(port, "bench.cfsd@example.nhs.scot")}
        bare = [support.timed_get(port, "/bare/")[1] for _ in range(requests)]
        baseline = support.percentile(bare, 0.5)
        print(f"\n{size:,} responses (baseline: a bare Flask route, p50 {baseline * 1000:.1f} ms)")
        print(f"  {'page':36} {'p50 ms':>8} {'p95 ms':>8} {'p95/bare':>9}  goal (p95)")
        for label, path, who, before, goal in pages:
            times, errors = [], 0
            for n in range(requests + 2):
                if before:
                    before()
                status, took = support.timed_get(port, path, cookies[who])
                errors += status != 200
                if n >= 2:  # the first two warm each worker
                    times.append(took)
            p95 = support.percentile(times, 0.95) * 1000
            print(f"  {label:36} {support.percentile(times, 0.5) * 1000:8.1f} {p95:8.1f} {p95 / 1000 / baseline:8.1f}x"
                  f"  <= {goal} ms "
                  f"{'met' if p95 <= goal else 'NOT met'}{f'  ({errors} errors)' if errors else ''}", flush=True)
    database.dispose()
    if rebuild_time is not None:
        print(f"  search index rebuild: {rebuild_time:.1f} s")
    else:
        print("  search index rebuild: not measured this run (the cached index was used; --rebuild measures it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated response counts")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true", help="rebuild (and time) the search index again")
    args = parser.parse_args()
    print("page times by stored responses, gunicorn with 2 sync workers, SQLite, one client")
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()):
        measure(size, args.requests, args.rebuild)


if __name__ == "__main__":
    main()
