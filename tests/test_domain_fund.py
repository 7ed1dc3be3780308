"""A kind added by declaration alone: `Fund` (tests/domain/fund.py) is declared in a
test-only domain, and the service (`graph.cli serve`) and the bulk loader (`graph.cli
ingest`) are built from it through the same code as from the real domain, named by the
`DOMAIN` setting. Over HTTP against Neo4j: a collection filtered by money, a nested paged
relationship field with totalCount and aggregates, the timeline, and validation refusing
a bad row.

Every id here starts with `fundtest-`; the module removes what it wrote when it ends.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.settings import ROOT, Settings
from tests.commands import cli_env, delete_prefixed, ingest, query
from tests.conftest import free_port, poll, serve_command
from tests.domain.fund import DOMAIN as FUND_DOMAIN

PREFIX = "fundtest-"
SOURCE = f"{PREFIX}source"


def _clean(settings: Settings) -> None:
    delete_prefixed(settings, PREFIX)


# What the module writes, as plain rows the expectations below are computed from.
# Funds: (id, size, currency, closedOn or None).
FUNDS = [
    (f"{PREFIX}fund-0", 500.0, "USD", "2020-03-01"),
    (f"{PREFIX}fund-1", 50.0, "USD", "2021-06-30"),
    (f"{PREFIX}fund-2", 900.0, "CNY", None),
]
ORGS = [f"{PREFIX}org-{j:02d}" for j in range(25)]
# Investments: (fund, organization, amount, currency, round, lead). fund-0 invested in
# every organization; fund-1 and fund-2 in the first (and fund-2 the second) too.
INVESTMENTS = [
    (
        FUNDS[0][0],
        org,
        10.0 + j,
        "CNY" if j % 5 == 4 else "USD",
        "Series A" if j % 2 else "Seed",
        j % 3 == 0,
    )
    for j, org in enumerate(ORGS)
] + [
    (FUNDS[1][0], ORGS[0], 7.0, "USD", "Seed", False),
    (FUNDS[2][0], ORGS[0], 70.0, "CNY", "Series A", True),
    (FUNDS[2][0], ORGS[1], 80.0, "CNY", "Series A", False),
]
# Memberships: (member, alliance, since).
MEMBERSHIPS = [(ORGS[1], ORGS[0], "2019-05-01"), (ORGS[2], ORGS[0], "2022-01-01")]


def _lines() -> list[dict]:
    prov = [{"source": SOURCE, "paragraph": 1}]
    lines: list[dict] = [
        {"record": "source", "id": SOURCE, "title": "Fund test source", "publishedOn": "2025-01-01"}
    ]
    for i, (fund, size, currency, closed) in enumerate(FUNDS):
        props: dict = {"size": size, "sizeCurrency": currency}
        if closed:
            props["closedOn"] = closed
        lines.append(
            {
                "id": fund,
                "kind": "FUND",
                "name": f"Test Fund {i}",
                "properties": props,
                "provenance": prov,
            }
        )
    for j, org in enumerate(ORGS):
        lines.append(
            {"id": org, "kind": "ORGANIZATION", "name": f"Fund Target {j:02d}", "provenance": prov}
        )
    for fund, org, amount, currency, round_, lead in INVESTMENTS:
        props = {"amount": amount, "amountCurrency": currency, "round": round_}
        if lead:  # left out otherwise: a missing `lead` reads as its default, false
            props["lead"] = True
        lines.append(
            {
                "from": fund,
                "type": "INVESTED_IN",
                "to": org,
                "properties": props,
                "provenance": prov,
            }
        )
    for member, alliance, since in MEMBERSHIPS:
        lines.append(
            {
                "from": member,
                "type": "MEMBER_OF",
                "to": alliance,
                "properties": {"since": since},
                "provenance": prov,
            }
        )
    return lines


def _sums(pairs: list[tuple[float, str]]) -> list[dict]:
    """Per currency (in currency order): sum, count, min and max of the amounts."""
    out = []
    for currency in sorted({c for _, c in pairs}):
        amounts = [a for a, c in pairs if c == currency]
        out.append(
            {
                "currency": currency,
                "amount": sum(amounts),
                "count": len(amounts),
                "min": min(amounts),
                "max": max(amounts),
            }
        )
    return out


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture(scope="module")
def fund_env(settings: Settings) -> dict[str, str]:
    return {**cli_env(settings), "DOMAIN": "tests.domain.fund:DOMAIN"}


@pytest.fixture(scope="module")
def fund_api(settings: Settings, fund_env, tmp_path_factory) -> Iterator[httpx.Client]:
    _clean(settings)
    path = _write(tmp_path_factory.mktemp("fund") / "funds.jsonl", _lines())
    done = ingest(settings, path, env=fund_env)
    assert done.returncode == 0, done.stderr
    port = free_port()
    env = {**fund_env, "PORT": str(port)}
    log = tmp_path_factory.mktemp("fund-serve") / "stderr"
    try:
        with (
            log.open("w+") as err,
            serve_command(env, err),
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
        ):
            poll(http, "/ready", lambda r: r.status_code == 200, 60, "serve did not start")
            yield http
    finally:
        _clean(settings)


def _gql(http: httpx.Client, text: str, variables: dict | None = None) -> dict:
    body = http.post("/graphql", json={"query": text, "variables": variables}).json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def test_the_real_service_has_no_fund(gql):
    error = gql.error("{ funds { totalCount } }")
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_collection_filtered_by_money(fund_api):
    data = _gql(
        fund_api,
        """{ funds(where: {amount: {min: 100, currency: "USD"}}) {
             totalCount edges { node { id name size { amount currency } closedOn } } } }""",
    )["funds"]
    assert data["totalCount"] == 1
    [edge] = data["edges"]
    assert edge["node"] == {
        "id": f"{PREFIX}fund-0",
        "name": "Test Fund 0",
        "size": {"amount": 500.0, "currency": "USD"},
        "closedOn": "2020-03-01",
    }
    by_amount = _gql(
        fund_api,
        "{ funds(orderBy: {key: AMOUNT, direction: DESC}, "
        'where: {name: {startsWith: "Test Fund"}}) { edges { node { id } } } }',
    )["funds"]["edges"]
    assert [e["node"]["id"] for e in by_amount] == [f"{PREFIX}fund-{i}" for i in (2, 0, 1)]


def test_nested_paged_relationship_with_count_and_aggregate(fund_api):
    text = """query($after: String) { entity(id: "fundtest-fund-0") { ... on Fund {
        investmentsConnection(first: 10, after: $after, edge: {round: {equals: "Seed"}},
                              orderBy: {key: ROUND}) {
          totalCount pageInfo { hasNextPage endCursor }
          aggregate { count }
          edges { round amount { amount currency } node { id } } }
        all: investmentsConnection(first: 1) { totalCount }
        investments(first: 3) { id } } } }"""
    seen, after = [], None
    while True:
        fund = _gql(fund_api, text, {"after": after})["entity"]
        page = fund["investmentsConnection"]
        assert page["totalCount"] == page["aggregate"]["count"] == 13
        assert fund["all"]["totalCount"] == 25
        assert [i["id"] for i in fund["investments"]] == [f"{PREFIX}org-{j:02d}" for j in range(3)]
        seen += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [e["node"]["id"] for e in seen] == [f"{PREFIX}org-{j:02d}" for j in range(0, 25, 2)]
    assert {e["round"] for e in seen} == {"Seed"}
    assert seen[0]["amount"] == {"amount": 10.0, "currency": "USD"}


def test_totals_and_timeline_come_from_the_declaration(fund_api):
    data = _gql(
        fund_api,
        """{ funds(where: {name: {startsWith: "Test Fund"}}) { totalCount }
             timeline(from: "2020-01-01", to: "2021-12-31") { date label entity { id } }
             stats { entitiesByKind { kind count } }
             domain { kinds { name label collection date totals
                              properties { name type storedAs } } } }""",
    )
    fund_dates = [e for e in data["timeline"] if e["entity"]["id"].startswith(PREFIX)]
    assert [(e["date"], e["label"], e["entity"]["id"]) for e in fund_dates] == sorted(
        (closed, "fund closed", fund) for fund, _, _, closed in FUNDS if closed
    )
    assert {"kind": "FUND", "count": len(FUNDS)} in data["stats"]["entitiesByKind"]
    fund = next(k for k in data["domain"]["kinds"] if k["name"] == "FUND")
    assert fund["label"] == "Fund"
    assert fund["collection"] == "funds"
    assert (fund["date"], fund["totals"]) == ("closedOn", "size")
    assert {"name": "size", "type": "MONEY", "storedAs": ["size", "sizeCurrency"]} in fund[
        "properties"
    ]


def test_investors_add_up_the_funds_sizes_and_what_they_put_in(fund_api):
    """`totals` adds up the money each fund at the other end declares it totals (its
    size); `edgeTotals` the investments' own amounts."""
    text = """query($id: ID!) { entity(id: $id) { ... on Organization {
        investors { id }
        investorsConnection { totalCount aggregate {
          count
          totals { currency amount count min max }
          edgeTotals { property currency amount count min max } } } } } }"""
    sizes = {fund: (size, currency) for fund, size, currency, _ in FUNDS}
    for org in ORGS[:3]:
        rows = [row for row in INVESTMENTS if row[1] == org]
        got = _gql(fund_api, text, {"id": org})["entity"]
        assert [i["id"] for i in got["investors"]] == sorted(row[0] for row in rows)
        connection = got["investorsConnection"]
        assert connection["totalCount"] == connection["aggregate"]["count"] == len(rows)
        assert connection["aggregate"]["totals"] == _sums([sizes[row[0]] for row in rows])
        assert connection["aggregate"]["edgeTotals"] == [
            {"property": "amount", **s} for s in _sums([(row[2], row[3]) for row in rows])
        ]
    # The first organization has investors in two currencies: both are there, apart.
    assert {sizes[row[0]][1] for row in INVESTMENTS if row[1] == ORGS[0]} == {"USD", "CNY"}


