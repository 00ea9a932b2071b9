"""CPU time of one cached, signed-in pathway page view inside the app, beside a bare Flask route's.

    .venv/bin/python benchmarks/page_view.py [--views 3000] [--runs 5] [--profile] [--url /pathways/...]

Steadier than ``pages.py`` on a shared machine: no server, client or sockets, only the WSGI call. A fresh
app (temporary folder, SQLite, the sample pathways, the clock frozen) signs a GP in, then calls the app with
the same request (the cookie as ``pages.py``'s client holds it after signing in) ``--views`` times per run after a
warm-up, and prints the fastest run's CPU time per view (``time.process_time``), with the bare route's
measured the same way. ``--profile`` adds cProfile's top functions for one more run.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask
from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pathway_review.testing import AuthActions, make_app, temporary_database  # noqa: E402

BARE_HTML = ("<!DOCTYPE html><html lang=\"en-GB\"><head><title>Bare</title></head>"
             "<body><main><h1>Bare route</h1><p>A small page.</p></main></body></html>")


def caller(app, environ):
    """A function making one request to ``app``; it fails loudly on anything but a 200."""
    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise RuntimeError(f"the page answered {status}")

    def view():
        return b"".join(app(dict(environ), start_response))
    return view


def per_view(view, views: int, runs: int) -> float:
    """The fastest run's CPU time per call, in microseconds."""
    for _ in range(min(views, 500)):
        view()
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        for _ in range(views):
            view()
        best = min(best, (time.process_time() - started) / views)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--views", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--url", default="/pathways/suspected-colorectal-cancer/")
    args = parser.parse_args()

    bare = Flask("bare")
    bare.get("/")(lambda: BARE_HTML)
    bare_view = caller(bare, EnvironBuilder(path="/", base_url="http://127.0.0.1/").get_environ())

    with tempfile.TemporaryDirectory(prefix="pathway-review-view-") as tmp, \
            temporary_database(Path(tmp)) as url:
        app = make_app(Path(tmp), url, TESTING=False, PATHWAYS_DIR=str(ROOT / "pathways"),
                       LIBRARY_CHECK_INTERVAL=2.0)
        try:
            client = app.test_client()
            AuthActions(client).login("gp")
            client.get("/")  # the landing page, as a browser (and pages.py's client) follows the sign-in
            cookie = client.get_cookie("pathway_review_session")
            environ = EnvironBuilder(path=args.url, base_url="http://127.0.0.1/",
                                     headers={"Cookie": f"{cookie.key}={cookie.value}"}).get_environ()
            page_view = caller(app, environ)
            if b"</main>" not in page_view():
                raise RuntimeError(f"{args.url} did not return a page")
            page = per_view(page_view, args.views, args.runs)
            bare_time = per_view(bare_view, args.views, args.runs)
            print(f"bare Flask route                  {bare_time:7.0f} µs CPU per view")
            print(f"pathway page, signed in as a GP   {page:7.0f} µs CPU per view  {args.url}")
            print(f"page minus bare                   {page - bare_time:7.0f} µs")
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.views):
                    page_view()
                profile.disable()
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
                print(out.getvalue())
        finally:
            app.extensions["pathway_review.db"].dispose()


if __name__ == "__main__":
    main()
