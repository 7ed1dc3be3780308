"""Completing a root field's answer without graphql-core's walk, field by field.

Each root field fetches its whole selection in one Cypher query (graph.resolvers.selection
plans it), so by the time graphql-core completes the value a resolver returned, every
nested field's data is already in memory: the typed relationship lists under `__pf`,
the sources under `__src`. graphql-core would still complete it field by field, building
a resolve-info object, going through Strawberry's resolver wrapper and checking for
awaitables for every field of every object: most of a request's CPU time on lists of a
few hundred objects.

`ShapedExecutionContext.complete_value` completes a root field's value itself, in one
synchronous pass: the same fields (graphql-core's own field collection: aliases,
fragments, inline fragments on interfaces, @include / @skip), the same resolver
functions (called directly; an `async` one is run to its end at once, which it reaches
without suspending when its data was prefetched), the same scalar and enum
serialization, and the same runtime type of each interface value.

Whenever the shortcut cannot give exactly what the walk would, it gives up on that root
field (`_Bail`) and the engine walks it as before: a resolver that needs the request (a
batch loader, for data the plan did not prefetch), one that raises (a bad argument), a
null where the schema promises a non-null, a value of an unexpected type, @defer, a
field with permission classes or field extensions, or a schema extension that hooks
every resolver. So errors, their paths and null propagation always come from the engine
itself; the shortcut only ever produces answers that have none.
`tests/test_execution.py` runs the same queries both ways and compares the responses.
"""

from __future__ import annotations

import inspect
import logging
import operator
from collections import Counter
from collections.abc import Callable, Iterable
from types import GeneratorType
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
)
from graphql.execution.values import get_argument_values
from graphql.type.definition import is_abstract_type, is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter, get_arguments
from strawberry.types.cast import get_strawberry_type_cast

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
log = logging.getLogger(__name__)
# Root values completed by the shortcut ("shaped") and left to the engine ("walked").
COUNTS: Counter[str] = Counter()
# A bug in the shortcut makes the engine walk instead, and is logged. Tests set STRICT so
# that such a bug fails them rather than hiding behind a correct walked answer.
STRICT = False


# Metadata key of a Strawberry field that gives the shortcut a faster way to the value its
# resolver would return, from data already in hand (graph.types.kinds' relationship
# fields): an object with `prepare(kwargs)`, called once per field node with the keyword
# arguments the resolver would get, and `read(source, prepared)`, called per object. `read`
# raises LookupError when the data is not in hand: the engine then walks, and the resolver
# loads it.
READER = "graph.shaped_reader"


class _Bail(Exception):
    """The shortcut cannot complete this value exactly as the engine would."""


class _NoInfo:
    """Given to resolvers in place of their resolve info: a resolver that needs the
    request (its context, its loaders) is one whose data was not prefetched."""

    def __getattr__(self, name: str) -> Any:
        raise _Bail


_NO_INFO = _NoInfo()


class _Field:
    """How the shortcut resolves one field of one object type: the resolver function
    Strawberry would call (or the attribute it would read), with the arguments it would
    pass. `usable` is False for a field the shortcut leaves to the engine."""

    __slots__ = (
        "attribute",
        "func",
        "pass_info",
        "reader",
        "self_first",
        "strawberry_field",
        "usable",
    )

    def __init__(self, parent: GraphQLObjectType, name: str) -> None:
        self.usable = False
        self.attribute: str | None = None
        self.func: Callable | None = None
        self.pass_info = self.self_first = False
        self.reader: Any = None
        field_def = parent.fields.get(name)
        field = (field_def.extensions or {}).get(_BACKREF) if field_def else None
        self.strawberry_field: Any = field
        if (
            field is None
            or getattr(field, "permission_classes", None)
            or getattr(field, "extensions", None)
        ):
            return
        self.reader = field.metadata.get(READER)
        if self.reader is not None:
            self.usable = True
            return
        base = field.base_resolver
        if base is None:
            if field.arguments:
                return
            self.attribute = field.python_name
            self.usable = True
            return
        if base.parent_parameter is not None or base.root_parameter is not None:
            return
        self.func = base.wrapped_func
        self.self_first = base.self_parameter is not None
        self.pass_info = base.info_parameter is not None
        if self.pass_info and base.info_parameter.name != "info":
            return
        self.usable = True


_FIELDS: dict[tuple[str, str], _Field] = {}
# Scalars whose output coercion returns a value of this exact Python type unchanged.
_AS_IS: dict[GraphQLLeafType, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}


def _field(parent: GraphQLObjectType, name: str) -> _Field:
    key = (parent.name, name)
    found = _FIELDS.get(key)
    if found is None:
        found = _FIELDS[key] = _Field(parent, name)
    return found