def test_relationship_money_filters_sorts_and_adds_up(fund_api):
    """A relationship's money property (INVESTED_IN's `amount`) is an `edge` filter in
    a currency, a sort key of its own (EDGE_AMOUNT; AMOUNT stays the other end's) and
    is added up per currency in `edgeTotals`; a boolean one (`lead`) filters by value,
    a missing value reading as its default."""
    fund = FUNDS[0][0]
    mine = [row for row in INVESTMENTS if row[0] == fund]
    text = """query($after: String) { entity(id: "fundtest-fund-0") { ... on Fund {
        investmentsConnection(first: 4, after: $after,
                              edge: {amount: {min: 20, currency: "USD"}},
                              orderBy: {key: EDGE_AMOUNT, direction: DESC}) {
          totalCount pageInfo { hasNextPage endCursor }
          aggregate { edgeTotals { property currency amount count min max } }
          edges { amount { amount currency } node { id } } } } } }"""
    wanted = sorted(
        ((row[2], row[1]) for row in mine if row[3] == "USD" and row[2] >= 20),
        reverse=True,
    )
    assert len(wanted) > 4  # more than one page
    seen, after = [], None
    while True:
        page = _gql(fund_api, text, {"after": after})["entity"]["investmentsConnection"]
        assert page["totalCount"] == len(wanted)
        assert page["aggregate"]["edgeTotals"] == [
            {"property": "amount", **s} for s in _sums([(a, "USD") for a, _ in wanted])
        ]
        seen += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [(e["amount"]["amount"], e["node"]["id"]) for e in seen] == wanted
    assert {e["amount"]["currency"] for e in seen} == {"USD"}

    everything = _gql(
        fund_api,
        """{ entity(id: "fundtest-fund-0") { ... on Fund {
             all: investmentsConnection(first: 1) { aggregate { count totals { amount }
               edgeTotals { property currency amount count min max } } }
             lead: investmentsConnection(first: 50, edge: {lead: true}) {
               totalCount edges { lead node { id } } }
             notLead: investmentsConnection(first: 50, edge: {lead: false}) {
               totalCount edges { lead } }
             cheapest: investments(first: 2, orderBy: {key: EDGE_AMOUNT}) { id } } } }""",
    )["entity"]
    assert everything["all"]["aggregate"]["count"] == len(mine)
    assert everything["all"]["aggregate"]["totals"] == []  # organizations total no money
    assert everything["all"]["aggregate"]["edgeTotals"] == [
        {"property": "amount", **s} for s in _sums([(row[2], row[3]) for row in mine])
    ]
    leads = sorted(row[1] for row in mine if row[5])
    assert everything["lead"]["totalCount"] == len(leads)
    assert [e["node"]["id"] for e in everything["lead"]["edges"]] == leads
    assert {e["lead"] for e in everything["lead"]["edges"]} == {True}
    assert everything["notLead"]["totalCount"] == len(mine) - len(leads)
    assert {e["lead"] for e in everything["notLead"]["edges"]} == {False}
    assert [o["id"] for o in everything["cheapest"]] == [
        org for _, org in sorted((row[2], row[1]) for row in mine)[:2]
    ]

    keys = _gql(fund_api, '{ __type(name: "InvestedInSortKey") { enumValues { name } } }')
    names = [v["name"] for v in keys["__type"]["enumValues"]]
    assert {"AMOUNT", "EDGE_AMOUNT", "ROUND"} <= set(names)


