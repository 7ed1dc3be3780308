"""Per-request context: the shared database, who is asking, and request-scoped batch
loaders.

The loaders batch lookups made by sibling fields (every parent's relationships at one
level of the response) into one query each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from graph.auth.roles import ANONYMOUS, Principal
from graph.cypher import entities as q
from graph.db import Database

RelKey = tuple[str, tuple[str, ...] | None, str, int]


@dataclass
class Context:
    db: Database
    request: Any = None
    response: Any = None
    prefetch: bool = True
    # Authenticated once per request by the view (graph/http/view.py, graph.auth).
    principal: Principal = ANONYMOUS
    # The request's abuse limits (graph.extensions.limits.Limits); None: the defaults.
    limits: Any = None
    # What is left of the request's cost budget (graph.extensions.limits.Budget): one per
    # request, so the operations of a batch share it. None: each operation has its own.
    budget: Any = None
    # The worker's change feed (graph.subscriptions.feed.ChangeFeed), for subscriptions.
    feed: Any = None
    # A WebSocket's `connection_init` payload (set by Strawberry's protocol handler).
    connection_params: Any = None
    sources: DataLoader = field(init=False)
    relationships: DataLoader = field(init=False)
    related: DataLoader = field(init=False)

    def __post_init__(self) -> None:
        self.sources = DataLoader(self._load_sources)
        self.relationships = DataLoader(self._load_relationships)
        self.related = DataLoader(self._load_related)

    async def _load_related(self, keys: list[tuple]) -> list[Any]:
        """Relationship windows the root field's query did not prefetch, one query per
        distinct window for every entity asking for it."""
        from graph.resolvers.related import prefetched

        groups: dict[tuple, list[str]] = defaultdict(list)
        for entity_id, window, total, aggregate in keys:
            groups[(window, total, aggregate)].append(entity_id)
        found: dict[tuple, Any] = {}
        for (window, total, aggregate), ids in groups.items():
            cypher = q.windows_of(list(dict.fromkeys(ids)), window, total, aggregate)
            for row in await self.db.read(cypher):
                found[(row["id"], window, total, aggregate)] = prefetched(row["node"], window)
        return [found.get(key) for key in keys]

    async def _load_sources(self, ids: list[str]) -> list[dict | None]:
        rows = await self.db.read(q.sources_by_ids(list(ids)))
        found = {row["source"]["id"]: row["source"] for row in rows}
        return [found.get(i) for i in ids]

    async def _load_relationships(self, keys: list[RelKey]) -> list[list[dict]]:
        groups: dict[tuple, list[str]] = defaultdict(list)
        for entity_id, types, direction, first in keys:
            groups[(types, direction, first)].append(entity_id)
        found: dict[RelKey, list[dict]] = defaultdict(list)
        for (types, direction, first), ids in groups.items():
            cypher = q.relationships_of(
                list(dict.fromkeys(ids)), list(types) if types else None, direction, first
            )
            for row in await self.db.read(cypher):
                found[(row["id"], types, direction, first)].append(row)
        return [found.get(key, []) for key in keys]

    # Strawberry reads these like a mapping in some integrations.
    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)
