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


async def _changes(
    info: Info, target: str, after: int | None, ends: set[str], types: set[str]
) -> AsyncGenerator[tuple[dict[str, Any], dict[str, str] | None], None]:
    """The feed's changes to `target` ("entity" or "relationship") naming one of `ends`
    (subject or object) and of one of `types`, each none meaning any; with who made it,
    by name, for editors and admins (as `history`), else None. Names are looked up once
    per writer for the whole subscription, not once per event."""
    names: dict[str, str] | None = {} if info.context.principal.has("editor") else None
    async for change in info.context.feed.subscribe(after):
        if change.get("target") != target:
            continue
        if ends and not ends & {change.get("subject"), change.get("object")}:
            continue
        if types and change.get("type") not in types:
            continue
        by = change.get("by")
        if names is not None and by and by not in names:
            names.update(await keys.subject_names(info.context.db, {by}))
            names.setdefault(by, by)
        yield change, names


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
        ends = {str(i) for i in ids or []}
        async for change, names in _changes(
            info, "entity", after, ends, {k.name for k in kinds or []}
        ):
            yield entity_change(change, names)

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
        ends = {str(i) for i in ids or []}
        chosen = set(check_relationship_types(types) or [])
        async for change, names in _changes(info, "relationship", after, ends, chosen):
            yield relationship_change(change, names)
