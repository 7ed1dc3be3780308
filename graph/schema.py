"""Puts the root types together into `schema`; with FEDERATION=1, into an Apollo
Federation 2 subgraph schema instead (`schema_for`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import strawberry
import strawberry.federation
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.types.base import get_object_definition

from graph.execution import ShapedExecutionContext
from graph.extensions.documents import DocumentCache
from graph.extensions.limits import QueryLimits
from graph.extensions.masking import MaskErrors
from graph.extensions.operations import ObserveOperations
from graph.resolvers import federation
from graph.resolvers.mutation import Mutation
from graph.resolvers.query import Query
from graph.resolvers.subscription import Subscription
from graph.settings import Settings
from graph.types.entities import TYPES, WRAPPERS

_OPTIONS: dict[str, Any] = {
    "mutation": Mutation,
    "subscription": Subscription,
    "types": [*TYPES.values(), *WRAPPERS],
    # DocumentCache after QueryLimits, which checks the raw text before it is parsed.
    "extensions": [MaskErrors, QueryLimits, DocumentCache, ObserveOperations],
    # Root fields' prefetched answers are completed in one pass (graph/execution.py).
    "execution_context_class": ShapedExecutionContext,
}

schema = strawberry.Schema(query=Query, **_OPTIONS)


@contextmanager
def _keyed() -> Iterator[None]:
    """Every Node type carries `@key(fields: "id")` while the subgraph schema is built and
    printed. The types are shared with `schema`, whose SDL must not show the directive,
    so it is put back as it was afterwards."""
    definitions = [get_object_definition(t, strict=True) for t in federation.ENTITY_TYPES]
    saved = [d.directives for d in definitions]
    for d in definitions:
        d.directives = [*(d.directives or ()), Key(fields=FieldSet("id"))]
    try:
        yield
    finally:
        for d, directives in zip(definitions, saved, strict=True):
            d.directives = directives


@cache
def federation_schema() -> strawberry.federation.Schema:
    with _keyed():
        built = strawberry.federation.Schema(
            query=federation.FederatedQuery,
            federation_version="2.11",
            **_OPTIONS,
        )
        federation.SDL[:] = [built.as_str()]
    return built


def schema_for(settings: Settings) -> strawberry.Schema:
    return federation_schema() if settings.federation else schema