def test_related_filter_reads_every_declared_relationship_property(fund_api):
    """A root collection's `related` filter takes each declared relationship property by
    its type: money in a currency, a boolean, a membership's `since` (with or without
    the relationship type given)."""
    orgs = {"ids": ORGS}

    def ids(collection: str, where: dict) -> list[str]:
        text = f"""query($where: EntityWhere) {{ {collection}(first: 100, where: $where) {{
                   edges {{ node {{ id }} }} }} }}"""
        found = _gql(fund_api, text, {"where": where})[collection]["edges"]
        return [e["node"]["id"] for e in found]

    big_usd = {"type": "INVESTED_IN", "direction": "IN", "amount": {"min": 30, "currency": "USD"}}
    assert ids("organizations", {**orgs, "related": [big_usd]}) == sorted(
        row[1] for row in INVESTMENTS if row[3] == "USD" and row[2] >= 30
    )
    led_first = {"type": "INVESTED_IN", "lead": True, "where": {"id": ORGS[0]}}
    assert ids("funds", {"related": [led_first]}) == sorted(
        row[0] for row in INVESTMENTS if row[1] == ORGS[0] and row[5]
    )
    early = {"direction": "OUT", "since": {"before": "2020-12-31"}}
    expected = sorted(m for m, _, since in MEMBERSHIPS if since <= "2020-12-31")
    assert expected
    assert ids("organizations", {**orgs, "related": [early]}) == expected
    assert ids("organizations", {**orgs, "related": [{**early, "type": "MEMBER_OF"}]}) == expected

    error = _error(
        fund_api,
        """{ organizations(where: {related: [{type: "LENT", round: {equals: "Seed"}}]}) {
             totalCount } }""",
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "LENT relationships have no property 'round'" in error["message"]


def _error(http: httpx.Client, text: str) -> dict:
    body = http.post("/graphql", json={"query": text}).json()
    assert body.get("errors"), body
    return body["errors"][0]


def test_the_readme_diff_is_the_test_domain():
    """README.md's "Adding a kind" diff, applied to graph/domain/kinds.py, declares
    exactly the domain this module serves (tests/domain/fund.py)."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```diff\n--- a/graph/domain/kinds.py")
    diff = readme[start + len("```diff\n") : readme.index("\n```\n", start)]
    source = (ROOT / "graph" / "domain" / "kinds.py").read_text()
    parts = re.split(r"^@@ (.*)$", diff, flags=re.MULTILINE)[1:]
    assert len(parts) == 6  # three hunks: the type, the back-reference, the kind
    for anchor, body in zip(parts[::2], parts[1::2], strict=True):
        lines = body.strip("\n").split("\n")
        added = "".join(line[1:] + "\n" for line in lines if line.startswith("+"))
        context = "".join(line[1:] + "\n" for line in lines if line.startswith(" "))
        at = source.index("\n" + context, source.index(anchor)) + 1
        source = source[:at] + added + source[at:]
    namespace: dict = {}
    exec(compile(source, "README diff", "exec"), namespace)
    assert namespace["DOMAIN"] == FUND_DOMAIN


def test_validation_refuses_a_bad_row(settings, fund_env, tmp_path, fund_api):
    bad = [
        {"record": "source", "id": SOURCE, "title": "Fund test source"},
        {
            "id": f"{PREFIX}fund-bad",
            "kind": "FUND",
            "name": "Bad Fund",
            "properties": {"size": "a lot", "sizeCurrency": "dollars", "closedOn": "yesterday"},
            "provenance": [{"source": SOURCE, "paragraph": 1}],
        },
        {
            "from": f"{PREFIX}fund-0",
            "type": "INVESTED_IN",
            "to": f"{PREFIX}fund-1",
            "provenance": [{"source": SOURCE, "paragraph": 1}],
        },
    ]
    done = ingest(settings, _write(tmp_path / "bad.jsonl", bad), env=fund_env)
    assert done.returncode != 0
    report = done.stdout + done.stderr
    assert "'size' must be float" in report
    assert "ISO 4217" in report
    assert "'closedOn' must be date" in report
    assert "the to entity of INVESTED_IN must be of kind " in report
    assert (
        query(settings, "MATCH (n:Entity {id: $id}) RETURN count(n) AS n", id=f"{PREFIX}fund-bad")[
            0
        ]["n"]
        == 0
    )


def test_without_the_fund_domain_a_fund_row_is_refused(settings, tmp_path):
    env = {k: v for k, v in cli_env(settings).items() if k != "DOMAIN"}
    done = ingest(settings, _write(tmp_path / "f.jsonl", _lines()[:2]), env=env)
    assert done.returncode != 0
    assert "kind must be ORGANIZATION, " in done.stdout + done.stderr
    assert os.environ.get("DOMAIN") is None
