"""What ``make run`` runs: set up a local instance with demo data, then serve it until ctrl-C.

The host and port come from the environment (``HOST``, ``PORT``; ``make run`` passes its own), the
instance folder from ``PATHWAY_REVIEW_INSTANCE_PATH`` like every other command. The processes that serve
are listed in :data:`PROCESSES`: they start together and stop together.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = str(BIN / "pathway-review")


def instance_folder() -> Path:
    return Path(os.environ.get("PATHWAY_REVIEW_INSTANCE_PATH") or ROOT / "instance")


def setup() -> None:
    step("init", quiet=True)
    step("demo", "accounts")  # prints the demo accounts: the one thing a newcomer needs to read
    marker = instance_folder() / ".demo-data"
    if not marker.exists():  # demo feedback, local notes, interface issues and a case study, added once per instance
        print("Adding demo feedback, local notes and interface issues (first run only)...", flush=True)
        step("feedback", "demo", "300", "--seed", "1", quiet=True)
        step("local-notes", "demo", quiet=True)
        step("interface-log", "demo", quiet=True)
        step("case-studies", "demo", quiet=True)
        marker.touch()


def step(*args: str, quiet: bool = False) -> None:
    result = subprocess.run([CLI, *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE)
    if result.returncode != 0:
        sys.stderr.write((result.stdout or "") + result.stderr)
        sys.exit(f"pathway-review {' '.join(args)} failed (exit status {result.returncode})")


def processes(host: str, port: str) -> list[list[str]]:
    """Every process that serves, started together and stopped together."""
    return [
        # gthread: a few processes, each with threads, so one slow page does not hold up everyone.
        [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--bind", f"{host}:{port}",
         "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--log-level", "warning", "wsgi:app"],
        # The job-queue worker: delivers events (search, mail), runs digests, reminders and sweeps.
        [str(BIN / "pathway-review"), "worker"],
    ]


def serve(commands: list[list[str]], url: str) -> int:
    running = [subprocess.Popen(command, cwd=ROOT) for command in commands]
    print(f"Serving on {url} - press ctrl-C to stop.", flush=True)
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while not stopping:
        ended = [proc for proc in running if proc.poll() is not None]
        if ended:  # one process gone means the service is broken: stop the rest too
            status = ended[0].returncode or 1
            print(f"{Path(ended[0].args[0]).name} stopped (exit status {ended[0].returncode}); stopping.",
                  file=sys.stderr, flush=True)
            break
        time.sleep(0.2)
    for proc in running:
        if proc.poll() is None:
            proc.terminate()  # gunicorn: finish the requests in hand, then exit
    deadline = time.monotonic() + 30
    for proc in running:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    print("Stopped.", flush=True)
    return status


def main() -> int:
    host, port = os.environ.get("HOST") or "127.0.0.1", os.environ.get("PORT") or "5000"
    setup()
    return serve(processes(host, port), f"http://{host}:{port}/")


if __name__ == "__main__":
    sys.exit(main())
