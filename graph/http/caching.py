"""HTTP caching of queries sent with GET: an `ETag` from the graph version and everything
else an answer depends on, `304 Not Modified` without executing when the client's
`If-None-Match` still matches, and the `Cache-Control` the operator chose.

The graph version (graph/cypher/version.py) is read from Neo4j before the operation runs:
an answer may then hold data newer than its label (a write committed while it ran), which
costs one needless refetch. Read after, it could label old data with a newer version, and
every 304 would keep that old data.

Two answers share an ETag only when they are the same answer: the tag hashes the graph's
epoch and version, the service's code and domain (a deploy may answer differently), the
resolved query text (a persisted query's hash is resolved first), the operation name, the
variables (canonical JSON), the caller's role (history shows authors to editors only),
and the negotiated media type. Responses vary on `Authorization` and `Accept`.

Only successful answers to GET carry an ETag; mutations, errors and POST are
`Cache-Control: no-store`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from graph.auth.roles import Principal
from graph.cypher import version
from graph.db import Database
from graph.settings import Settings, domain_declaration

NO_STORE = "no-store"
VARY = "Authorization, Accept"
_GRAPH = Path(__file__).resolve().parents[1]


def code_fingerprint() -> str:
    """The service's code and domain declaration: workers of one deploy agree on it; a
    deploy that changes any module changes every ETag."""
    digest = hashlib.sha256(domain_declaration().encode())
    for path in sorted(_GRAPH.rglob("*.py")):
        digest.update(path.relative_to(_GRAPH).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def if_none_match(header: str | None, etag: str) -> bool:
    """RFC 9110 section 13.1.2: weak comparison against each listed tag. `*` ("any
    current representation") matches nothing here: the 304 is decided before the
    operation is parsed, so `*` would answer a mutation or an invalid document with a
    cacheable-looking 304; a tag names one query's answer, and no other."""
    if not header:
        return False
    ours = etag.removeprefix("W/")
    return any(item.strip().removeprefix("W/") == ours for item in header.split(","))


@dataclass(frozen=True)
class CachePolicy:
    max_age: int = 0
    # Answers to a request with a token are revalidated each time (no-cache) unless the
    # operator gives them a max-age of their own: CACHE_MAX_AGE alone never lets a
    # revoked key's or another role's copy be reused unchecked.
    max_age_authenticated: int = 0
    # Authenticated answers may be stored by shared caches (a CDN keys them on the
    # Authorization header, which the responses vary on).
    share_authenticated: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> CachePolicy:
        return cls(
            settings.cache_max_age,
            settings.cache_max_age_authenticated,
            settings.cache_share_authenticated,
        )

    def cache_control(self, principal: Principal) -> str:
        if principal.is_anonymous:
            scope, max_age = "public", self.max_age
        else:
            scope = "public" if self.share_authenticated else "private"
            max_age = self.max_age_authenticated
        # no-cache: stored, but revalidated (a 304 when nothing changed) before each use.
        freshness = f"max-age={max_age}" if max_age else "no-cache"
        return f"{scope}, {freshness}"


class GraphVersions:
    """Reads the graph version: from Neo4j for each request, or (ttl_s > 0) at most once
    per `ttl_s` per process, which lets a cache serve answers up to that much older than
    a write."""

    def __init__(self, db: Database, ttl_s: float = 0.0) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._kept: tuple[float, tuple[str, int]] | None = None

    async def current(self) -> tuple[str, int]:
        """(epoch, version); ("", 0) before the first write."""
        now = time.monotonic()
        if self.ttl_s and self._kept and now - self._kept[0] < self.ttl_s:
            return self._kept[1]
        rows = await self.db.read((version.CURRENT, {}))
        found = (rows[0]["epoch"], rows[0]["version"]) if rows else ("", 0)
        self._kept = (now, found)
        return found


class HttpCache:
    """What the view needs: the ETag of a GET operation, and the headers of each answer."""

    def __init__(self, versions: GraphVersions, policy: CachePolicy) -> None:
        self.versions = versions
        self.policy = policy
        self.code = code_fingerprint()

    async def etag(
        self, principal: Principal, request_data: Any, media_type: str
    ) -> tuple[str, int]:
        """The weak ETag of this operation's answer now, and the graph version it names."""
        epoch, graph_version = await self.versions.current()
        role = (
            "anonymous"
            if principal.is_anonymous or principal.role is None
            else (principal.role.name)
        )
        key = orjson.dumps(
            [
                self.code,
                epoch,
                graph_version,
                role,
                media_type,
                request_data.query,
                request_data.operation_name,
                request_data.variables,
            ],
            option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        )
        digest = hashlib.sha256(key).hexdigest()[:32]
        return f'W/"{graph_version}-{digest}"', graph_version

    def cacheable_headers(self, principal: Principal, etag: str, graph_version: int) -> dict:
        return {
            "ETag": etag,
            "Cache-Control": self.policy.cache_control(principal),
            "Vary": VARY,
            "X-Graph-Version": str(graph_version),
        }
