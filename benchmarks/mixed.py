"""Mixed load: 20 GPs reading pathway pages while feedback arrives, beside the same readers with no writes.

    .venv/bin/python benchmarks/mixed.py [--seconds 20] [--readers 20] [--views-per-submission 20]
                                         [--responses 10000] [--database postgresql://...]

A fresh instance (SQLite, or a schema of its own on ``--database``) gets 20 GPs, each signed in, and
``--responses`` stored responses (generated as benchmarks/scale.py does). gunicorn with 2 sync workers serves
it. Each reader views the pathway pages in turn (the open consultation's version among them); in the
first run nobody writes, in the second one submission goes through the API for every 20 views.
Reported: mean and p95 page time of each run and their ratio (goal: mean at most 1.5 times the no-write
run), errors and submissions. Figures are printed, not asserted.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import support  # noqa: E402


def run(port, readers, pages, token_for, body, post_path, seconds, every) -> dict:
    """Readers loop over ``pages`` for ``seconds``; with ``every`` set, one submission per that many views."""
    times, errors, submitted, lock = [], [0], [0], threading.Lock()
    views, stop = [0], time.monotonic() + seconds

    def reader(i, cookie):
        n = i  # readers start on different pages
        while time.monotonic() < stop:
            status, took = support.timed_get(port, pages[n % len(pages)], cookie)
            n += 1
            with lock:
                times.append(took)
                errors[0] += status != 200
                views[0] += 1
                due = every and views[0] % every == 0
            if due:
                code = support.post_json(port, post_path, token_for[i], body)
                with lock:
                    submitted[0] += code == 201
                    errors[0] += code != 201

    # Client-side load: each thread is one person reading over HTTP against the gunicorn under test. They live in
    # the benchmark's own process, never in a web worker; threads keep 20 readers cheap on a 2-core machine.
    threads = [threading.Thread(target=reader, args=(i, cookie)) for i, cookie in enumerate(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"mean": sum(times) / len(times) if times else float("nan"), "p95": support.percentile(times, 0.95),
            "views": len(times), "errors": errors[0], "submitted": submitted[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each run lasts")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--views-per-submission", type=int, default=20)
    parser.add_argument("--responses", type=int, default=10_000, help="responses stored before the runs")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--database", help="a PostgreSQL server URL (a schema of its own is made and dropped)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pathway-review-mixed-") as tmp:
        folder = Path(tmp)
        with support.database_url(folder, args.database) as url:
            env = support.environment(folder, url)
            support.init(env)
            app = support.app_for(env)
            people, _staff = support.add_people(app, args.readers)
            pv = support.open_consultation(app)
            if args.responses:
                from scale import generate

                generate(app, args.responses, [user_id for _, user_id in people])
            tokens = [support.api_token(app, email) for email, _ in people]
            app.extensions["pathway_review.db"].dispose()
            body = support.feedback_body(pv)
            post_path = f"/api/v1/pathways/{pv.slug}/feedback"
            library = app.extensions["pathway_review.library"]
            pages = [f"/pathways/{pv.slug}/{pv.version}/", *(f"/pathways/{slug}/" for slug in sorted(library.pathways))]
            with support.gunicorn(folder, env, args.workers) as port:
                cookies = [support.sign_in(port, email) for email, _ in people]
                run(port, cookies, pages, tokens, body, post_path, 2, 0)  # warm every worker
                quiet = run(port, cookies, pages, tokens, body, post_path, args.seconds, 0)
                mixed = run(port, cookies, pages, tokens, body, post_path, args.seconds, args.views_per_submission)
            locked = (folder / "gunicorn.log").read_text(errors="replace").lower().count("database is locked")

    backend = "PostgreSQL" if args.database else "SQLite"
    print(f"mixed load under gunicorn ({args.workers} sync workers, {backend}), {args.readers} signed-in GPs, "
          f"{args.responses} stored responses, {args.seconds:g} s per run")
    for name, result in (("no writes", quiet), (f"1 submission per {args.views_per_submission} views", mixed)):
        print(f"  {name:32} mean {result['mean'] * 1000:7.1f} ms  p95 {result['p95'] * 1000:7.1f} ms  "
              f"views {result['views']:6}  submissions {result['submitted']:5}  errors {result['errors']}")
    print(f"  ratio of mean page time (with writes / without): {mixed['mean'] / quiet['mean']:.2f}x  "
          f"(goal: at most 1.5x)")
    print(f"  ratio of p95 page time  (with writes / without): {mixed['p95'] / quiet['p95']:.2f}x")
    print(f"  'database is locked' in the server log: {locked}")


if __name__ == "__main__":
    main()
