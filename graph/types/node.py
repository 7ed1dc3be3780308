"""The Node interface of GraphQL Global Object Identification (what Relay and Apollo
clients refetch and normalise by): every type whose fields are the same wherever it is
reached from implements it. Ids are the service's own stable ids, not opaque ones (see
README.md, "Global ids and federation")."""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="Anything with a stable, globally unique id that `node(id)` fetches again: "
    "every entity (its slug), a source (its slug) and a relationship (`from|TYPE|to`)."
)
class Node:
    @strawberry.field(description="Stable id, unique across every type of node.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError
