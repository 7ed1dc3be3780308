"""One frozen settings object read from the environment; nothing else reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The local Neo4j's only user (its password: Settings.local_password_file).
LOCAL_NEO4J_USER = "neo4j"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from exc


def _positive(env: dict[str, str], name: str, default: int, zero: bool = False) -> int:
    value = _int(env, name, default)
    if value < (0 if zero else 1):
        raise SystemExit(f"{name} must be {'0 or more' if zero else 'at least 1'}, got {value}")
    return value


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError as exc:
        raise SystemExit(f"{name} must be a number of seconds, got {raw!r}") from exc
    if not value > 0:
        raise SystemExit(f"{name} must be more than 0 seconds, got {raw}")
    return value


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


def _origins(raw: str) -> tuple[str, ...]:
    """CORS_ORIGINS: comma-separated origins (`https://app.example.org`), or `*`."""
    origins = []
    for item in raw.split(","):
        origin = item.strip().rstrip("/")
        if not origin:
            continue
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise SystemExit(f"CORS_ORIGINS: {origin!r} is not an origin like https://host[:port]")
        origins.append(origin)
    return tuple(origins)


def _choice(env: dict[str, str], name: str, default: str, choices: set[str]) -> str:
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        raise SystemExit(f"{name} must be one of {', '.join(sorted(choices))}, got {raw!r}")
    return raw


def _base_iri(raw: str) -> str:
    """EXPORT_BASE_IRI: an absolute IRI that ids are appended to, so it ends with `/`,
    `#` or `:` (`https://kg.example.org/id/`, `urn:ipkg:`)."""
    raw = raw.strip() or "urn:ipkg:"
    scheme, colon, _ = raw.partition(":")
    if (
        not colon
        or not scheme.isascii()
        or not scheme[:1].isalpha()
        or not raw.endswith(("/", "#", ":"))
    ):
        raise SystemExit(
            f"EXPORT_BASE_IRI must be an absolute IRI ending with '/', '#' or ':', got {raw!r}"
        )
    return raw


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
    # Abuse limits (graph/extensions/limits.py), checked before Neo4j is touched.
    max_query_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 5000
    max_query_cost: int = 100_000
    max_filter_clauses: int = 200
    max_list_items: int = 10_000
    max_body_bytes: int = 1_000_000
    # Operations in one batched request (a JSON array); 0 turns batching off.
    max_batch_operations: int = 10
    # GraphQL requests executing at once per worker process (the rest wait their turn).
    max_in_flight: int = 8
    # Log lines (graph/logs.py): `json` (one object a line) or `text`.
    log_format: str = "json"
    # Browser origins allowed to call the API cross-origin (empty: same origin only).
    cors_origins: tuple[str, ...] = ()
    # Automatic persisted queries (graph/http/persisted.py).
    persisted_queries_cache: int = 1000
    persisted_queries_only: bool = False
    persisted_queries_manifest: Path | None = None
    # How long `run` waits for Neo4j before giving up, in seconds (serve waits forever).
    neo4j_wait_s: float = 120.0
    # How long an idle HTTP keep-alive connection stays open, in seconds: longer than a
    # client's or a load balancer's own idle timeout, so that they, not the service, close
    # it (a server closing a connection as a request arrives on it loses that request).
    keep_alive_s: float = 75.0
    # Server processes (uvicorn workers) sharing the port; each has its own driver pool.
    workers: int = 1
    # Where `run` records the Neo4j it uses, for the command line (graph/running.py).
    run_dir: Path = ROOT / ".run"
    # Serve the schema as an Apollo Federation 2 subgraph (graph/schema.py).
    federation: bool = False
    # HTTP caching of GET queries (graph/http/caching.py): max-age in seconds (0: no-cache,
    # revalidated with the ETag each time), of anonymous answers and, apart, of answers to
    # a request with a token; whether shared caches may keep authenticated answers; how
    # long a worker may reuse the graph version it read (0: read per request).
    cache_max_age: int = 0
    cache_max_age_authenticated: int = 0
    cache_share_authenticated: bool = False
    graph_version_ttl_ms: int = 0
    # Subscriptions (graph/subscriptions/): how often each worker's one poller reads new
    # changes, the subscriptions one WebSocket and one worker may hold, the most changes
    # one `after` may replay, keep-alive pings.
    subscription_poll_ms: int = 500
    max_subscriptions_per_connection: int = 10
    max_subscriptions_per_worker: int = 1000
    subscription_max_replay: int = 1000
    websocket_ping_s: float = 15.0
    # Exports (graph/http/export.py): the most entities and relationships one may hold,
    # and the namespace of the IRIs its JSON-LD gives them.
    max_export_items: int = 10_000
    export_base_iri: str = "urn:ipkg:"

    @property
    def uses_local_neo4j(self) -> bool:
        return not self.neo4j_uri

    @property
    def local_password_file(self) -> Path:
        """The local Neo4j's password (user `neo4j`), made on its first start (owner-only)."""
        return self.data_dir / "neo4j-password"

    def neo4j_auth(self) -> tuple[str, str] | None:
        """The user and password to connect with: for the local Neo4j, `neo4j` and the
        password in its data directory (read now, so a password made after these settings
        counts; empty when none was made yet); for NEO4J_URI, NEO4J_USERNAME and
        NEO4J_PASSWORD (None, no auth, when the password is empty)."""
        if self.uses_local_neo4j:
            try:
                password = self.local_password_file.read_text(encoding="utf-8").strip()
            except FileNotFoundError:
                password = ""
            return (LOCAL_NEO4J_USER, password)
        return (self.neo4j_username, self.neo4j_password) if self.neo4j_password else None

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
            max_query_depth=_positive(env, "MAX_QUERY_DEPTH", 15),
            max_aliases=_positive(env, "MAX_ALIASES", 30, zero=True),
            max_tokens=_positive(env, "MAX_TOKENS", 5000),
            max_query_cost=_positive(env, "MAX_QUERY_COST", 100_000),
            max_filter_clauses=_positive(env, "MAX_FILTER_CLAUSES", 200),
            max_list_items=_positive(env, "MAX_LIST_ITEMS", 10_000),
            max_body_bytes=_positive(env, "MAX_BODY_BYTES", 1_000_000),
            max_batch_operations=_positive(env, "MAX_BATCH_OPERATIONS", 10, zero=True),
            max_in_flight=_positive(env, "MAX_IN_FLIGHT", 8),
            log_format=_choice(env, "LOG_FORMAT", "json", {"json", "text"}),
            cors_origins=_origins(env.get("CORS_ORIGINS", "")),
            persisted_queries_cache=_positive(env, "PERSISTED_QUERIES_CACHE", 1000),
            persisted_queries_only=_flag(env, "PERSISTED_QUERIES_ONLY", False),
            persisted_queries_manifest=(
                Path(env["PERSISTED_QUERIES_MANIFEST"]).expanduser()
                if env.get("PERSISTED_QUERIES_MANIFEST", "").strip()
                else None
            ),
            neo4j_wait_s=float(env.get("NEO4J_WAIT_S", "120") or 120),
            keep_alive_s=float(env.get("KEEP_ALIVE_S", "75") or 75),
            workers=_positive(env, "WORKERS", 1),
            run_dir=Path(env.get("RUN_DIR", "").strip() or ROOT / ".run").resolve(),
            federation=_flag(env, "FEDERATION", False),
            cache_max_age=_positive(env, "CACHE_MAX_AGE", 0, zero=True),
            cache_max_age_authenticated=_positive(env, "CACHE_MAX_AGE_AUTHENTICATED", 0, zero=True),
            cache_share_authenticated=_flag(env, "CACHE_SHARE_AUTHENTICATED", False),
            graph_version_ttl_ms=_positive(env, "GRAPH_VERSION_TTL_MS", 0, zero=True),
            subscription_poll_ms=_positive(env, "SUBSCRIPTION_POLL_MS", 500),
            max_subscriptions_per_connection=_positive(env, "MAX_SUBSCRIPTIONS_PER_CONNECTION", 10),
            max_subscriptions_per_worker=_positive(env, "MAX_SUBSCRIPTIONS_PER_WORKER", 1000),
            subscription_max_replay=_positive(env, "SUBSCRIPTION_MAX_REPLAY", 1000),
            websocket_ping_s=_seconds(env, "WEBSOCKET_PING_S", 15.0),
            max_export_items=_positive(env, "MAX_EXPORT_ITEMS", 10_000),
            export_base_iri=_base_iri(env.get("EXPORT_BASE_IRI", "")),
        )
        _check_jwt(settings)
        return settings


# The settings that choose a Neo4j: when none is set, the command line uses the running
# service's Neo4j (graph/running.py).
NEO4J_CHOICE = ("NEO4J_URI", "LOCAL_NEO4J_PORT", "DATA_DIR")


def neo4j_chosen(env: dict[str, str] | None = None) -> bool:
    """Whether the environment names a Neo4j (any of NEO4J_CHOICE set and not empty)."""
    found = os.environ if env is None else env
    return any(found.get(name, "").strip() for name in NEO4J_CHOICE)


DEFAULT_DOMAIN = "graph.domain.kinds:DOMAIN"


def domain_declaration(env: dict[str, str] | None = None) -> str:
    """`DOMAIN`: the `module:attribute` of the domain declaration the service is built
    from (graph/domain). Read once, at import time, because every type derives from it;
    only tests and extensions of the domain set it."""
    raw = (os.environ if env is None else env).get("DOMAIN", "").strip() or DEFAULT_DOMAIN
    if raw.count(":") != 1:
        raise SystemExit(f"DOMAIN must look like package.module:ATTRIBUTE, got {raw!r}")
    return raw
