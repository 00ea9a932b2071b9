"""Export benchmark: rows/s and peak memory of every export format, each beside a bare baseline.

    .venv/bin/python benchmarks/export.py [--rows 100000] [--small 1000] [--repeat 3] [--source synthetic]

The rows come from a temporary SQLite database: ``synthetic`` (the default) is a feedback-like table of
the benchmark's own, exposed through a dataset plugin in this folder (``export_bench_dataset.py``);
``feedback`` fills the real feedback plugin's tables with ``pathway-review feedback demo N``.

Each export is a real ``GET /api/v1/export/<dataset>.<format>`` with an API token, read to the last byte.
Baselines, in the same run and on the same rows: CSV is the ``csv`` module writing the rows of the same
streamed SQLAlchemy Core query to a file; XLSX is xlsxwriter's constant-memory mode writing them with
``write_row``; JSON and NDJSON are ``json.dumps`` of each row. (With ``--source feedback`` the baselines
write the feedback dataset's own rows, so the ratio is the export plugin's cost over the dataset's.)

Every run is a fresh subprocess, and its peak resident memory (``VmHWM``) is reset just before the
export starts, so the peak is the export's own (on top of whatever the process already held). Goals: peak
memory for the large run within 30 MB of the small run in every format; CSV at least 60% and XLSX at
least 80% of their baselines' rows per second. Figures are printed, not asserted.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

FORMATS = ["csv", "xlsx", "json", "ndjson"]
BASELINE_OF = {"csv": "csv", "xlsx": "xlsx", "json": "json", "ndjson": "json"}
THROUGHPUT_GOAL = {"csv": 0.60, "xlsx": 0.80}
MEMORY_GOAL_MB = 30
TODAY = "2026-11-21"  # inside the sample consultations, so the demo feedback has rounds to go to


def config(folder: Path, source: str) -> dict:
    plugins = ["plugins.export", "export_bench_dataset" if source == "synthetic" else "plugins.feedback"]
    return {"INSTANCE_PATH": folder / "instance", "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": "benchmark", "LOAD_ENTRY_POINTS": False, "PLUGINS": plugins, "TODAY": TODAY,
            "EXPORT_RATE_LIMIT": "1000/60", "LIBRARY_CHECK_INTERVAL": 3600}


def make_app(folder: Path, source: str):
    from pathway_review import accounts, create_app

    accounts.use_fast_hashing()  # the accounts are scaffolding; the export is what is measured
    app = create_app(config(folder, source))
    logging.getLogger().setLevel(logging.WARNING)  # the audit log line per export is noise here
    return app


# ---- setting up a database -----------------------------------------------------------------------

def prepare(folder: Path, count: int, source: str) -> str:
    """Create the database with ``count`` rows and a CfSD account; return its API token."""
    from pathway_review import accounts, boards
    from pathway_review.db import upgrade

    app = make_app(folder, source)
    upgrade(app)
    database = app.extensions["pathway_review.db"]
    with database.transaction() as session:
        boards.seed_boards(session)
        session.flush()
        user = accounts.create_user(session, "bench@cfsd.example", "Benchmark", "cfsd", None, None)
        session.flush()
        token = accounts.create_token(session, user, "benchmark")
    if source == "synthetic":
        import export_bench_dataset

        export_bench_dataset.create(database.engine, count)
    else:
        result = app.test_cli_runner().invoke(args=["feedback", "demo", str(count), "--seed", "1"])
        if result.exit_code != 0:
            raise SystemExit(f"feedback demo failed: {result.output}")
    database.engine.dispose()
    return token


# ---- one measured run (in a child process) ------------------------------------------------------------

def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def reset_peak() -> None:
    """Start the peak afresh, so it measures the export and not the app's start-up before it."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass  # not Linux, or not allowed: the peak then includes start-up, the same in every run


def peak_rss_kb() -> int:
    # VmHWM belongs to this process's own address space; ru_maxrss would carry over the parent's
    # peak across fork and exec, and the parent has just built a large database.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_export(folder: Path, source: str, fmt: str, token: str) -> dict:
    from sqlalchemy import select

    from pathway_review.models import AuditEvent

    app = make_app(folder, source)
    client = app.test_client()
    dataset = "bench" if source == "synthetic" else "feedback"
    before = rss_kb()
    reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/api/v1/export/{dataset}.{fmt}", headers={"Authorization": f"Bearer {token}"},
                          buffered=False)
    if response.status_code != 200:
        raise SystemExit(f"{fmt}: {response.status_code} {response.get_data()[:300]!r}")
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with app.extensions["pathway_review.db"].sessions() as session:
        done = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "export.completed")
                               .order_by(AuditEvent.id.desc())).first()
    return {"seconds": seconds, "cpu": cpu, "bytes": size, "rows": json.loads(done)["rows"], "before_kb": before}


def baseline_rows(folder: Path, source: str):
    """(columns, rows, closer): the synthetic query streamed by Core, or the feedback dataset's rows."""
    if source == "synthetic":
        from sqlalchemy import create_engine

        import export_bench_dataset

        engine = create_engine(config(folder, source)["DATABASE_URL"])
        connection = engine.connect().execution_options(stream_results=True, yield_per=1000)
        result = connection.execute(export_bench_dataset.query())
        return export_bench_dataset.COLUMNS, result, connection.close
    from flask import g

    from pathway_review.plugins import host

    app = make_app(folder, source)
    context = app.test_request_context("/")
    context.push()
    g.hooks = host().view(None)
    dataset = next(d for found in host().call("datasets", view=g.hooks) for d in found if d.name == "feedback")
    columns = dataset.columns({})
    return columns, ([row.get(c) for c in columns] for row in dataset.rows({})), context.pop


