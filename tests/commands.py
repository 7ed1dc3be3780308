"""Running the command line as a user does, against the test Neo4j: `graph.cli ingest` as
a subprocess, and plain queries for checking what it wrote."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


def neo4j_env(settings: Settings) -> dict[str, str]:
    """The variables that point a child process at the test Neo4j, credentials included
    (the local one's password from its data directory)."""
    env = {"NEO4J_URI": settings.bolt_uri, "NEO4J_DATABASE": settings.neo4j_database}
    auth = settings.neo4j_auth()
    if auth is not None:
        env |= {"NEO4J_USERNAME": auth[0], "NEO4J_PASSWORD": auth[1]}
    return env


def cli_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **neo4j_env(settings)}


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


def delete_prefixed(settings: Settings, prefix: str) -> None:
    """Removes what a test wrote under ids starting with `prefix`: its entities, sources,
    redirects, relationships and the Change records of all of them."""
    # The Changes of the batches that wrote these facts first, found through the facts.
    query(
        settings,
        "CALL () { MATCH (n:Entity) WHERE n.id STARTS WITH $p RETURN n._changes AS ids "
        "  UNION ALL MATCH (a:Entity)-[r]->() WHERE a.id STARTS WITH $p RETURN r._changes AS ids "
        # A merged entity's batches, kept on its redirect as `<change id>|<subject>|<object>`.
        "  UNION ALL MATCH (d:Redirect) WHERE d.id STARTS WITH $p "
        "  RETURN [h IN coalesce(d._history, []) | split(h, '|')[0]] AS ids } "
        "UNWIND ids AS cid MATCH (c:Change {id: cid}) WITH DISTINCT c DELETE c",
        p=prefix,
    )
    query(
        settings,
        "MATCH (n) WHERE (n:Entity OR n:Source OR n:Redirect) AND n.id STARTS WITH $p "
        "DETACH DELETE n",
        p=prefix,
    )
    query(settings, "MATCH (c:Change) WHERE c.subject STARTS WITH $p DELETE c", p=prefix)


@contextmanager
def foreign_listener(port: int) -> Iterator[subprocess.Popen]:
    """Another program (a Python socket, in a process of its own) listening on the loopback
    `port` until the block ends."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys, time\n"
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()\n"
            "print('listening', flush=True); time.sleep(300)",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "listening"
        yield process
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
