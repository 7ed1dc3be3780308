"""`duplicateCandidates`: pairs of entities likely to be one thing, best first.

1. Blocks: one pass over the entities groups them by their blocking keys
   (graph/cypher/duplicates.py); pairs are made only within blocks
   (graph.matching.candidates), so the work follows the blocks' sizes, never the
   square of the graph's.
2. Names: each pair's best name match (graph.matching.scoring); pairs that could not
   reach the threshold even with every other signal in their favour stop here, and so
   do pairs an editor marked distinct.
3. Evidence: for the pairs left, the entities related to both and the relationships
   between them, from the graph in one query per chunk; then the score.

The ranked list is kept per graph version (epoch and commit number, graph/cypher/
version.py), kinds and threshold, so paging through it costs no more work; any write
makes a new version and the next request ranks afresh.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types import Info

from graph.claims import claimed_columns
from graph.cypher import duplicates as q
from graph.cypher import version
from graph.db import Database
from graph.domain import DECLS, Money
from graph.errors import BadUserInput
from graph.matching import scoring
from graph.matching.candidates import blocks_of, pairs_from
from graph.resolvers import cursors
from graph.resolvers.arguments import check_range
from graph.types.connections import CollectionEdge, PageInfo
from graph.types.duplicates import (
    DuplicateCandidate,
    DuplicateCandidateConnection,
    DuplicateSignal,
    DuplicateSignalKind,
)
from graph.types.entities import public_properties, to_entity
from graph.types.values import EntityKind

ORDER = "score"
MAX_PAGE = 100
# Entities per query of step 3 (each with its relationships, within the query timeout).
CHUNK = 2_000
# Ranked lists kept (per worker): a few kinds and thresholds at the current version.
KEPT = 8


@dataclass(frozen=True)
class Ranked:
    candidates: list[tuple[float, str, str, scoring.Score, str]]  # score, a, b, signals, kind
    nodes: dict[str, dict[str, Any]]  # the entities of the candidates, as stored
    degrees: dict[str, int]  # and how many relationships each has
    compared: int
    crowded: int


@dataclass(frozen=True)
class _Related:
    """The entities at the other end of an entity's relationships, and how many
    relationships it has."""

    ids: frozenset[str]
    count: int


_kept: OrderedDict[tuple, Ranked] = OrderedDict()

# Each kind's sums of money, as their (amount, currency) columns: the amount, then the
# source's conversion of it (graph.matching.scoring compares them in a common currency).
MONEY: dict[str, tuple[tuple[tuple[str, str], ...], ...]] = {
    name: tuple(
        (p.columns, *((p.converted.columns,) if p.converted else ()))
        for p in decl.all_properties()
        if isinstance(p, Money)
    )
    for name, decl in DECLS.items()
}


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _light(entity_id: str, row: list) -> scoring.Side:
    """An entity with its names only, from the one pass over all entities."""
    _, kind, _, name, aliases, name_zh = row
    props = {"nameZh": name_zh} if isinstance(name_zh, str) else {}
    return scoring.Side(entity_id, kind, name or "", tuple(aliases or ()), props)


def _shared(a: str, b: str, related: dict[str, _Related]) -> frozenset[str]:
    return (related[a].ids & related[b].ids) - {a, b}


def _neighbours(
    a: str,
    b: str,
    related: dict[str, _Related],
    others: dict[str, tuple[str, int]],
    links: dict[tuple[str, str], list[str]],
) -> scoring.Neighbours:
    """What the graph says about a pair; `others`: the name and number of relationships
    of every entity related to both; `links`: the types joining linked pairs."""
    shared = sorted((others[x][1], others[x][0], x) for x in _shared(a, b, related))
    return scoring.Neighbours(
        tuple((name, degree) for degree, name, _ in shared), tuple(links.get((a, b), ()))
    )


def _counter(carriers: dict[str, int]):
    """How many entities carry a name exactly, or names with some initials, by its key."""
    return lambda key: carriers.get(key) or scoring.fewest_carriers(key)


async def rank(db: Database, kinds: list[str] | None, threshold: float) -> Ranked:
    [row] = await db.read(q.names(kinds))
    rows = {r[0]: r for r in row["entities"]}
    pairs = pairs_from(blocks_of((r[0], r[1], r[2] or ()) for r in rows.values()), threshold)
    [marks] = await db.read(q.distinct_pairs())
    distinct = {tuple(sorted(pair)) for pair in marks["pairs"]}

    # Names first: a pair that cannot reach the threshold on them goes no further.
    carriers_of: dict[str, dict[str, int]] = {}
    for (kind, key), count in pairs.carriers.items():
        carriers_of.setdefault(kind, {})[key] = count
    hopeful: list[tuple[str, str, str]] = []
    evidence: dict[tuple[str, str], scoring.NameEvidence] = {}
    for (a, b), kind in pairs.kinds.items():
        if (a, b) in distinct:
            continue
        if (a, b) in pairs.exact:  # the same name: worth what its carriers leave it
            value = min(1.0, 2 / pairs.exact[(a, b)])
        else:
            match = scoring.best_name_match(
                _light(a, rows[a]), _light(b, rows[b]), _counter(carriers_of.get(kind, {}))
            )
            evidence[(a, b)] = match
            value = match.value
        if scoring.best_possible(value) >= threshold:
            hopeful.append((a, b, kind))

    ids = sorted({i for a, b, _ in hopeful for i in (a, b)})
    nodes: dict[str, dict[str, Any]] = {}
    related: dict[str, _Related] = {}
    for chunk in _chunks(ids):
        [found] = await db.read(q.entities(chunk))
        for node, ends in found["entities"]:
            nodes[node["id"]] = node
            related[node["id"]] = _Related(frozenset(ends), len(ends))

    def side(entity_id: str) -> scoring.Side:
        node = nodes[entity_id]
        return scoring.Side(
            id=entity_id,
            kind=node["kind"],
            name=node.get("name") or "",
            aliases=tuple(node.get("aliases") or ()),
            properties=public_properties(node),
            degree=related[entity_id].count,
            claimed=claimed_columns(node, node["kind"]),
        )

    def scored(a: str, b: str, kind: str, others: dict, links: dict) -> scoring.Score:
        sa, sb = side(a), side(b)
        return scoring.score(
            sa,
            sb,
            _neighbours(a, b, related, others, links),
            money=MONEY[kind],
            name=evidence.get((a, b))
            or scoring.best_name_match(sa, sb, _counter(carriers_of.get(kind, {}))),
        )

    hopeful = [(a, b, kind) for a, b, kind in hopeful if a in nodes and b in nodes]
    # The entities related to both of a pair (their names and numbers of relationships),
    # and the types of relationships joining the two of a pair, where one does.
    others: dict[str, tuple[str, int]] = {}
    wanted = sorted({x for a, b, _ in hopeful for x in _shared(a, b, related)})
    for chunk in _chunks(wanted):
        [found] = await db.read(q.names_and_degrees(chunk))
        others.update({i: (name or i, degree) for i, name, degree in found["entities"]})
    links: dict[tuple[str, str], list[str]] = {}
    linked = [[a, b] for a, b, _ in hopeful if b in related[a].ids]
    for chunk in _chunks(linked):
        [found] = await db.read(q.links(chunk))
        links.update({(a, b): types for a, b, types in found["links"]})
    candidates = []
    for a, b, kind in hopeful:
        result = scored(a, b, kind, others, links)
        if result.value >= threshold:
            candidates.append((result.value, a, b, result, kind))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    kept = {i for _, a, b, _, _ in candidates for i in (a, b)}
    return Ranked(
        candidates,
        {i: nodes[i] for i in kept},
        {i: related[i].count for i in kept},
        len(pairs.kinds),
        sum(pairs.crowded.values()),
    )


async def _ranked(db: Database, kinds: list[str] | None, threshold: float) -> Ranked:
    rows = await db.read((version.CURRENT, {}))
    at = (rows[0]["epoch"], rows[0]["version"]) if rows else ("", 0)
    key = (at, tuple(sorted(kinds)) if kinds else None, threshold)
    if key in _kept:
        _kept.move_to_end(key)
        return _kept[key]
    ranked = await rank(db, kinds, threshold)
    _kept[key] = ranked
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    return ranked


def _candidate(entry: tuple, ranked: Ranked) -> DuplicateCandidate:
    value, a, b, result, kind = entry
    # The survivor: more relationships (fewer to move), then the smaller id.
    survivor, merged = (b, a) if ranked.degrees[b] > ranked.degrees[a] else (a, b)
    return DuplicateCandidate(
        kind=EntityKind(kind),
        score=value,
        a=to_entity(ranked.nodes[a]),
        b=to_entity(ranked.nodes[b]),
        signals=[
            DuplicateSignal(
                signal=DuplicateSignalKind(s.name), contribution=s.contribution, detail=s.detail
            )
            for s in result.signals
        ],
        survivor_id=strawberry.ID(survivor),
        merged_id=strawberry.ID(merged),
    )


async def duplicate_candidates(
    info: Info,
    kinds: list[str] | None,
    threshold: float,
    first: int,
    after: str | None,
) -> DuplicateCandidateConnection:
    check_range("first", first, 1, MAX_PAGE)
    if not 0.0 < threshold <= 1.0:
        raise BadUserInput(f"`threshold` must be above 0 and at most 1; got {threshold}.")
    ranked = await _ranked(info.context.db, kinds, threshold)
    start = 0
    if after is not None:
        score, pair = cursors.decode(after, ORDER, True, (float, int))
        last = (-float(score), *pair.split("|", 1))
        start = next(
            (i for i, c in enumerate(ranked.candidates) if (-c[0], c[1], c[2]) > last),
            len(ranked.candidates),
        )
    page = ranked.candidates[start : start + first]
    edges = [
        CollectionEdge(
            cursor=cursors.encode(ORDER, True, entry[0], f"{entry[1]}|{entry[2]}"),
            node=_candidate(entry, ranked),
        )
        for entry in page
    ]
    return DuplicateCandidateConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + first < len(ranked.candidates),
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(ranked.candidates),
        threshold=threshold,
        compared=ranked.compared,
        crowded=ranked.crowded,
    )
