"""Every benchmark, one after another: `make bench` (or `.venv/bin/python benchmarks/run_all.py`).

Each script measures its own baseline in the same run and prints ratios; nothing here asserts a time.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["pages.py", "page_view.py", "feedback.py", "mixed.py", "scale.py", "search.py", "export.py"]


def main() -> int:
    failed = []
    for name in SCRIPTS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(script), *sys.argv[1:]]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