def run_baseline(folder: Path, source: str, kind: str) -> dict:
    import xlsxwriter

    columns, rows, close = baseline_rows(folder, source)
    before = rss_kb()
    reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    count = 0
    if kind == "csv":
        with open(os.devnull, "w", encoding="utf-8", newline="") as sink:
            writer = csv.writer(sink)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row)
                count += 1
    elif kind == "xlsx":
        with tempfile.TemporaryFile() as target:
            book = xlsxwriter.Workbook(target, {"constant_memory": True})
            sheet = book.add_worksheet()
            sheet.write_row(0, 0, columns)
            for count, row in enumerate(rows, start=1):
                sheet.write_row(count, 0, row)
            book.close()
    else:
        with open(os.devnull, "w", encoding="utf-8") as sink:
            for row in rows:
                sink.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")
                count += 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    close()
    return {"seconds": seconds, "cpu": cpu, "rows": count, "before_kb": before}


def child(argv: list[str]) -> None:
    mode, folder, source, what, token = argv
    result = (run_export(Path(folder), source, what, token) if mode == "export"
              else run_baseline(Path(folder), source, what))
    result["peak_kb"] = peak_rss_kb()
    print(json.dumps(result))


# ---- the parent: set up, run every combination, report ---------------------------------------------------

def measure(mode: str, folder: Path, source: str, what: str, token: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(folder), source, what, token],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{mode} {what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    return {"rows_per_s": max(r["rows"] / r["seconds"] for r in runs),
            "rows_per_cpu_s": max(r["rows"] / r["cpu"] for r in runs),
            "peak_mb": statistics.median(r["peak_kb"] for r in runs) / 1024,
            "rows": runs[0]["rows"], "bytes": runs[0].get("bytes")}


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", choices=["synthetic", "feedback"], default="synthetic")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]

    work = Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        folders, tokens = {}, {}
        for size in (args.small, args.rows):
            folders[size] = work / str(size)
            started = time.perf_counter()
            tokens[size] = prepare(folders[size], size, args.source)
            print(f"prepared {size:,} rows ({args.source}) in {time.perf_counter() - started:.1f} s", flush=True)
        plan = [("baseline", kind, f"bare {kind}") for kind in sorted({BASELINE_OF[f] for f in formats})]
        plan += [("export", fmt, fmt) for fmt in formats]
        runs: dict[tuple[str, int], list[dict]] = {}
        # Interleaved, so that a busy moment on the machine falls on exports and baselines alike.
        for round_ in range(1, args.repeat + 1):
            for size in (args.small, args.rows):
                for mode, what, key in plan:
                    runs.setdefault((key, size), []).append(measure(mode, folders[size], args.source, what,
                                                                    tokens[size]))
            print(f"round {round_} of {args.repeat} measured", flush=True)
        results = {key: summarise(found) for key, found in runs.items()}
        report(results, formats, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def short(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def report(results: dict, formats: list[str], args) -> None:
    small, large = args.small, args.rows
    print(f"\nExport benchmark: {args.source} data in SQLite, best of {args.repeat} runs, each in a fresh process.")
    print(f"\nThroughput, {large:,} rows: rows per second of the process's CPU time (wall-clock in brackets;"
          f"\nCPU time is the fairer comparison when other work shares the machine). Ratio = export / baseline.\n")
    print(f"{'format':<8}{'export':>20}{'baseline':>22}{'ratio':>8}  goal")
    for fmt in formats:
        ours, bare = results[(fmt, large)], results[(f"bare {BASELINE_OF[fmt]}", large)]
        ratio = ours["rows_per_cpu_s"] / bare["rows_per_cpu_s"]
        goal = THROUGHPUT_GOAL.get(fmt)
        verdict = "" if goal is None else f">= {goal:.0%}: {'met' if ratio >= goal else 'MISSED'}"
        print(f"{fmt:<8}{ours['rows_per_cpu_s']:>10,.0f} ({ours['rows_per_s']:>7,.0f}){'':>2}"
              f"{bare['rows_per_cpu_s']:>10,.0f} ({bare['rows_per_s']:>7,.0f}) {'bare ' + BASELINE_OF[fmt]:<9}"
              f"{ratio:>6.0%}  {verdict}")
    print(f"\nPeak resident memory during the export (MB, median of the runs), {short(small)} and {short(large)} "
          f"rows:\n")
    print(f"{'':<10}{short(small):>8}{short(large):>8}{'growth':>8}  goal <= {MEMORY_GOAL_MB} MB   file")
    for key in formats + [f"bare {kind}" for kind in sorted({BASELINE_OF[f] for f in formats})]:
        low, high = results[(key, small)], results[(key, large)]
        growth = high["peak_mb"] - low["peak_mb"]
        verdict = ("met" if growth <= MEMORY_GOAL_MB else "MISSED") if key in formats else ""
        size = f"{high['bytes'] / 1e6:.1f} MB, {high['rows']:,} rows" if high.get("bytes") else ""
        print(f"{key:<10}{low['peak_mb']:>8.1f}{high['peak_mb']:>8.1f}{growth:>8.1f}  {verdict:<15}{size}")


if __name__ == "__main__":
    main()
