"""Inputs and typed results of the mutations: success, or one of the expected errors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.errors import CONFLICT, FORBIDDEN, NOT_FOUND, VALIDATION
from graph.types.entities import Entity
from graph.types.values import EntityKind, Provenance, provenance_of


@strawberry.input(description="The source a fact comes from; created the first time it is used.")
class SourceInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Stable id; derived from the title when omitted."
    )
    title: str = strawberry.field(description="Title or headline.")
    publisher: str | None = strawberry.field(default=None, description="Who published it.")
    published_on: dt.date | None = strawberry.field(default=None, description="Publication date.")
    authors: list[str] | None = strawberry.field(default=None, description="Authors.")
    editors: list[str] | None = strawberry.field(default=None, description="Editors.")
    url: str | None = strawberry.field(default=None, description="Where it can be read.")


@strawberry.input(description="Where in its source a fact is asserted (at least one locator).")
class ProvenanceInput:
    source: SourceInput = strawberry.field(description="The source.")
    paragraph: int | None = strawberry.field(default=None, description="Paragraph number (1+).")
    page: int | None = strawberry.field(default=None, description="Page number (1+).")
    quote: str | None = strawberry.field(
        default=None, description="A short quote or reference that locates the fact."
    )
    locator: str | None = strawberry.field(
        default=None, description="Any other locator, e.g. 'headline' or 'table 2'."
    )


@strawberry.input(description="An entity to create or update.")
class EntityInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Slug id; derived from the name when omitted."
    )
    kind: EntityKind = strawberry.field(description="What the entity is.")
    name: str = strawberry.field(description="Its name.")
    aliases: list[str] | None = strawberry.field(
        default=None, description="Other names (added to any it has)."
    )
    properties: JSON | None = strawberry.field(
        default=None, description="Properties declared for the kind (see `domain`)."
    )


@strawberry.input(description="A relationship to create or update.")
class RelationshipInput:
    from_: strawberry.ID = strawberry.field(name="from", description="Start entity id.")
    type: str = strawberry.field(description="A declared relationship type, e.g. LENT.")
    to: strawberry.ID = strawberry.field(description="End entity id.")
    properties: JSON | None = strawberry.field(
        default=None, description="Properties declared for the type."
    )


# --- Results -------------------------------------------------------------------------


@strawberry.type(description="The entity as it is after the write.")
class EntityWritten:
    entity: Entity = strawberry.field(description="The entity.")
    created: bool = strawberry.field(description="True when this write created it.")
    changed: bool = strawberry.field(description="True when this write changed anything.")


@strawberry.type(description="The relationship as it is after the write.")
class RelationshipWritten:
    type: str = strawberry.field(description="Relationship type.")
    from_: Entity = strawberry.field(name="from", description="Start entity.")
    to: Entity = strawberry.field(description="End entity.")
    created: bool = strawberry.field(description="True when this write created it.")
    changed: bool = strawberry.field(description="True when this write changed anything.")
    props: strawberry.Private[dict]

    @strawberry.field(description="All properties of the relationship.")
    def properties(self) -> JSON:
        return JSON({k: v for k, v in self.props.items() if not k.startswith("_")})

    @strawberry.field(description="Every source and locator that asserts it.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.props.get("_prov"))


@strawberry.type(description="What a delete removed.")
class Deleted:
    id: strawberry.ID = strawberry.field(description="The entity id, or from|TYPE|to.")
    relationships_removed: int = strawberry.field(
        description="Relationships removed with an entity (0 for a relationship delete)."
    )


@strawberry.type(description="The input breaks the declared domain or a rule; nothing was written.")
class ValidationError:
    code: str = strawberry.field(description="Always VALIDATION.")
    message: str = strawberry.field(description="What is wrong and what is allowed.")
    problems: list[str] = strawberry.field(description="Every problem found.")


@strawberry.type(description="A named entity or relationship does not exist; nothing was written.")
class NotFoundError:
    code: str = strawberry.field(description="Always NOT_FOUND.")
    message: str = strawberry.field(description="What was not found.")
    id: strawberry.ID = strawberry.field(description="The id asked for.")


@strawberry.type(description="The write contradicts what the graph holds; nothing was written.")
class ConflictError:
    code: str = strawberry.field(description="Always CONFLICT.")
    message: str = strawberry.field(description="What it conflicts with.")


@strawberry.type(description="The caller's role may not do this; nothing was written.")
class ForbiddenError:
    code: str = strawberry.field(description="Always FORBIDDEN.")
    message: str = strawberry.field(description="Which role is needed.")


def validation(problems: list[str]) -> ValidationError:
    return ValidationError(code=VALIDATION, message="; ".join(problems[:5]), problems=problems)


def not_found(what: str, entity_id: str) -> NotFoundError:
    return NotFoundError(
        code=NOT_FOUND, message=f"No {what} with id {entity_id!r}.", id=strawberry.ID(entity_id)
    )


def conflict(message: str) -> ConflictError:
    return ConflictError(code=CONFLICT, message=message)


def forbidden(message: str) -> ForbiddenError:
    return ForbiddenError(code=FORBIDDEN, message=message)


EntityResult = Annotated[
    EntityWritten | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("EntityResult", description="The entity written, or why not."),
]
RelationshipResult = Annotated[
    RelationshipWritten | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union("RelationshipResult", description="The relationship written, or why not."),
]
DeleteResult = Annotated[
    Deleted | NotFoundError | ForbiddenError,
    strawberry.union("DeleteResult", description="What was deleted, or why not."),
]


@strawberry.type(description="One recorded change: who, when, what, on which source's word.")
class Change:
    id: strawberry.ID = strawberry.field(description="Change id.")
    at: dt.datetime = strawberry.field(description="When (UTC).")
    by: str | None = strawberry.field(
        description="Who made it: the API key's name, the JWT's subject, 'seed', or "
        "`cli:<user>` (or `--by`) for bulk ingestion. Shown to editors and admins only: "
        "null for anonymous callers and readers."
    )
    via: str | None = strawberry.field(description="Through what: api, ingest, seed.")
    action: str = strawberry.field(
        description="create, update, delete, merge, resolve (a conflict), retract or restore "
        "(a source), mark-distinct or unmark-distinct (an editor said the two entities, "
        "`subject` and `object`, are not the same thing, or took that back)."
    )
    target: str = strawberry.field(description="entity or relationship.")
    subject: strawberry.ID = strawberry.field(description="The entity (or relationship start).")
    object: strawberry.ID | None = strawberry.field(
        description="The relationship end, the entity merged away, or the other entity of "
        "a pair marked (or unmarked) distinct."
    )
    type: str | None = strawberry.field(description="Entity kind or relationship type.")
    note: str | None = strawberry.field(
        description="The reason given with the change, or what a bulk batch was (its rows "
        "and files). Free text that may name people or paths, so shown to editors and "
        "admins only: null for anonymous callers and readers."
    )
    entries: strawberry.Private[list[str]]

    @strawberry.field(
        description="The provenance the change came with. For a bulk or seed batch, the "
        "entries of the batch that the fact (or, after a merge, its survivor) holds."
    )
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.entries)
