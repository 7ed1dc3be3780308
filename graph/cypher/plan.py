"""What to fetch for a selection: relationships nested to any depth (each a page with its
filter, order, cursor, count and aggregates), and where the sources of provenance are
needed. Built by `graph.resolvers.selection`, turned into Cypher by
`graph.cypher.projection` and `graph.cypher.related`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# The keys under which a projected node carries what its selection prefetched: its
# relationship windows and lists, and the sources of its provenance. Written by
# graph.cypher.projection and graph.cypher.related, read by the entity types.
PREFETCHED_KEY = "__pf"
SOURCES_KEY = "__src"

# A relationship field lists this many unless asked (`first`), and at most MAX_LIST.
DEFAULT_LIST = 100
MAX_LIST = 500
# A relationship connection's default page.
DEFAULT_PAGE = 20


def rel_key(types: tuple[str, ...] | None, direction: str, first: int) -> str:
    """The key the generic `relationships(types, direction, first)` list is stored under
    (safe as a Cypher map key: declared type names, a direction word and an integer)."""
    return f"{'|'.join(types) if types else '*'}:{direction}:{first}"


# Keys of windows without filters (a bounded memo: cursors make new ones).
_KEYS: dict[tuple, str] = {}
_KEYS_MAX = 10_000


@dataclass(frozen=True, eq=False)
class Window:
    """Which part of a relationship field is asked for: its filter, order and page.
    The same arguments give the same key in the planner (which fetches it) and in the
    resolver (which reads it), so a field asked twice with other arguments is fetched
    twice, and read back right."""

    types: tuple[str, ...] | None
    direction: str
    first: int
    # A page (cursors, `first + 1` fetched to know whether more follow) or a plain list.
    paged: bool = False
    where: Any = None  # a node filter (graph.cypher.collections.compile_where's form)
    edge_where: Any = None  # conditions on the relationship's own properties
    sort: str = "NAME"  # NAME, DATE, AMOUNT, TYPE or EDGE:<property>
    descending: bool = False
    after: tuple[Any, str] | None = None

    @cached_property
    def key(self) -> str:
        """A short digest of every argument (a Cypher map key). Computed once per window,
        and once per process for windows without filters (a list field asked for each
        of 700 credits makes 700 equal windows: `one_window`, `list_window`)."""
        parts = (
            self.types,
            self.direction,
            self.first,
            self.paged,
            self.where,
            self.edge_where,
            self.sort,
            self.descending,
            self.after,
        )
        plain = self.where is None and self.edge_where is None
        if plain:
            try:
                found = _KEYS.get(parts)
            except TypeError:  # a cursor value that is not hashable
                found, plain = None, False
            if found is not None:
                return found
        raw = json.dumps(list(parts), sort_keys=True, default=str)
        digest = "w" + hashlib.sha1(raw.encode()).hexdigest()[:20]
        if plain and len(_KEYS) < _KEYS_MAX:
            _KEYS[parts] = digest
        return digest

    # Equal and hashed by key (its filters are dicts), so batch loaders can group by it.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Window) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


@dataclass
class RelPlan:
    types: tuple[str, ...] | None
    direction: str
    first: int
    other: Plan
    edge_sources: bool = False
    # Whether the relationship's own properties are read (a wrapper's title or role,
    # `relationships { properties }`); a plain list of the other ends reads none.
    edge_props: bool = False
    # For relationship fields and connections (None: the generic `relationships` list).
    window: Window | None = None
    total: bool = False
    aggregate: bool = False


@dataclass
class Plan:
    sources: bool = False
    rels: dict[str, RelPlan] = field(default_factory=dict)
    # The node properties the selection reads (None: all of them). Only a plan made from
    # a selection (`planned`) narrows them; an empty accumulator takes what it is given.
    props: frozenset[str] | None = None
    planned: bool = False

    def merge(self, other: Plan) -> None:
        if not self.planned:
            self.props = other.props if other.planned else None
        elif not other.planned or other.props is None or self.props is None:
            self.props = None
        else:
            self.props = self.props | other.props
        self.planned = True
        self.sources = self.sources or other.sources
        for key, rel in other.rels.items():
            mine = self.rels.get(key)
            if mine is None:
                self.rels[key] = rel
            else:
                mine.edge_sources = mine.edge_sources or rel.edge_sources
                mine.edge_props = mine.edge_props or rel.edge_props
                mine.total = mine.total or rel.total
                mine.aggregate = mine.aggregate or rel.aggregate
                mine.other.merge(rel.other)

    def add(self, types: tuple[str, ...] | None, direction: str, first: int) -> RelPlan:
        key = rel_key(types, direction, first)
        if key not in self.rels:
            self.rels[key] = RelPlan(types, direction, first, Plan())
        return self.rels[key]

    def add_window(self, window: Window) -> RelPlan:
        key = window.key
        if key not in self.rels:
            self.rels[key] = RelPlan(
                window.types, window.direction, window.first, Plan(), window=window
            )
        return self.rels[key]
