"""The benchmark's own Neo4j: the project's local launcher with its own port, one store
per graph size (data/bench/store-<entities>, so switching sizes does not reload), more
memory, and APOC core loaded as a plugin (for @neo4j/graphql).

Memory comes from the usual variables when they are set (LOCAL_NEO4J_HEAP,
LOCAL_NEO4J_PAGECACHE, LOCAL_NEO4J_TX_MEMORY), else from the size's defaults below; the
port from BENCH_NEO4J_PORT. Only one store runs at a time (they share the port).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from graph.local_neo4j import LocalNeo4j, Neo4jStartError, build_launcher
from graph.settings import ROOT, Settings

BENCH_DIR = ROOT / "bench"
DATA = ROOT / "data" / "bench"
PLUGINS = ROOT / "launcher" / "target" / "bench-plugins"
DEFAULT_PORT = 7692
DEFAULTS = {"LOCAL_NEO4J_HEAP": "3g", "LOCAL_NEO4J_PAGECACHE": "4g", "LOCAL_NEO4J_TX_MEMORY": "2g"}
# The 10^6 graph (10^7 relationships) on this 24 GB machine: its store is 7.5 GB, so a
# 10 GB page cache holds all of it; a 4 GB heap serves 64 concurrent queries and the load.
# That leaves ~10 GB for the services, the load generator and the OS.
LARGE = 500_000
LARGE_DEFAULTS = {"LOCAL_NEO4J_HEAP": "4g", "LOCAL_NEO4J_PAGECACHE": "10g"}


def store(entities: int) -> Path:
    """The directory (DATA_DIR) of the store that holds the graph of this size."""
    return DATA / f"store-{entities}"


def settings(entities: int, env: dict[str, str] | None = None) -> Settings:
    """Settings for everything the benchmark starts on the graph of this size: its Neo4j,
    and our service on it."""
    env = dict(os.environ if env is None else env)
    for name, value in {**DEFAULTS, **(LARGE_DEFAULTS if entities >= LARGE else {})}.items():
        env.setdefault(name, value)
    env["DATA_DIR"] = str(store(entities))
    env["LOCAL_NEO4J_PORT"] = env.get("BENCH_NEO4J_PORT", str(DEFAULT_PORT))
    env.pop("NEO4J_URI", None)
    # Bulk batches and the benchmark's set-up queries run longer than an API query.
    return replace(Settings.from_env(env), query_timeout_s=60.0)


def build_apoc(log=print) -> None:
    """APOC core from Maven Central into launcher/target/bench-plugins (once)."""
    if any(PLUGINS.glob("apoc-core-*.jar")):
        return
    if shutil.which("mvn") is None:
        raise Neo4jStartError("Maven (mvn) is needed to fetch APOC; install it first.")
    log("Fetching APOC core from Maven Central for the benchmark's Neo4j ...")
    subprocess.run(["mvn", "-q", "-B", "package"], cwd=BENCH_DIR / "apoc", check=True)


def credentials_env(cfg: Settings) -> dict[str, str]:
    """NEO4J_USERNAME / NEO4J_PASSWORD of the bench Neo4j (its password is made on its first
    start, in its store under data/bench), for the processes the benchmark starts: passed in their
    environment, never on a command line or in the plan file."""
    user, password = cfg.neo4j_auth() or ("neo4j", "")
    return {"NEO4J_USERNAME": user, "NEO4J_PASSWORD": password}


def local(cfg: Settings) -> LocalNeo4j:
    return LocalNeo4j(cfg, plugins=PLUGINS)


def stop_others(entities: int, log=print) -> None:
    """Stops the bench Neo4j of any other size's store (they share the port)."""
    for path in sorted(DATA.glob("store-*")):
        other = path.name.removeprefix("store-")
        if other.isdigit() and int(other) != entities:
            neo = local(settings(int(other)))
            if neo.running_pid() is not None:
                log(f"stopping the bench Neo4j of {path.name}")
                neo.stop()


def start(cfg: Settings, log=print) -> LocalNeo4j:
    build_launcher(log)
    build_apoc(log)
    neo = local(cfg)
    took = neo.start(log=log)
    log(
        f"bench Neo4j on {cfg.bolt_uri} (heap {cfg.neo4j_heap}, page cache "
        f"{cfg.neo4j_pagecache}, store {cfg.data_dir}){f', started in {took:.0f}s' if took else ''}"
    )
    return neo
