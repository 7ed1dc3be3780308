"""One frozen settings object read from the environment; nothing else reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    # Strict: a typo must not silently leave a security switch off.
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SystemExit(f"{name} must be 1 or 0, got {raw!r}")


def _pem(raw: str) -> str:
    """JWT_RS256_PUBLIC_KEY is the PEM text itself (newlines may be written as \\n) or a path
    to a PEM file."""
    raw = raw.strip()
    if not raw or raw.startswith("-----BEGIN"):
        return raw.replace("\\n", "\n")
    try:
        return Path(raw).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"JWT_RS256_PUBLIC_KEY: cannot read {raw!r} ({exc.strerror})") from exc


def _check_jwt(settings: Settings) -> None:
    # RFC 7518 section 3.2: an HS256 key has at least 256 bits.
    if settings.jwt_hs256_secret and len(settings.jwt_hs256_secret.encode()) < 32:
        raise SystemExit("JWT_HS256_SECRET must be at least 32 bytes long")
    # A token minted for another service must not open this one.
    if settings.accepts_jwt and not settings.jwt_audience:
        raise SystemExit("JWT_AUDIENCE must be set when a JWT key is")


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
    # Access control (graph/auth): reads are open unless this is on; writes always need a role.
    read_requires_token: bool = False
    jwt_hs256_secret: str = field(default="", repr=False)
    jwt_rs256_public_key: str = ""  # PEM text
    jwt_audience: str = ""
    jwt_issuer: str = ""
    jwt_role_claim: str = "role"

    @property
    def uses_local_neo4j(self) -> bool:
        return not self.neo4j_uri

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_bolt_port}"

    @property
    def accepts_jwt(self) -> bool:
        return bool(self.jwt_hs256_secret or self.jwt_rs256_public_key)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        settings = cls(
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
            read_requires_token=_flag(env, "READ_REQUIRES_TOKEN", False),
            jwt_hs256_secret=env.get("JWT_HS256_SECRET", ""),
            jwt_rs256_public_key=_pem(env.get("JWT_RS256_PUBLIC_KEY", "")),
            jwt_audience=env.get("JWT_AUDIENCE", "").strip(),
            jwt_issuer=env.get("JWT_ISSUER", "").strip(),
            jwt_role_claim=env.get("JWT_ROLE_CLAIM", "").strip() or "role",
        )
        _check_jwt(settings)
        return settings
