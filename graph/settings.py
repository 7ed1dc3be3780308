"""One frozen settings object read from the environment; nothing else reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    # An external Neo4j (cluster, Aura). Empty: the project starts its own local one.
    neo4j_uri: str
    neo4j_username: str
    neo4j_password: str
    neo4j_database: str
    # The local Neo4j started by the project.
    local_bolt_port: int
    data_dir: Path
    neo4j_heap: str
    neo4j_pagecache: str
    neo4j_txmemory: str
    # Serving.
    host: str
    port: int
    query_timeout_s: float
    pool_size: int
    debug: bool
    # Fetch each root field's whole selection in one query (off only to compare answers).
    prefetch: bool

    @property
    def uses_local_neo4j(self) -> bool:
        return not self.neo4j_uri

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_bolt_port}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            neo4j_uri=env.get("NEO4J_URI", "").strip(),
            neo4j_username=env.get("NEO4J_USERNAME", "neo4j"),
            neo4j_password=env.get("NEO4J_PASSWORD", ""),
            neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
            local_bolt_port=_int(env, "LOCAL_NEO4J_PORT", 7687),
            data_dir=Path(env.get("DATA_DIR", str(ROOT / "data"))).resolve(),
            neo4j_heap=env.get("LOCAL_NEO4J_HEAP", "4g"),
            neo4j_pagecache=env.get("LOCAL_NEO4J_PAGECACHE", "6g"),
            neo4j_txmemory=env.get("LOCAL_NEO4J_TX_MEMORY", "2g"),
            host=env.get("HOST", "127.0.0.1"),
            port=_int(env, "PORT", 8000),
            query_timeout_s=float(env.get("QUERY_TIMEOUT_S", "15") or 15),
            pool_size=_int(env, "NEO4J_POOL_SIZE", 50),
            debug=env.get("DEBUG", "").lower() in {"1", "true", "yes"},
            prefetch=env.get("PREFETCH", "1").lower() not in {"0", "false", "no"},
        )
