"""What Neo4j's answer becomes (graph/export/reading.py, `assemble`): the answer's order,
relationships' ends included, internal properties left out, members gone said so."""

from __future__ import annotations

import datetime as dt
import re

from graph import claims
from graph.export.membership import Membership
from graph.export.model import Citation, Claim, Request
from graph.export.reading import assemble

SOURCE = {"id": "daily", "title": "Daily", "publishedOn": dt.date(2013, 8, 2)}
ROW = {
    "nodes": [
        {
            "id": "c",
            "kind": "CREDIT",
            "name": "C",
            "amount": 2.0,
            "_prov": ["daily|5|"],
            "_search": "c",
            "_sortName": "c",
            "_setBy": ["amount|daily|seed"],
            "empty": None,
        },
        {"id": "b", "kind": "BANK", "name": "B", "aliases": ["BB"], "_prov": ["daily||headline"]},
    ],
    "edges": [{"type": "LENT", "from": "b", "to": "c", "props": {"_prov": ["daily|5|"]}}],
    "sources": [SOURCE],
}


def membership(entities, relationships) -> Membership:
    found = Membership()
    for e in entities:
        found.add_entity(e)
    for r in relationships:
        found.add_relationship(r)
    return found


def test_members_come_in_the_answers_order_with_the_ends_of_relationships():
    export = assemble(
        membership(["c"], ["b|LENT|c"]), ROW, Request("{ x }"), dt.datetime.now(dt.UTC)
    )
    assert [n.id for n in export.nodes] == ["c", "b"]
    assert [e.id for e in export.edges] == ["b|LENT|c"]
    credit, bank = export.nodes
    assert (credit.label, bank.label) == ("Credit", "Bank")
    assert credit.properties == {"amount": 2.0}
    assert credit.citations == (Citation("daily", paragraph=5),)
    assert bank.aliases == ("BB",)
    assert export.sources["daily"].published_on == dt.date(2013, 8, 2)
    assert not export.truncated


def test_members_deleted_since_the_query_ran_are_left_out_and_said_so():
    found = membership(["c", "gone"], ["b|LENT|c", "b|LENT|gone"])
    found.add_cut(["neighborhood"], "cut at its limit (`truncated`)")
    export = assemble(found, ROW, Request("{ x }"), dt.datetime.now(dt.UTC))
    assert [n.id for n in export.nodes] == ["c", "b"]
    assert export.truncated
    assert export.cuts[0] == "neighborhood: cut at its limit (`truncated`)"
    assert re.match(r"2 member\(s\) of the answer were no longer in the graph", export.cuts[1])


def stored(kind: str, rows: list[tuple[dict, str]], name: str, aliases=()) -> list[str]:
    """`_claims` after `rows` of (properties, provenance entry), as the upserts write it."""
    entries: list[str] = []
    for props, prov in rows:
        for c in claims.row_claims(kind, props, [prov], name=name, aliases=aliases, target="t"):
            entries += [e for e in c["entries"] if e not in entries]
    return entries


def test_claims_recorded_by_the_graph_become_the_exports_claims():
    credit = {
        "id": "c",
        "kind": "CREDIT",
        "name": "C",
        "aliases": ["CC"],
        "amount": 2.0e8,
        "currency": "CNY",
        "collateral": "patents",
        "_prov": ["daily|5|", "weekly||headline"],
        "_claims": stored(
            "CREDIT",
            [
                ({"amount": 2.0e8, "currency": "CNY", "collateral": "patents"}, "daily|5|"),
                ({"amount": 3.0e8, "currency": "CNY"}, "weekly||headline"),
            ],
            name="C",
            aliases=["CC"],
        ),
    }
    row = {**ROW, "nodes": [credit]}
    export = assemble(membership(["c"], []), row, Request("{ x }"), dt.datetime.now(dt.UTC))
    [node] = export.nodes
    daily, weekly = Citation("daily", paragraph=5), Citation("weekly", locator="headline")
    # Money's claim on amount and currency is a claim on each column; the amount typed
    # as the property is (a float), the currency both sources give one claim citing both.
    assert node.claims["amount"] == (
        Claim(2.0e8, (daily,)),
        Claim(3.0e8, (weekly,), preferred=False, status="ALTERNATIVE"),
    )
    assert isinstance(node.claims["amount"][1].value, float)
    assert node.claims["currency"] == (Claim("CNY", (daily, weekly)),)
    assert node.claims["collateral"] == (Claim("patents", (daily,)),)
    assert node.claims["name"] == (Claim("C", (daily, weekly)),)
    assert node.claims["aliases"] == (Claim("CC", (daily, weekly)),)
    assert node.contested == ("amount",)


def test_a_value_with_no_claim_recorded_cites_the_facts_sources():
    export = assemble(membership(["c"], []), ROW, Request("{ x }"), dt.datetime.now(dt.UTC))
    [node] = export.nodes
    assert node.claims["amount"] == (Claim(2.0, (Citation("daily", paragraph=5),)),)
    assert node.contested == ()
