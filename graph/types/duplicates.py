"""Duplicate candidates: pairs of entities that are likely one thing, each with its score
and the signals it is made of (graph/matching/scoring.py), and the marks editors leave
on pairs that are not."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry

from graph.types.connections import CollectionEdge, PageInfo
from graph.types.entities import Entity
from graph.types.mutations import ForbiddenError, NotFoundError, ValidationError
from graph.types.values import EntityKind


@strawberry.enum(description="What a duplicate candidate's signal looked at.")
class DuplicateSignalKind(Enum):
    NAME = strawberry.enum_value(
        "name",
        description="The most alike of their names, aliases and Chinese names "
        "(normalised: case, punctuation, legal forms; word order; initials; misspellings). "
        "A name many entities of the kind carry counts for less.",
    )
    NEIGHBOURS = strawberry.enum_value(
        "neighbours",
        description="Entities related to both, as a share of the fewer relationships "
        "either has; a shared hub counts for less.",
    )
    PROPERTIES = strawberry.enum_value(
        "properties",
        description="Property values both hold: agreeing ones add a little, conflicting "
        "ones (dates, numbers, money in one currency, codes, Chinese names) take away more.",
    )
    LINK = strawberry.enum_value(
        "link",
        description="A relationship joins the two: two things, usually (negative).",
    )


@strawberry.type(description="One signal of a duplicate candidate's score.")
class DuplicateSignal:
    signal: DuplicateSignalKind = strawberry.field(description="What it looked at.")
    contribution: float = strawberry.field(
        description="What it added to the score (negative: what it took away)."
    )
    detail: str = strawberry.field(description="What it saw, in words.")


@strawberry.type(
    description="Two entities of one kind that are likely the same thing. Merge them with "
    "`mergeEntities(survivorId: survivorId, mergedId: mergedId)` (editor), or say they "
    "are not with `markDistinct(a: a.id, b: b.id)` (editor)."
)
class DuplicateCandidate:
    kind: EntityKind = strawberry.field(description="Their kind.")
    score: float = strawberry.field(
        description="0 to 1: the sum of the signals' contributions, kept within 0 and 1."
    )
    a: Entity = strawberry.field(description="One of the two (the smaller id).")
    b: Entity = strawberry.field(description="The other.")
    signals: list[DuplicateSignal] = strawberry.field(
        description="What the score is made of: name, neighbours, properties (and link, "
        "when one joins them)."
    )
    survivor_id: strawberry.ID = strawberry.field(
        description="The one to keep when merging: the one with more relationships (fewer "
        "to move), then the smaller id."
    )
    merged_id: strawberry.ID = strawberry.field(description="The one to merge into it.")


@strawberry.type(description="A page of duplicate candidates, best first.")
class DuplicateCandidateConnection:
    edges: list[CollectionEdge[DuplicateCandidate]] = strawberry.field(
        description="The candidates of this page."
    )
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(
        description="How many candidates reach the threshold, over all pages."
    )
    threshold: float = strawberry.field(description="The threshold the candidates reach.")
    compared: int = strawberry.field(
        description="How many pairs were scored: those sharing a blocking key (normalised "
        "words, a skeleton of their letters, initials, a Chinese name), never every pair."
    )
    crowded: int = strawberry.field(
        description="Blocking keys shared by too many entities for their pairs to be "
        "compared (a name carried by so many that it cannot tell any two apart at this "
        "threshold): their pairs are not candidates through that key."
    )


@strawberry.type(description="Two entities an editor marked as distinct: never proposed again.")
class DistinctPair:
    a: Entity = strawberry.field(description="One of the two.")
    b: Entity = strawberry.field(description="The other.")
    changed: bool = strawberry.field(
        description="markDistinct: false when they were marked already. unmarkDistinct: "
        "always true (with no mark to remove it answers NOT_FOUND)."
    )


DistinctResult = Annotated[
    DistinctPair | ValidationError | NotFoundError | ForbiddenError,
    strawberry.union("DistinctResult", description="The pair marked or unmarked, or why not."),
]
