"""The `conflicts` root field and the `resolveConflict` mutation (README.md, "Claims and
conflicts")."""

from __future__ import annotations

import json
from typing import Any

from strawberry.types import Info

from graph import claims
from graph.auth.guard import authorize
from graph.bulk.report import change_record
from graph.cypher import changes
from graph.cypher import conflicts as q
from graph.cypher.plan import MAX_LIST
from graph.db import Transaction
from graph.errors import Forbidden
from graph.resolvers import cursors
from graph.resolvers.arguments import check_range
from graph.types.conflicts import Conflict, ConflictResolved, ConflictStatus
from graph.types.connections import CollectionEdge, Connection, PageInfo
from graph.types.mutations import forbidden, not_found, validation

ORDER = "CONFLICT_ID"


async def page(
    info: Info,
    *,
    status: ConflictStatus | None,
    kind: str | None,
    entity: str | None,
    property: str | None,
    source: str | None,
    first: int,
    after: str | None,
) -> Connection[Conflict]:
    check_range("first", first, 1, MAX_LIST)
    after_id = None
    if after is not None:
        _, after_id = cursors.decode(after, ORDER, False, (type(None),))
    cypher = q.conflicts_page(
        status=None if status is None else status.name.lower(),
        kind=kind,
        entity=entity,
        property=property,
        source=source,
        first=first,
        after=after_id,
        counted=True,
    )
    [row] = await info.context.db.read(cypher)
    rows = row["rows"]
    edges = [
        CollectionEdge(
            cursor=cursors.encode(ORDER, False, None, r["conflict"]["id"]), node=Conflict.of(r)
        )
        for r in rows[:first]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first, end_cursor=edges[-1].cursor if edges else None
        ),
        total=row["total"],
    )


class _Refused(Exception):
    def __init__(self, result: Any) -> None:
        self.result = result


async def resolve(info: Info, conflict_id: str, value: Any, note: str | None):
    """Shows the chosen value (one some source gives) and pins it, in one transaction
    with the Change that records it; the other values stay, REJECTED."""
    try:
        principal = await authorize(info, "editor")
    except Forbidden as exc:
        return forbidden(exc.message)
    change = change_record(principal.subject, "api")

    async def work(tx: Transaction) -> dict[str, Any]:
        rows = await tx.run(q.conflict_by_id(conflict_id))
        if not rows or rows[0]["props"] is None:
            raise _Refused(not_found("conflict", conflict_id))
        found = rows[0]
        conflict, props = found["conflict"], found["props"]
        group = claims.groups_of(conflict["kind"]).get(conflict["property"])
        given = claims.claims_of(props, conflict["kind"]).get(conflict["property"], [])
        key = claims.canonical(value)
        chosen = next((c for c in given if c.key == key), None)
        if group is None or chosen is None:
            offered = ", ".join(c.key for c in given) or "none"
            raise _Refused(
                validation(
                    [
                        f"value must be one of the values sources give {conflict['property']} "
                        f"(the `value` of one of the conflict's claims): {offered}"
                    ]
                )
            )
        prefix = group.name + claims.SEP
        await tx.run(
            q.resolve_conflict(
                conflict,
                prefix=prefix,
                key=key,
                columns=claims.columns_of(conflict["kind"], group, chosen.value),
                considered=[prefix + c.key + claims.SEP for c in given],
                note=note,
                change=change,
            )
        )
        entry = {
            "action": "resolve",
            "target": conflict["target"],
            "subject": conflict["subject"],
            "object": conflict.get("object"),
            "type": conflict["kind"],
            "provenance": chosen.provenance,
            "note": f"{conflict['property']} = {json.dumps(chosen.value, ensure_ascii=False)}"
            + (f": {note}" if note else ""),
        }
        await tx.run(changes.record_change(change, entry))
        [again] = await tx.run(q.conflict_by_id(conflict_id))
        return again

    try:
        row = await info.context.db.transaction(work)
    except _Refused as refused:
        return refused.result
    return ConflictResolved(conflict=Conflict.of(row))
