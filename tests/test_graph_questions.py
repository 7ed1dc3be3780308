"""Neighbourhood filters and the query plans behind lookups."""

import asyncio

import pytest

from graph.cypher import collections, entities, search
from graph.cypher.collections import Page
from graph.db import Database
from graph.domain import Kind


def test_neighborhood_kind_filter(gql):
    data = gql(
        '{ neighborhood(id: "bank-of-beijing", hops: 2, kinds: [BANK, AGREEMENT]) '
        "{ truncated nodes { id kind } edges { type from to } } }"
    )["neighborhood"]
    assert {n["id"] for n in data["nodes"]} == {
        "bank-of-beijing",
        "bank-of-china",
        "beijing-ip-bureau-banks-ip-financing-agreement",
    }
    assert {e["type"] for e in data["edges"]} == {"PARTY_TO"}
    assert data["truncated"] is False


def test_neighborhood_type_filter(gql):
    data = gql(
        '{ neighborhood(id: "potevio", hops: 3, types: ["BORROWED", "LENT"]) { nodes { id } } }'
    )["neighborhood"]
    assert {n["id"] for n in data["nodes"]} == {
        "potevio",
        "potevio-credit-bank-of-beijing",
        "bank-of-beijing",
    }


def _plan_operators(settings, cypher) -> str:
    query, params = cypher

    async def explain():
        db = Database(settings)
        try:
            async with db.driver.session(database=db.database) as session:
                result = await session.run("EXPLAIN " + query, params)
                summary = await result.consume()
                return summary.plan
        finally:
            await db.close()

    def walk(plan) -> list[str]:
        return [plan["operatorType"]] + [o for c in plan.get("children", []) for o in walk(c)]

    return " ".join(walk(asyncio.run(explain())))


@pytest.mark.parametrize(
    ("name", "cypher"),
    [
        ("entity by id", entities.entity_by_id("bank-of-beijing")),
        ("entities by ids", entities.entities_by_ids(["bank-of-beijing", "potevio"])),
        ("relationships of ids", entities.relationships_of(["potevio"], None, "BOTH", 10)),
        (
            "page filtered by name",
            collections.page_of_entities(
                Page(
                    kind=Kind.BANK,
                    where={"name": {"equals": "Bank of Beijing", "case_insensitive": False}},
                )
            ),
        ),
        ("search", search.search_entities("Bank of Beijing", ["BANK"], 5)),
    ],
)
def test_lookups_use_indexes_not_label_scans(settings, name, cypher):
    operators = _plan_operators(settings, cypher)
    assert "AllNodesScan" not in operators, operators
    if name != "page filtered by name":
        assert "NodeByLabelScan" not in operators, operators
    if name.startswith("entit") or name.startswith("relationships"):
        assert "NodeUniqueIndexSeek" in operators or "NodeIndexSeek" in operators, operators
