"""The Subscription root: changes as they are committed, from the worker's change feed
(graph/subscriptions/feed.py), filtered per subscriber."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.auth import keys
from graph.resolvers.arguments import check_relationship_types
from graph.types.live import EntityChange, RelationshipChange, entity_change, relationship_change
from graph.types.values import EntityKind

_AFTER = (
    "Resume after this commit (the `seq` of the last event seen): what committed since "
    "comes first, then the live events. Without it, only what commits from now on."
)


async def _authors(info: Info, change: dict[str, Any]) -> dict[str, str] | None:
    """Who made the change, by name, for editors and admins (as `history`); else None."""
    if not info.context.principal.has("editor"):
        return None
    by = change.get("by")
    return await keys.subject_names(info.context.db, {by}) if by else {}


@strawberry.type(description="Live updates, over WebSocket (graphql-transport-ws).")
class Subscription:
    @strawberry.subscription(
        description="Entities created, updated, merged or deleted, as each write commits "
        "(through any worker or service instance), in commit order."
    )
    async def entity_changed(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="Only changes to these entities (or merged into them)."
            ),
        ] = None,
        kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(description="Only entities of these kinds."),
        ] = None,
        after: Annotated[int | None, strawberry.argument(description=_AFTER)] = None,
    ) -> AsyncGenerator[EntityChange, None]:
        wanted = {str(i) for i in ids or []}
        wanted_kinds = {k.name for k in kinds or []}
        async for change in info.context.feed.subscribe(after):
            if change.get("target") != "entity":
                continue
            if wanted and not wanted & {change.get("subject"), change.get("object")}:
                continue
            if wanted_kinds and change.get("type") not in wanted_kinds:
                continue
            yield entity_change(change, await _authors(info, change))

    @strawberry.subscription(
        description="Relationships created, updated or deleted, as each write commits, in "
        "commit order."
    )
    async def relationship_changed(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only relationships with one of these at an end."),
        ] = None,
        types: Annotated[
            list[str] | None, strawberry.argument(description="Only these relationship types.")
        ] = None,
        after: Annotated[int | None, strawberry.argument(description=_AFTER)] = None,
    ) -> AsyncGenerator[RelationshipChange, None]:
        wanted = {str(i) for i in ids or []}
        wanted_types = set(check_relationship_types(types) or [])
        async for change in info.context.feed.subscribe(after):
            if change.get("target") != "relationship":
                continue
            if wanted and not wanted & {change.get("subject"), change.get("object")}:
                continue
            if wanted_types and change.get("type") not in wanted_types:
                continue
            yield relationship_change(change, await _authors(info, change))
