"""The root Query type: each field checks its arguments and calls one resolver."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.cypher.paths import MAX_HOPS, MAX_K, PATHS_PER_PAIR
from graph.cypher.plan import DEFAULT_LIST, DEFAULT_PAGE, MAX_LIST
from graph.matching.scoring import DEFAULT_THRESHOLD
from graph.resolvers import (
    analytics,
    collection_fields,
    conflicts,
    duplicates,
    entities,
    neighborhood,
    paths,
    search,
    writing,
)
from graph.resolvers.nodes import MAX_NODES, find_node, find_nodes
from graph.types.analytics import (
    AgreementGrouping,
    AgreementTotal,
    CreditGrouping,
    CreditTotal,
    GraphStats,
    TimelineEntry,
)
from graph.types.conflicts import Conflict, ConflictStatus
from graph.types.connections import Connection
from graph.types.domain_info import DomainInfo, domain_info
from graph.types.duplicates import DuplicateCandidateConnection
from graph.types.entities import Entity
from graph.types.mutations import Change
from graph.types.node import Node
from graph.types.search import SearchHit
from graph.types.subgraphs import Path, Subgraph
from graph.types.values import EntityKind, Source

# `first` of the money totals: how many groups, largest first.
LargestGroups = Annotated[
    int,
    strawberry.argument(
        description=f"The largest this many groups (1 to {MAX_LIST}); the rest are smaller "
        "than the last one given."
    ),
]


@strawberry.type(
    description="Questions about organizations, people, banks, patents and "
    "agreements in intellectual-property finance, each fact with its source."
)
class Query(collection_fields.Collections):
    @strawberry.field(
        description="The declared domain: every kind (its properties, relationship fields, "
        "date and totals) and every relationship type (its ends and properties)."
    )
    def domain(self) -> DomainInfo:
        return domain_info()

    @strawberry.field(description="One entity by id; null when no entity has that id.")
    async def entity(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Entity id.")],
    ) -> Entity | None:
        return await entities.find_entity(info, str(id))

    @strawberry.field(
        description="Anything with an id, fetched again by it (GraphQL Global Object "
        "Identification): an entity (a merged-away id gives its survivor), a source, or a "
        "relationship (`from|TYPE|to`, as an Edge); null when the id names nothing."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="An entity, source or relationship id."),
        ],
    ) -> Node | None:
        return await find_node(info, str(id))

    @strawberry.field(
        description=f"Like `node`, for up to {MAX_NODES} ids at once, in one query: "
        "one item per id, in the order asked, null for an id that names nothing."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"Entity, source or relationship ids (at most {MAX_NODES})."
            ),
        ],
    ) -> list[Node | None]:
        return await find_nodes(info, [str(i) for i in ids])

    @strawberry.field(
        description="Entities whose name or aliases match the text (Chinese included), "
        "tolerant of typos and partial words, best match first."
    )
    async def search(
        self,
        info: Info,
        text: Annotated[str, strawberry.argument(description="What to look for; any characters.")],
        kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(description="Only entities of these kinds."),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"At most this many (1-{search.MAX_HITS}).")
        ] = 10,
    ) -> list[SearchHit]:
        chosen = [k.value for k in kinds] if kinds else None
        return await search.search_entities(info, text, chosen, first)

    @strawberry.field(
        description="The shortest chain of relationships between two entities (provenance "
        "links are never followed); null when none within maxHops."
    )
    async def shortest_path(
        self,
        info: Info,
        from_id: Annotated[strawberry.ID, strawberry.argument(description="Start entity id.")],
        to_id: Annotated[strawberry.ID, strawberry.argument(description="End entity id.")],
        max_hops: Annotated[
            int, strawberry.argument(description=f"At most this many hops (1-{MAX_HOPS}).")
        ] = 6,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only follow these relationship types."),
        ] = None,
    ) -> Path | None:
        return await paths.find_shortest_path(info, str(from_id), str(to_id), max_hops, types)

    @strawberry.field(
        description="Entities within `hops` of one entity, nearest first, and the "
        "relationships among them; `truncated` when `limit` cut it short."
    )
    async def neighborhood(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Centre entity id.")],
        hops: Annotated[
            int,
            strawberry.argument(
                description=f"How far to go (1-{neighborhood.MAX_NEIGHBORHOOD_HOPS})."
            ),
        ] = 1,
        limit: Annotated[
            int,
            strawberry.argument(
                description="At most this many nodes, centre included "
                f"(1-{neighborhood.MAX_NODES})."
            ),
        ] = 200,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only follow these relationship types."),
        ] = None,
        kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(description="Only reach entities of these kinds."),
        ] = None,
    ) -> Subgraph:
        chosen = [k.value for k in kinds] if kinds else None
        return await neighborhood.find_neighborhood(info, str(id), hops, limit, types, chosen)

    @strawberry.field(description="One source by id.")
    async def source(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Source id.")],
    ) -> Source | None:
        return await entities.find_source(info.context, str(id))

    @strawberry.field(
        description="The sources the graph was built from, by publication date (undated "
        "last), then id: at most `first`; `sourcesConnection` pages through all of them and "
        "counts them."
    )
    async def sources(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description=f"At most this many (1 to {MAX_LIST}).")
        ] = DEFAULT_LIST,
    ) -> list[Source]:
        return await entities.list_sources(info.context, first)

    @strawberry.field(
        description="The sources, as pages you can walk to the end (the order of `sources`); "
        "`totalCount` counts them all."
    )
    async def sources_connection(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description=f"Page size (1 to {MAX_LIST}).")
        ] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> Connection[Source]:
        return await entities.page_sources(info.context, first, after)

    # --- Many paths, connections, totals, statistics, timeline ---------------------

    @strawberry.field(
        description="Every shortest chain of relationships between two entities (all of the "
        "same, least length), ordered by the ids along them; empty when none within maxHops."
    )
    async def all_shortest_paths(
        self,
        info: Info,
        from_id: Annotated[strawberry.ID, strawberry.argument(description="Start entity id.")],
        to_id: Annotated[strawberry.ID, strawberry.argument(description="End entity id.")],
        max_hops: Annotated[
            int, strawberry.argument(description=f"At most this many hops (1-{MAX_HOPS}).")
        ] = 6,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only follow these relationship types."),
        ] = None,
        exclude_types: Annotated[
            list[str] | None,
            strawberry.argument(description="Never follow these relationship types."),
        ] = None,
        kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(
                description="Only pass through entities of these kinds (the two ends may be "
                "of any kind)."
            ),
        ] = None,
        exclude_kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(
                description="Never pass through entities of these kinds (the ends excepted)."
            ),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"At most this many (1-{paths.MAX_FIRST}).")
        ] = 20,
    ) -> list[Path]:
        only = paths.PathFilter(types, exclude_types, _values(kinds), _values(exclude_kinds))
        return await paths.find_all_shortest_paths(
            info, str(from_id), str(to_id), max_hops, first, only
        )

    @strawberry.field(
        description="The k shortest chains of relationships between two entities that visit "
        "no entity twice: shortest first, equal lengths ordered by the ids along them."
    )
    async def k_shortest_paths(
        self,
        info: Info,
        from_id: Annotated[strawberry.ID, strawberry.argument(description="Start entity id.")],
        to_id: Annotated[strawberry.ID, strawberry.argument(description="End entity id.")],
        k: Annotated[
            int, strawberry.argument(description=f"How many paths at most (1-{MAX_K}).")
        ] = 3,
        max_hops: Annotated[
            int, strawberry.argument(description=f"At most this many hops per path (1-{MAX_HOPS}).")
        ] = 6,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only follow these relationship types."),
        ] = None,
        exclude_types: Annotated[
            list[str] | None,
            strawberry.argument(description="Never follow these relationship types."),
        ] = None,
        kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(
                description="Only pass through entities of these kinds (the two ends may be "
                "of any kind)."
            ),
        ] = None,
        exclude_kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(
                description="Never pass through entities of these kinds (the ends excepted)."
            ),
        ] = None,
    ) -> list[Path]:
        only = paths.PathFilter(types, exclude_types, _values(kinds), _values(exclude_kinds))
        return await paths.find_k_shortest_paths(info, str(from_id), str(to_id), k, max_hops, only)

    @strawberry.field(
        description="How a set of entities is connected: the entities themselves and every "
        f"shortest path between each pair of them (up to {PATHS_PER_PAIR} per pair; "
        "`truncated` when a pair had more), each entity and relationship once. Unknown ids "
        "are left out."
    )
    async def connect(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"The entities to connect (2-{paths.MAX_CONNECT_IDS} distinct ids)."
            ),
        ],
        max_hops: Annotated[
            int,
            strawberry.argument(
                description=f"At most this many hops per path (1-{paths.MAX_CONNECT_HOPS})."
            ),
        ] = 4,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only follow these relationship types."),
        ] = None,
    ) -> Subgraph:
        return await paths.connect_entities(info, [str(i) for i in ids], max_hops, types)

    @strawberry.field(
        description="Credit amounts added up per lender, borrower or currency (one row per "
        "group and currency), largest total first: e.g. which bank lent the most."
    )
    async def credit_totals(
        self,
        info: Info,
        group_by: Annotated[
            CreditGrouping, strawberry.argument(description="What to add the credits up by.")
        ],
        currency: Annotated[
            str | None,
            strawberry.argument(description="Only credits in this ISO 4217 currency, e.g. CNY."),
        ] = None,
        first: LargestGroups = DEFAULT_LIST,
    ) -> list[CreditTotal]:
        return await analytics.credit_totals(info, group_by, currency, first)

    @strawberry.field(
        description="Agreements' whole total committed credit (by all lenders together, "
        "never split among parties) added up per signing party, per party role or per "
        "currency: one row per group and currency, largest total first. Only CURRENCY rows "
        "may be added up (`overlapping` false). A PARTY row is the total of the agreements "
        "the party signed, not what it committed (its share is not known); a ROLE row "
        "counts each agreement once, so the 'lender' row is what the lenders committed "
        "together."
    )
    async def agreement_totals(
        self,
        info: Info,
        group_by: Annotated[
            AgreementGrouping,
            strawberry.argument(
                description="What to add the agreements up by: PARTY, ROLE or CURRENCY "
                "(see AgreementGrouping for what each row then means)."
            ),
        ],
        currency: Annotated[
            str | None,
            strawberry.argument(
                description="Only agreements committing credit in this ISO 4217 currency."
            ),
        ] = None,
        first: LargestGroups = DEFAULT_LIST,
    ) -> list[AgreementTotal]:
        return await analytics.agreement_totals(info, group_by, currency, first)

    @strawberry.field(
        description="The size of the graph: entities per kind, relationships per type, sources."
    )
    async def stats(self, info: Info) -> GraphStats:
        return await analytics.graph_stats(info.context)

    @strawberry.field(
        description="Dated entities (events, signed agreements) in date order, each date with "
        "what it means; with `id`, only that entity and those within `hops` of it."
    )
    async def timeline(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only around this entity; omit for the whole graph."),
        ] = None,
        hops: Annotated[
            int,
            strawberry.argument(description="How far around `id` to look (1-3)."),
        ] = 1,
        from_: Annotated[
            dt.date | None,
            strawberry.argument(name="from", description="Only dates on or after this day."),
        ] = None,
        to: Annotated[
            dt.date | None,
            strawberry.argument(description="Only dates on or before this day."),
        ] = None,
        first: Annotated[int, strawberry.argument(description="At most this many (1-500).")] = 100,
    ) -> list[TimelineEntry]:
        entity_id = str(id) if id is not None else None
        return await analytics.timeline(info, entity_id, hops, from_, to, first)

    @strawberry.field(
        description="Pairs of entities of one kind that are likely the same thing (sources "
        "spelling one name differently: 'Bank of Beijing', 'BOB', '北京银行'), best first, "
        "each with its score and the signals it is made of: name and alias similarity "
        "(across scripts where aliases link them), entities related to both, agreeing or "
        "conflicting property values. Only pairs sharing a blocking key are compared, never "
        "every pair; pairs an editor marked distinct (`markDistinct`) are never proposed."
    )
    async def duplicate_candidates(
        self,
        info: Info,
        kinds: Annotated[
            list[EntityKind] | None,
            strawberry.argument(description="Only pairs of these kinds."),
        ] = None,
        threshold: Annotated[
            float,
            strawberry.argument(
                description="Only pairs scoring at least this (above 0, at most 1). The "
                f"default, {DEFAULT_THRESHOLD}, is where precision stays at or above 0.9 "
                "on the planted benchmark (README.md, 'Duplicate candidates')."
            ),
        ] = DEFAULT_THRESHOLD,
        first: Annotated[
            int, strawberry.argument(description=f"Page size (1 to {duplicates.MAX_PAGE}).")
        ] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> DuplicateCandidateConnection:
        return await duplicates.duplicate_candidates(info, _values(kinds), threshold, first, after)

    @strawberry.field(
        description="Changes to an entity and its relationships, newest first, each with "
        "who made it, when, and its provenance."
    )
    async def history(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Entity id.")],
        first: Annotated[int, strawberry.argument(description="At most this many (1-500).")] = 50,
    ) -> list[Change]:
        return await writing.history(info, str(id), first)

    @strawberry.field(
        description="Properties that sources disagree about, across the graph, in id order, "
        "as pages an analyst can work through; each lists every value with its sources. "
        "`resolveConflict` settles one."
    )
    async def conflicts(
        self,
        info: Info,
        status: Annotated[
            ConflictStatus | None,
            strawberry.argument(description="Only open, or only resolved, conflicts."),
        ] = None,
        kind: Annotated[
            str | None,
            strawberry.argument(
                description="Only conflicts about entities of this kind (e.g. BANK) or "
                "relationships of this type (e.g. LENT)."
            ),
        ] = None,
        entity: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only conflicts about this entity or its relationships."
            ),
        ] = None,
        property: Annotated[
            str | None, strawberry.argument(description="Only this property (e.g. amount).")
        ] = None,
        source: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only conflicts where this source gives a value."),
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"Page size (1 to {MAX_LIST}).")
        ] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> Connection[Conflict]:
        return await conflicts.page(
            info,
            status=status,
            kind=kind,
            entity=None if entity is None else str(entity),
            property=property,
            source=None if source is None else str(source),
            first=first,
            after=after,
        )


def _values(kinds: list[EntityKind] | None) -> list[str] | None:
    return None if kinds is None else [k.value for k in kinds]
