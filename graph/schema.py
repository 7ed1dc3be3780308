"""Puts the root types together into `schema`."""

from __future__ import annotations

import strawberry

from graph.masking import MaskErrors
from graph.resolvers.mutation import Mutation
from graph.resolvers.query import Query
from graph.types.entities import TYPES, AgreementParty, Comment, Contribution, Position

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[*TYPES.values(), Position, AgreementParty, Comment, Contribution],
    extensions=[MaskErrors],
)
