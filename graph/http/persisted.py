"""Automatic persisted queries, in the protocol Apollo clients use.

A client sends `extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}`,
first without the query text:

- the hash is known: the stored query runs;
- it is not: the answer is the error `PersistedQueryNotFound` (code
  PERSISTED_QUERY_NOT_FOUND, HTTP 200), and the client sends the query again with its
  text and hash; the hash is checked (SHA-256 of the text, hex) and the query stored in
  an LRU of `PERSISTED_QUERIES_CACHE` entries and at most `MAX_BYTES` of text before it
  runs (a text over the token limit, or larger than `MAX_ENTRY_BYTES`, is not stored).

With `PERSISTED_QUERIES_ONLY=1` only known operations run: the playground's examples
(graph/examples/*.graphql), the operations of an Apollo persisted-query manifest
(`PERSISTED_QUERIES_MANIFEST`), and operations sent by a caller with the `admin` role
(kept until the service stops). Anything else is refused with
PERSISTED_QUERY_NOT_ALLOWED, text or hash alike.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from strawberry.http import GraphQLRequestData

from graph.auth.roles import Principal, Role
from graph.bounded import BoundedCache
from graph.errors import PersistedQueryError, PersistedQueryNotAllowed, PersistedQueryNotFound
from graph.extensions.limits import Limits, count_tokens

_HASH = re.compile(r"[0-9a-f]{64}")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(path: Path) -> dict[str, str]:
    """An Apollo persisted-query manifest: {"operations": [{"id", "body", ...}]} (ids are
    the bodies' SHA-256, checked here)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"PERSISTED_QUERIES_MANIFEST: cannot read {path} ({exc})") from exc
    known: dict[str, str] = {}
    for operation in manifest.get("operations", []) if isinstance(manifest, dict) else []:
        body = operation.get("body") if isinstance(operation, dict) else None
        if not isinstance(body, str):
            raise SystemExit(f"PERSISTED_QUERIES_MANIFEST: an operation without a body in {path}")
        digest = sha256(body)
        if operation.get("id") not in (None, digest):
            raise SystemExit(
                f"PERSISTED_QUERIES_MANIFEST: id {operation.get('id')!r} is not the SHA-256 "
                f"of its body in {path}"
            )
        known[digest] = body
    return known


MAX_BYTES = 16 * 1024 * 1024  # the stored texts together (UTF-8 bytes, roughly)
MAX_ENTRY_BYTES = 256 * 1024  # a longer text runs, but is not stored


class PersistedQueries:
    def __init__(
        self,
        cache_size: int,
        only_known: bool = False,
        known: dict[str, str] | None = None,
        max_tokens: int = Limits.tokens,
    ) -> None:
        self.only_known = only_known
        self.max_tokens = max_tokens
        # Never evicted: the examples, a manifest, what admins registered.
        self.known: dict[str, str] = dict(known or {})
        self.cache: BoundedCache[str, str] = BoundedCache(
            cache_size, MAX_BYTES, MAX_ENTRY_BYTES, lambda _digest, query: len(query)
        )

    def lookup(self, digest: str) -> str | None:
        if digest in self.known:
            return self.known[digest]
        if self.only_known:
            return None
        return self.cache.get(digest)

    def store(self, digest: str, query: str) -> None:
        # Over the token limit it will be refused anyway: nothing of it is kept.
        if count_tokens(query, self.max_tokens + 1) <= self.max_tokens:
            self.cache.put(digest, query)

    def resolve(self, data: GraphQLRequestData, principal: Principal) -> GraphQLRequestData:
        """The request with its query text filled in from the store, or an error."""
        extensions = data.extensions or {}
        persisted = extensions.get("persistedQuery")
        if persisted is None:
            if self.only_known and data.query is not None:
                self._allow(sha256(data.query), data.query, principal)
            return data
        digest = _digest(persisted)
        if data.query is None:
            query = self.lookup(digest)
            if query is None:
                if self.only_known:
                    raise PersistedQueryNotAllowed(
                        "This service runs only known operations, and this hash is not one."
                    )
                raise PersistedQueryNotFound()
            return replace(data, query=query)
        if not isinstance(data.query, str) or sha256(data.query) != digest:
            raise PersistedQueryError("provided sha does not match query")
        if self.only_known:
            self._allow(digest, data.query, principal)
        else:
            self.store(digest, data.query)
        return data

    def _allow(self, digest: str, query: str, principal: Principal) -> None:
        if digest in self.known:
            return
        if principal.role is not None and principal.role >= Role.ADMIN:
            self.known[digest] = query  # registered by an administrator
            return
        raise PersistedQueryNotAllowed(
            "This service runs only known operations (PERSISTED_QUERIES_ONLY); this one is "
            "not known. An administrator registers an operation by sending it once."
        )


def _digest(persisted: Any) -> str:
    if not isinstance(persisted, dict):
        raise PersistedQueryError("`extensions.persistedQuery` must be an object.")
    if persisted.get("version") != 1:
        raise PersistedQueryError("Unsupported persisted query version (only 1 is).")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest.lower()):
        raise PersistedQueryError(
            "`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal characters."
        )
    return digest.lower()
