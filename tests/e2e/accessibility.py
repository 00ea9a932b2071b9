"""axe-core on a loaded page: serious and critical violations fail; the rest are reported."""
from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import ROOT

REPORT = Path(os.environ.get("PATHWAY_REVIEW_AXE_REPORT", ROOT / "test-artifacts" / "axe-minor.jsonl"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def check_accessibility(page, label: str) -> list[dict]:
    """Run axe; fail on serious/critical; record lesser findings for the closing report."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                       "resultTypes": ["violations"]})
    violations = results.response["violations"]
    blocking = [v for v in violations if v.get("impact") in ("serious", "critical")]
    minor = [v for v in violations if v not in blocking]
    if minor:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        with REPORT.open("a") as report:
            for v in minor:
                report.write(json.dumps({"page": label, "url": page.url, "id": v["id"], "impact": v.get("impact"),
                                         "help": v["help"], "nodes": len(v["nodes"])}) + "\n")
        for v in minor:
            print(f"axe ({v.get('impact')}) on {label}: {v['id']} — {v['help']} ({len(v['nodes'])} nodes)")
    assert not blocking, f"serious/critical accessibility violations on {label}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:5]]}" for v in blocking)
    return minor
