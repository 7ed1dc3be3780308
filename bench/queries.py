"""The fixed query set, as each of the three systems is asked it.

For every query: the GraphQL document and variables this service answers, the
equivalent document for @neo4j/graphql (bench/neo4j-graphql/typeDefs.graphql), and, for
the raw-driver baseline, the Cypher this service sends for it, captured by running the
service's schema in-process once (`capture_cypher`). The ids they need (a hub, a
borrower with many credits, two distant entities, the 10,000th organization) are found
in the loaded graph by `find_targets`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from graph.cypher.search import lucene_query
from graph.db import Database
from graph.resolvers.cursors import encode as encode_cursor

PAGE = 100
DEEP_AFTER = 10_000
SEARCH_TEXT = "Beijing Zhongke Tecnology"  # a typo on purpose: fuzzy matching
NEIGHBORHOOD_LIMIT = 200


@dataclass
class Query:
    name: str
    title: str
    ours: tuple[str, dict[str, Any]]
    theirs: tuple[str, dict[str, Any]]
    # The Cypher our service sends for `ours` (one query: one root field).
    cypher: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Targets:
    borrower: str  # the organization with the most credits received
    hub: str  # the bank with the most relationships
    path_from: str
    path_to: str
    path_length: int
    deep_offset: int  # how many items the deep page skips
    deep_key: str  # the sort key and id of the item it starts after
    deep_id: str


async def find_targets(db: Database) -> Targets:
    [borrower] = await db.read(
        (
            "MATCH (o:Organization)-[:BORROWED]->(c:Credit) "
            "RETURN o.id AS id, count(c) AS n ORDER BY n DESC, id LIMIT 1",
            {},
        )
    )
    [hub] = await db.read(
        ("MATCH (b:Bank) RETURN b.id AS id, COUNT { (b)--() } AS n ORDER BY n DESC, id LIMIT 1", {})
    )
    # Two entities far apart: people with few ties and patents, tried in a fixed order
    # until a pair is at least four hops apart (hubs make most pairs close).
    people = await db.read(
        (
            "MATCH (p:Person) WITH p, COUNT { (p)--() } AS d WHERE d = 1 "
            "RETURN p.id AS id ORDER BY id LIMIT 20",
            {},
        )
    )
    patents = await db.read(
        (
            "MATCH (p:Patent) WITH p, COUNT { (p)--() } AS d WHERE d = 1 "
            "RETURN p.id AS id ORDER BY id LIMIT 20",
            {},
        )
    )
    best = None
    for a, b in zip(people, reversed(patents), strict=False):
        rows = await db.read(
            (
                "MATCH (a:Entity {id: $a}), (b:Entity {id: $b}) "
                "MATCH p = shortestPath((a)-[*..10]-(b)) RETURN length(p) AS n",
                {"a": a["id"], "b": b["id"]},
            )
        )
        if rows and (best is None or rows[0]["n"] > best[2]):
            best = (a["id"], b["id"], rows[0]["n"])
        if best and best[2] >= 5:
            break
    if best is None:
        raise SystemExit("no two connected low-degree entities found for the path query")
    [count] = await db.read(("MATCH (n:Organization) RETURN count(n) AS n", {}))
    offset = min(DEEP_AFTER, max(0, count["n"] - 2 * PAGE))
    [deep] = await db.read(
        (
            "MATCH (n:Organization) WITH n, coalesce(toLower(n.name), '') AS key "
            "ORDER BY key, n.id SKIP $skip LIMIT 1 RETURN key, n.id AS id",
            {"skip": offset - 1},
        )
    )
    return Targets(
        borrower["id"], hub["id"], best[0], best[1], best[2], offset, deep["key"], deep["id"]
    )


# The deep page through @neo4j/graphql's cursor connection, kept to show why it is not
# the one measured (bench/run.py tries it once and reports what happens).
DEEP_CONNECTION = """query ($after: String!) { organizationsConnection(first: 100,
  sort: [{name: ASC}, {id: ASC}], after: $after) { edges { cursor node { id name } }
  pageInfo { hasNextPage endCursor } } }"""


def offset_cursor(offset: int) -> str:
    """@neo4j/graphql's cursors (graphql-relay's): the offset of the last item seen."""
    return base64.b64encode(f"arrayconnection:{offset - 1}".encode()).decode()


def query_set(t: Targets) -> list[Query]:
    org_fields = "id name"
    return [
        Query(
            "nested",
            "entity by id, three levels of typed relationships",
            (
                """query ($id: ID!) { entity(id: $id) { id name kind ... on Organization {
                 creditsReceived { id name ... on Credit { amount { amount currency }
                   lender { id name }
                   securedBy { id name ... on Patent { owner { id name } } } } } } } }""",
                {"id": t.borrower},
            ),
            (
                """query ($id: ID!) { organizations(where: {id: {eq: $id}}) { id name kind
                 creditsReceived(limit: 100, sort: [{name: ASC}, {id: ASC}]) { id name
                   amount currency
                   lender(limit: 100) { id name }
                   securedBy(limit: 100, sort: [{name: ASC}, {id: ASC}]) { id name
                     owner(limit: 100) { id name } } } } }""",
                {"id": t.borrower},
            ),
        ),
        Query(
            "nested_page",
            "a hub's relationship field, paged and counted (one page of 100)",
            (
                """query ($id: ID!) { entity(id: $id) { id name ... on Bank {
                 creditsGrantedConnection(first: 100) { totalCount
                   edges { cursor node { id name ... on Credit { amount { amount currency } } } }
                   pageInfo { hasNextPage endCursor } } } } }""",
                {"id": t.hub},
            ),
            (
                """query ($id: ID!) { banks(where: {id: {eq: $id}}) { id name
                 creditsGrantedConnection(first: 100,
                   sort: [{node: {name: ASC}}, {node: {id: ASC}}]) {
                   totalCount edges { cursor node { id name amount currency } }
                   pageInfo { hasNextPage endCursor } } } }""",
                {"id": t.hub},
            ),
        ),
        Query(
            "filtered_page",
            "filtered, sorted page of 100",
            (
                """query ($min: Float!) { credits(first: 100,
                 where: {amount: {min: $min, currency: "CNY"}},
                 orderBy: {key: AMOUNT, direction: DESC}) {
                 edges { cursor node { id name amount { amount currency } } }
                 pageInfo { hasNextPage endCursor } } }""",
                {"min": 1_000_000.0},
            ),
            (
                """query ($min: Float!) { creditsConnection(first: 100,
                 where: {amount: {gte: $min}, currency: {eq: "CNY"}},
                 sort: [{amount: DESC}, {id: DESC}]) {
                 edges { cursor node { id name amount currency } }
                 pageInfo { hasNextPage endCursor } } }""",
                {"min": 1_000_000.0},
            ),
        ),
        Query(
            "first_page",
            "first page of 100 (organizations by name)",
            (
                f"""{{ organizations(first: 100, orderBy: {{key: NAME}}) {{
                 edges {{ cursor node {{ {org_fields} }} }}
                 pageInfo {{ hasNextPage endCursor }} }} }}""",
                {},
            ),
            (
                f"""{{ organizationsConnection(first: 100, sort: [{{name: ASC}}, {{id: ASC}}]) {{
                 edges {{ cursor node {{ {org_fields} }} }}
                 pageInfo {{ hasNextPage endCursor }} }} }}""",
                {},
            ),
        ),
        Query(
            "deep_page",
            f"page of 100 after {t.deep_offset:,} items",
            (
                f"""query ($after: String!) {{ organizations(first: 100, orderBy: {{key: NAME}},
                 after: $after) {{ edges {{ cursor node {{ {org_fields} }} }}
                 pageInfo {{ hasNextPage endCursor }} }} }}""",
                {"after": encode_cursor("NAME", False, t.deep_key, t.deep_id)},
            ),
            # Its cursor connection cannot go this deep: `organizationsConnection(after:)`
            # collects the whole collection into one list and sorts rows that each carry
            # it, which exceeds Neo4j's 2 GiB transaction memory from a few thousand items
            # on (see DEEP_CONNECTION). What a user does instead: its offset list field.
            (
                f"""query ($offset: Int!) {{ organizations(limit: 100, offset: $offset,
                 sort: [{{name: ASC}}, {{id: ASC}}]) {{ {org_fields} }} }}""",
                {"offset": t.deep_offset},
            ),
        ),
        Query(
            "search",
            "fuzzy search",
            (
                """query ($text: String!) { search(text: $text, first: 10) {
                 score entity { id name kind } } }""",
                {"text": SEARCH_TEXT},
            ),
            (
                """query ($q: String!, $exact: String!) { search(q: $q, exact: $exact, first: 10) {
                 score entity { id name kind } } }""",
                {"q": lucene_query(SEARCH_TEXT), "exact": " ".join(SEARCH_TEXT.split()).lower()},
            ),
        ),
        Query(
            "shortest_path",
            f"shortest path between two distant entities ({t.path_length} hops)",
            (
                """query ($a: ID!, $b: ID!) { shortestPath(fromId: $a, toId: $b) {
                 length nodes { id name kind } edges { type from to } } }""",
                {"a": t.path_from, "b": t.path_to},
            ),
            (
                """query ($a: ID!, $b: ID!) { shortestPath(fromId: $a, toId: $b) {
                 length nodes { id name kind } edges { type from to } } }""",
                {"a": t.path_from, "b": t.path_to},
            ),
        ),
        Query(
            "neighborhood",
            f"2-hop neighbourhood of a hub, at most {NEIGHBORHOOD_LIMIT} nodes",
            (
                """query ($id: ID!, $limit: Int!) { neighborhood(id: $id, hops: 2, limit: $limit) {
                 truncated nodes { id name kind } edges { type from to } } }""",
                {"id": t.hub, "limit": NEIGHBORHOOD_LIMIT},
            ),
            (
                """query ($id: ID!, $limit: Int!) { neighborhood(id: $id, limit: $limit) {
                 truncated nodes { id name kind } edges { type from to } } }""",
                {"id": t.hub, "limit": NEIGHBORHOOD_LIMIT},
            ),
        ),
        Query(
            "credit_totals",
            "credit totals by lender (the 100 largest groups)",
            (
                """{ creditTotals(groupBy: LENDER) { entity { id name kind }
                 total { amount currency } count } }""",
                {},
            ),
            # The largest 100 groups, as `creditTotals` gives by default (issue 13 bounded it).
            (
                """{ creditTotalsByLender(first: 100) { entity { id name kind }
                 amount currency count } }""",
                {},
            ),
        ),
    ]


async def capture_cypher(db: Database, queries: list[Query]) -> None:
    """Runs each of our documents through the service's schema in-process and keeps the
    Cypher it sent (the raw-driver baseline replays exactly that)."""
    from graph.resolvers.context import Context
    from graph.schema import schema

    sent: list[tuple[str, dict[str, Any]]] = []
    db.listeners.append(lambda text, params: sent.append((text, params)))
    try:
        for q in queries:
            sent.clear()
            document, variables = q.ours
            result = await schema.execute(
                document, variable_values=variables, context_value=Context(db=db)
            )
            if result.errors:
                raise SystemExit(f"{q.name}: our service answered errors: {result.errors}")
            q.cypher = list(sent)
    finally:
        db.listeners.pop()


def count_items(name: str, data: dict[str, Any]) -> int:
    """How many items an answer holds (a sanity check that the systems agree)."""
    if name == "nested":
        root = data.get("entity") or (data.get("organizations") or [None])[0] or {}
        return sum(1 + len(c.get("securedBy") or []) for c in root.get("creditsReceived") or [])
    if name == "nested_page":
        root = data.get("entity") or (data.get("banks") or [None])[0] or {}
        return len(root["creditsGrantedConnection"]["edges"])
    if name in ("filtered_page", "first_page", "deep_page"):
        conn = next(iter(data.values()))
        return len(conn["edges"]) if isinstance(conn, dict) else len(conn)
    if name == "search":
        return len(data["search"])
    if name == "shortest_path":
        return len((data["shortestPath"] or {}).get("nodes") or [])
    if name == "neighborhood":
        return len(data["neighborhood"]["nodes"])
    if name == "credit_totals":
        return len(next(iter(data.values())))
    return 0
