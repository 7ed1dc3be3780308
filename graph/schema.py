"""Puts the root types together into `schema`."""

from __future__ import annotations

import strawberry

from graph.execution import ShapedExecutionContext
from graph.extensions.documents import DocumentCache
from graph.extensions.limits import QueryLimits
from graph.extensions.masking import MaskErrors
from graph.extensions.operations import ObserveOperations
from graph.resolvers.mutation import Mutation
from graph.resolvers.query import Query
from graph.types.entities import TYPES, WRAPPERS

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[*TYPES.values(), *WRAPPERS],
    # DocumentCache after QueryLimits, which checks the raw text before it is parsed.
    extensions=[MaskErrors, QueryLimits, DocumentCache, ObserveOperations],
    # Root fields' prefetched answers are completed in one pass (graph/execution.py).
    execution_context_class=ShapedExecutionContext,
)
