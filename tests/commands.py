"""Running the command line as a user does, against the test Neo4j: `graph.cli ingest` as
a subprocess, and plain queries for checking what it wrote."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from graph.db import Database
from graph.settings import ROOT, Settings


async def _query(settings: Settings, query: str, **params: Any) -> list[dict[str, Any]]:
    db = Database(settings)
    try:
        return await db.write((query, params))
    finally:
        await db.close()


def query(settings: Settings, query: str, **params: Any) -> list[dict[str, Any]]:
    return asyncio.run(_query(settings, query, **params))


def cli_env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "NEO4J_URI": settings.bolt_uri, "NEO4J_DATABASE": settings.neo4j_database}
    if settings.neo4j_password:
        env |= {
            "NEO4J_USERNAME": settings.neo4j_username,
            "NEO4J_PASSWORD": settings.neo4j_password,
        }
    return env


def ingest(settings: Settings, *args: str | Path, env: dict | None = None):
    command = [sys.executable, "-m", "graph.cli", "ingest", *map(str, args)]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env or cli_env(settings),
        capture_output=True,
        text=True,
        timeout=600,
    )
