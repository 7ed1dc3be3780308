"""The GraphQL-over-HTTP audit suite of the npm package graphql-http (`auditServer`), run
by node against the service: every MUST passes, and each SHOULD that does not is one the
README lists, with its reason (section "GraphQL over HTTP")."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graph.settings import ROOT

HERE = Path(__file__).resolve().parent


def run_audit(url: str) -> list[dict]:
    if shutil.which("node") is None:
        pytest.fail("node is not installed; the audit needs Node.js 20+")
    if not (HERE / "node_modules" / "graphql-http").is_dir():
        pytest.fail("graphql-http is not installed: run `make compliance`")
    finished = subprocess.run(
        ["node", str(HERE / "audit.mjs"), url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)["results"]


def documented_shoulds() -> set[str]:
    """Audit ids the README lists as SHOULDs not met, e.g. "- `22EB` SHOULD ...: why"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### GraphQL over HTTP", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([0-9A-F]{4})` SHOULD", section, flags=re.MULTILINE))


def test_graphql_over_http_audit(server):
    results = run_audit(f"{server.url}/graphql")
    assert len(results) > 50, results
    musts = [r for r in results if r["name"].startswith("MUST")]
    failed_musts = [r for r in musts if r["status"] != "ok"]
    assert musts
    assert not failed_musts, json.dumps(failed_musts, indent=1)
    failed_shoulds = {
        r["id"] for r in results if r["name"].startswith("SHOULD") and r["status"] != "ok"
    }
    assert failed_shoulds == documented_shoulds(), [
        r for r in results if r["id"] in failed_shoulds ^ documented_shoulds()
    ]
