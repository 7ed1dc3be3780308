"""An export's members read from Neo4j (one query, graph/cypher/export.py) into the
model every format writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from graph import claims as stored_claims
from graph.cypher.common import INTERNAL_PROPERTIES
from graph.cypher.export import subgraph_members
from graph.db import Database
from graph.domain import DECLS, KIND_PROPERTIES, NUMBER, RELATIONSHIP_PROPERTIES
from graph.export.membership import Membership
from graph.export.model import (
    ALIASES,
    NAME,
    SHOWN,
    Citation,
    Claim,
    Edge,
    Export,
    Node,
    Request,
    Source,
    facts_claims,
)

_CORE = {"id", "kind", "name", "aliases"}


def public_properties(props: dict[str, Any]) -> dict[str, Any]:
    """What a client may see of a node's or relationship's properties: not the core
    fields, nothing the service keeps for itself (`_`-prefixed), no empty value."""
    return {
        key: value
        for key, value in sorted(props.items())
        if not key.startswith("_")
        and key not in INTERNAL_PROPERTIES
        and key not in _CORE
        and value is not None
    }


def citations_of(props: dict[str, Any]) -> tuple[Citation, ...]:
    return tuple(Citation.parse(entry) for entry in props.get("_prov") or ())


def _typed(value: Any, declared: str | None) -> Any:
    """A claimed value as its property is typed: claims compare integral numbers as
    integers (graph/claims.py), a NUMBER property is a float."""
    if declared == NUMBER and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def recorded_claims(
    props: dict[str, Any], kind_or_type: str, fallback: dict[str, tuple[Claim, ...]]
) -> dict[str, tuple[Claim, ...]]:
    """A fact's claims (graph/claims.py) keyed as its properties are stored: money's
    claim on amount and currency becomes a claim on each column, a list's a claim per
    item, the same value from several claims one claim citing them all. A value with no
    claim recorded keeps its `fallback` (the fact's own citations)."""
    groups = stored_claims.groups_of(kind_or_type)
    declared = KIND_PROPERTIES.get(kind_or_type) or RELATIONSHIP_PROPERTIES.get(kind_or_type) or {}
    merged: dict[str, dict[str, Claim]] = {}
    for prop, found in stored_claims.claims_of(props, kind_or_type).items():
        group = groups.get(prop)
        for claim in found:
            if prop in (NAME, ALIASES):
                columns = {prop: claim.value}
            elif group is not None:
                columns = stored_claims.columns_of(kind_or_type, group, claim.value)
            else:
                continue
            cites = tuple(Citation.parse(entry) for entry in claim.provenance)
            for column, value in columns.items():
                for item in value if isinstance(value, list) else [value]:
                    if item is None:
                        continue
                    item = _typed(item, declared.get(column))
                    key = stored_claims.canonical(item)
                    before = merged.setdefault(column, {}).get(key)
                    shown = claim.status == SHOWN or (before is not None and before.preferred)
                    merged[column][key] = Claim(
                        item,
                        tuple(dict.fromkeys((*(before.citations if before else ()), *cites))),
                        preferred=shown,
                        status=SHOWN if shown else claim.status,
                    )
    out = {column: tuple(values.values()) for column, values in merged.items()}
    return {**fallback, **out}


def node_of(props: dict[str, Any]) -> Node:
    kind = str(props.get("kind") or "")
    decl = DECLS.get(kind)
    name = str(props.get("name") or "")
    aliases = tuple(props.get("aliases") or ())
    properties = public_properties(props)
    citations = citations_of(props)
    return Node(
        id=props["id"],
        kind=kind,
        label=decl.label if decl else "Entity",
        name=name,
        aliases=aliases,
        properties=properties,
        citations=citations,
        claims=recorded_claims(props, kind, facts_claims(name, aliases, properties, citations)),
        contested=tuple(stored_claims.contested(props, kind)),
    )


def edge_of(row: dict[str, Any]) -> Edge:
    props = row["props"]
    properties = public_properties(props)
    citations = citations_of(props)
    return Edge(
        id=f"{row['from']}|{row['type']}|{row['to']}",
        type=row["type"],
        start=row["from"],
        end=row["to"],
        properties=properties,
        citations=citations,
        claims=recorded_claims(props, row["type"], facts_claims(None, (), properties, citations)),
        contested=tuple(stored_claims.contested(props, row["type"])),
    )


def assemble(
    membership: Membership, row: dict[str, Any], request: Request, exported_at: dt.datetime
) -> Export:
    """The export, in the answer's order: its entities, then the ends of its
    relationships that it did not show; members deleted since the query ran are left
    out, and the export says so."""
    by_id = {props["id"]: node_of(props) for props in row["nodes"]}
    edges_by_id = {edge.id: edge for edge in map(edge_of, row["edges"])}
    edges = tuple(edges_by_id[i] for i in membership.relationships if i in edges_by_id)
    wanted = [*membership.entities, *(end for e in edges for end in (e.start, e.end))]
    nodes = tuple(by_id[i] for i in dict.fromkeys(wanted) if i in by_id)
    cuts = list(membership.cut_texts())
    gone = len(membership.entities.keys() - by_id.keys()) + len(
        membership.relationships.keys() - edges_by_id.keys()
    )
    if gone:
        cuts.append(f"{gone} member(s) of the answer were no longer in the graph when it was read")
    sources = {
        source.id: source
        for source in sorted(map(Source.from_properties, row["sources"]), key=lambda s: s.id)
    }
    return Export(
        nodes=nodes,
        edges=edges,
        sources=sources,
        request=request,
        exported_at=exported_at,
        cuts=tuple(cuts),
    )


async def read_export(
    db: Database, membership: Membership, request: Request, exported_at: dt.datetime
) -> Export:
    ends = [e for t in membership.relationships.values() for e in t[::2]]
    ids = list(dict.fromkeys([*membership.entities, *ends]))
    relationships = [
        {"from": start, "type": rel_type, "to": end}
        for start, rel_type, end in membership.relationships.values()
    ]
    rows = await db.read(subgraph_members(ids, relationships))
    return assemble(membership, rows[0], request, exported_at)