# Classes of resolved values known not to be awaitable (most are: lists, strings, typed
# objects), so the check below is one set lookup for them.
_NOT_AWAITABLE: set[type] = {list, str, int, float, bool, type(None), dict, tuple}


def _run(value: Any) -> Any:
    """The value of an awaitable that completes without suspending, else _Bail."""
    kind = type(value)
    if kind in _NOT_AWAITABLE:
        return value
    if inspect.iscoroutine(value):
        try:
            value.send(None)
        except StopIteration as done:
            return done.value
        value.close()
        raise _Bail
    if inspect.isawaitable(value):
        raise _Bail
    # An instance of a class without __await__ is never awaitable (what isawaitable's
    # Awaitable check reads), except a generator marked as a coroutine.
    if kind is not GeneratorType and not hasattr(kind, "__await__"):
        _NOT_AWAITABLE.add(kind)
    return value


class ShapedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with root fields' values completed in one pass
    when that gives exactly the walk's answer (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(field node) -> (node, keyword arguments for its resolver).
        self._shaped_arguments: dict[int, tuple[Any, dict[str, Any]]] = {}
        # (object type, id(field details)) -> (field details, the fields to complete).
        self._shaped_steps: dict[tuple[Any, int], tuple[Any, list[tuple]]] = {}
        # (abstract type, Python class) -> its object type.
        self._shaped_runtime: dict[tuple[Any, type], GraphQLObjectType] = {}

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any = None,
    ) -> Any:
        if (
            path.prev is None
            and result is not None
            and not isinstance(result, Exception)
            # A schema extension that wraps every resolver must see every field.
            and not getattr(self.middleware_manager, "middlewares", None)
            # With prefetching off (PREFETCH=0, a diagnostic) the engine walks everything.
            and getattr(self.context_value, "prefetch", True)
        ):
            try:
                shaped = self._shape(return_type, field_details_list, result)
            except _Bail:
                pass
            except Exception:  # a bug here: the engine still answers, its way
                if STRICT:
                    raise
                log.warning("shaped completion failed; walking instead", exc_info=True)
            else:
                COUNTS["shaped"] += 1
                return shaped
            COUNTS["walked"] += 1
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    # -- the one-pass completion -------------------------------------------------------
    def _shape(self, return_type: GraphQLOutputType, details: Any, value: Any) -> Any:
        if isinstance(return_type, GraphQLNonNull):
            completed = self._shape(return_type.of_type, details, value)
            if completed is None:
                raise _Bail  # the engine raises the non-null error, with its path
            return completed
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise _Bail
        if isinstance(return_type, GraphQLList):
            if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
                raise _Bail
            return self._list(return_type.of_type, details, value)
        if is_leaf_type(return_type):
            return self._leaf(return_type, value)
        if is_abstract_type(return_type):
            return self._object(self._runtime_type(return_type, value), details, value)
        if isinstance(return_type, GraphQLObjectType):
            is_type_of = return_type.is_type_of
            # Strawberry's is_type_of reads only the value, never the resolve info.
            no_info: Any = None
            if is_type_of is not None and not is_type_of(value, no_info):
                raise _Bail
            return self._object(return_type, details, value)
        raise _Bail

    def _list(self, item_type: GraphQLOutputType, details: Any, items: Iterable) -> list:
        """A list's items; a list of objects (the large ones: a page, a relationship field)
        unwraps its item type once, not once per item, and completes each as `_shape`
        would."""
        non_null = isinstance(item_type, GraphQLNonNull)
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        abstract = named if is_abstract_type(named) else None
        concrete = named if isinstance(named, GraphQLObjectType) else None
        if abstract is None and concrete is None:
            return [self._shape(item_type, details, item) for item in items]
        is_type_of = concrete.is_type_of if concrete is not None else None
        no_info: Any = None  # Strawberry's is_type_of reads only the value
        out: list[Any] = []
        for item in items:
            if item is None or item is Undefined:
                if non_null:
                    raise _Bail
                out.append(None)
            elif isinstance(item, Exception):
                raise _Bail
            elif abstract is not None:
                out.append(self._object(self._runtime_type(abstract, item), details, item))
            else:
                assert concrete is not None
                if is_type_of is not None and not is_type_of(item, no_info):
                    raise _Bail
                out.append(self._object(concrete, details, item))
        return out

    @staticmethod
    def _leaf(return_type: GraphQLLeafType, value: Any) -> Any:
        if _AS_IS.get(return_type) is type(value):  # what coercion would return unchanged
            return value
        coerced = return_type.coerce_output_value(value)
        if coerced is Undefined or coerced is None:
            raise _Bail
        return coerced

    def _runtime_type(self, abstract: GraphQLAbstractType, value: Any) -> GraphQLObjectType:
        if get_strawberry_type_cast(value) is not None:
            raise _Bail
        key = (abstract, type(value))
        runtime = self._shaped_runtime.get(key)
        if runtime is None:
            definition = getattr(value, "__strawberry_definition__", None)
            if definition is None or definition.is_graphql_generic:
                raise _Bail
            named = self.schema.get_type(definition.name)
            if not isinstance(named, GraphQLObjectType) or not self.schema.is_sub_type(
                abstract, named
            ):
                raise _Bail
            runtime = self._shaped_runtime[key] = named
        return runtime

    def _steps(self, parent: GraphQLObjectType, details: Any) -> list[tuple]:
        """(response key, field details, field definition, getter, leaf type, the Python
        type its coercion returns unchanged, non-null) for each field of `parent` the
        selection asks for; the same for every object of a list. The getter gives the
        field's resolved value for one object (its arguments and its READER's preparation
        worked out here, once); the leaf type (a scalar or enum field's, else None) lets
        `_object` complete the bulk of the fields without going through `_shape`."""
        key = (parent, id(details))
        found = self._shaped_steps.get(key)
        if found is not None:
            return found[1]
        grouped, defer_usages, *_ = self.collect_subfields(parent, details)
        if defer_usages:
            raise _Bail
        steps: list[tuple] = []
        for response_key, field_details in grouped.items():
            name = field_details[0].node.name.value
            if name == "__typename":
                steps.append((response_key, field_details, None, None, None, None, False))
                continue
            field_def = parent.fields.get(name)
            if field_def is None:
                raise _Bail
            field = _field(parent, name)
            if not field.usable:
                raise _Bail
            try:
                get = self._getter(field, field_def, field_details)
            except _Bail:
                raise
            except Exception as exc:  # a bad argument: the engine reports it, with its path
                raise _Bail from exc
            non_null = isinstance(field_def.type, GraphQLNonNull)
            named = field_def.type.of_type if non_null else field_def.type
            leaf = named if is_leaf_type(named) else None
            as_is = _AS_IS.get(leaf) if leaf is not None else None
            steps.append((response_key, field_details, field_def, get, leaf, as_is, non_null))
        self._shaped_steps[key] = (details, steps)  # keeps `details` alive while its id is a key
        return steps

    def _getter(self, field: _Field, field_def: Any, details: Any) -> Callable[[Any], Any]:
        """The field's resolved value for one object, as Strawberry would resolve it."""
        if field.attribute is not None:
            return operator.attrgetter(field.attribute)
        kwargs = self._arguments(field, field_def, details) if field_def.args else {}
        reader = field.reader
        if reader is not None:
            read, prepared = reader.read, reader.prepare(kwargs)
            return lambda source: read(source, prepared)
        if field.pass_info:
            kwargs = {**kwargs, "info": _NO_INFO}
        func = field.func
        assert func is not None  # a usable field reads an attribute or calls a function
        if not field.self_first:
            return lambda _source: _run(func(**kwargs))
        if kwargs:
            return lambda source: _run(func(source, **kwargs))
        return lambda source: _run(func(source))

    def _object(self, parent: GraphQLObjectType, details: Any, value: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for response_key, field_details, field_def, get, leaf, as_is, non_null in self._steps(
            parent, details
        ):
            if field_def is None:
                out[response_key] = parent.name
                continue
            try:
                resolved = get(value)
            except _Bail:
                raise
            except Exception as exc:  # the engine reports it, with its path
                raise _Bail from exc
            if leaf is None:
                out[response_key] = self._shape(field_def.type, field_details, resolved)
            elif as_is is type(resolved):  # what coercion would return unchanged
                out[response_key] = resolved
            elif resolved is None or resolved is Undefined:  # as `_shape` would
                if non_null:
                    raise _Bail
                out[response_key] = None
            elif isinstance(resolved, Exception):
                raise _Bail
            else:
                out[response_key] = self._leaf(leaf, resolved)
        return out

    def _arguments(self, field: _Field, field_def: Any, details: Any) -> dict[str, Any]:
        """The keyword arguments Strawberry would pass, computed once per field node."""
        first = details[0]
        cache = self._shaped_arguments
        key = id(first.node)
        found = cache.get(key)
        if found is not None:
            return found[1]
        if getattr(first, "fragment_variable_values", None) is not None:
            raise _Bail
        raw = get_argument_values(field_def, first.node, self.variable_values)
        # Strawberry keeps itself on graphql-core's schema, an attribute the stubs omit.
        strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        no_info: Any = _NO_INFO
        _, kwargs = get_arguments(
            field=field.strawberry_field,
            source=None,
            info=no_info,
            kwargs=raw,
            config=strawberry_schema.config,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
        )
        kwargs.pop("info", None)
        cache[key] = (first.node, kwargs)  # keeps the node alive while its id is a key
        return kwargs
