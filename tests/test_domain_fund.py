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
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.settings import Settings
from tests.commands import cli_env, delete_prefixed, ingest, query
from tests.conftest import free_port, poll, serve_command

PREFIX = "fundtest-"
SOURCE = f"{PREFIX}source"


def _clean(settings: Settings) -> None:
    delete_prefixed(settings, PREFIX)


def _lines() -> list[dict]:
    prov = [{"source": SOURCE, "paragraph": 1}]
    lines: list[dict] = [
        {"record": "source", "id": SOURCE, "title": "Fund test source", "publishedOn": "2025-01-01"}
    ]
    for i, (size, currency, closed) in enumerate(
        [(500.0, "USD", "2020-03-01"), (50.0, "USD", "2021-06-30"), (900.0, "CNY", None)]
    ):
        props = {"size": size, "sizeCurrency": currency}
        if closed:
            props["closedOn"] = closed
        lines.append(
            {
                "id": f"{PREFIX}fund-{i}",
                "kind": "FUND",
                "name": f"Test Fund {i}",
                "properties": props,
                "provenance": prov,
            }
        )
    for j in range(25):
        lines.append(
            {
                "id": f"{PREFIX}org-{j:02d}",
                "kind": "ORGANIZATION",
                "name": f"Fund Target {j:02d}",
                "provenance": prov,
            }
        )
        lines.append(
            {
                "from": f"{PREFIX}fund-0",
                "type": "INVESTED_IN",
                "to": f"{PREFIX}org-{j:02d}",
                "properties": {
                    "amount": 10.0 + j,
                    "amountCurrency": "USD",
                    "round": "Series A" if j % 2 else "Seed",
                },
                "provenance": prov,
            }
        )
    return lines


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
    assert [(e["date"], e["label"]) for e in fund_dates] == [
        ("2020-03-01", "fund closed"),
        ("2021-06-30", "fund closed"),
    ]
    assert {"kind": "FUND", "count": 3} in data["stats"]["entitiesByKind"]
    fund = next(k for k in data["domain"]["kinds"] if k["name"] == "FUND")
    assert fund["label"] == "Fund"
    assert fund["collection"] == "funds"
    assert (fund["date"], fund["totals"]) == ("closedOn", "size")
    assert {"name": "size", "type": "MONEY", "storedAs": ["size", "sizeCurrency"]} in fund[
        "properties"
    ]
    # Aggregates over a relationship add up the money each fund declares it totals.
    org = _gql(
        fund_api,
        """{ entity(id: "fundtest-fund-0") { ... on Fund {
             investmentsConnection { aggregate { count } } } } }""",
    )
    assert org["entity"]["investmentsConnection"]["aggregate"]["count"] == 25


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
