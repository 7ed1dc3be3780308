"""The JavaScript clients frontend apps use, run by node against the real service and
Neo4j (scripts beside this module, packages pinned by its package-lock.json and installed
by `make clients`): graphql-ws across two service processes, Apollo Client's normalised
cache, GraphQL Code Generator over the committed schema and examples, Apollo Federation's
composition and `_entities`, and HTTP revalidation with fetch.

Two service instances share the suite's Neo4j: A is `python -m graph.cli serve`, a
process of its own on its own port, B is the suite's in-process server. What the scripts
write has ids starting `clients-`; it is removed at teardown.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.auth.keys import create_key
from graph.db import Database
from graph.settings import ROOT, Settings
from tests.commands import delete_prefixed, neo4j_env, query
from tests.conftest import Server, free_port, poll, serve_command

HERE = Path(__file__).resolve().parent
PREFIX = "clients-"
# How long an event may take from a mutation being sent to a subscriber hearing of it
# (the feed polls every 500 ms; the margin is for a loaded machine).
EVENT_BOUND_MS = 10_000

pytestmark = pytest.mark.clients


def run_node(
    script: str,
    env: dict[str, str] | None = None,
    timeout: float = 180,
    expect_failure: bool = False,
) -> Any:
    """Runs `script` with node and returns the JSON line it printed; a non-zero exit fails
    the test with what the script said on stderr. With `expect_failure`, the reverse: it
    must exit non-zero, and what it said is returned."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed; the client tests need Node.js 20+")
    if not (HERE / "node_modules" / ".package-lock.json").is_file():
        pytest.fail("the client packages are not installed: run `make clients`")
    try:
        finished = subprocess.run(
            ["node", str(HERE / script)],
            cwd=HERE,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{script} did not finish within {timeout} s: {exc.stderr!r}")
    said = finished.stderr + finished.stdout
    if expect_failure:
        assert finished.returncode == 1, f"{script} did not fail:\n{said}"
        return said
    assert finished.returncode == 0, f"{script} failed:\n{said}"
    return json.loads(finished.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Instance:
    url: str

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"

    @property
    def websocket(self) -> str:
        return "ws" + self.graphql.removeprefix("http")


@pytest.fixture(scope="module")
def editor_token(settings: Settings) -> Iterator[str]:
    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, f"{PREFIX}editor", "editor")).token
        finally:
            await db.close()

    yield asyncio.run(make())
    delete_prefixed(settings, PREFIX)
    query(settings, "MATCH (k:ApiKey) WHERE k.name STARTS WITH $p DELETE k", p=PREFIX)


@pytest.fixture(scope="module")
def instance_a(settings: Settings, tmp_path_factory) -> Iterator[Instance]:
    """`graph.cli serve` as a process of its own, on the suite's Neo4j, with the default
    change-feed poll interval."""
    port = free_port()
    env = {**os.environ, **neo4j_env(settings), "PORT": str(port), "LOG_FORMAT": "text"}
    env.pop("SUBSCRIPTION_POLL_MS", None)
    log = tmp_path_factory.mktemp("instance-a") / "stderr"
    with (
        log.open("w+") as err,
        serve_command(env, err),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
    ):
        poll(http, "/ready", lambda r: r.status_code == 200, 60, "instance A did not start")
        yield Instance(f"http://127.0.0.1:{port}")


@pytest.fixture(scope="module")
def instance_b(server: Server) -> Instance:
    return Instance(server.url)


def test_graphql_ws_hears_another_instance_and_resumes_after_a_reconnect(
    instance_a: Instance, instance_b: Instance, editor_token: str
):
    result = run_node(
        "live_updates.mjs",
        {
            "SUBSCRIBE_URL": instance_a.websocket,
            "READ_URL": instance_a.graphql,
            "WRITE_URL": instance_b.graphql,
            "EDITOR_TOKEN": editor_token,
            "ENTITY_ID": f"{PREFIX}live",
            "EVENT_BOUND_MS": str(EVENT_BOUND_MS),
        },
    )
    events = result["events"]
    # Every write once, in the order written: the first and the last live, the two made
    # while the client was away after its reconnect, from the change log.
    assert [e["locators"] for e in events] == [
        ["write 1"],
        ["write 2"],
        ["write 3"],
        ["write 4"],
    ], events
    assert [e["action"] for e in events] == ["create", "update", "update", "update"]
    assert {(e["id"], e["kind"], e["by"]) for e in events} == {
        (f"{PREFIX}live", "ORGANIZATION", f"{PREFIX}editor")
    }
    assert result["connections"] == 2  # the client reconnected once, by itself
    assert len(result["latenciesMs"]) == 2
    assert all(ms < EVENT_BOUND_MS for ms in result["latenciesMs"]), result


def test_apollo_client_normalises_entities_and_relationships_and_refetches_by_node(
    instance_a: Instance, instance_b: Instance, editor_token: str
):
    result = run_node(
        "apollo_cache.mjs",
        {
            "READ_URL": instance_a.graphql,
            "WRITE_URL": instance_b.graphql,
            "EDITOR_TOKEN": editor_token,
            "ENTITY_ID": f"{PREFIX}apollo",
            "SCHEMA": str(ROOT / "schema.graphql"),
        },
    )
    # One object per entity, whichever of the overlapping queries brought it.
    assert result["entityKeys"] == [
        "Bank:bank-of-beijing",
        "Bank:bank-of-china",
        "Credit:potevio-credit-bank-of-beijing",
        f"Organization:{PREFIX}apollo",
        "Organization:potevio",
    ]
    assert f"Edge:{result['sharedEdge']}" in result["edgeKeys"]
    assert len(result["edgeKeys"]) == len(set(result["edgeKeys"]))
    # The watching query saw the value node(id:) refetched, without running again.
    assert result["watched"] == ["Apollo Before", "Apollo After"]
    assert result["organization"]["name"] == "Apollo After"


def test_graphql_codegen_types_the_schema_and_every_example():
    result = run_node(
        "codegen.mjs",
        {"SCHEMA": str(ROOT / "schema.graphql"), "EXAMPLES": str(ROOT / "graph" / "examples")},
    )
    examples = sorted((ROOT / "graph" / "examples").glob("*.graphql"))
    assert result["documents"] == len(examples)
    assert len(result["operations"]) == len(examples), result
    assert "PatentBackedCredit" in result["operations"]


def test_graphql_codegen_refuses_an_operation_the_schema_does_not_have(tmp_path):
    """The codegen test can fail: an example asking for a field the schema lacks."""
    (tmp_path / "bad.graphql").write_text(
        'query Bad { entity(id: "potevio") { id nameThatIsNot } }', encoding="utf-8"
    )
    finished = run_node(
        "codegen.mjs",
        {"SCHEMA": str(ROOT / "schema.graphql"), "EXAMPLES": str(tmp_path)},
        expect_failure=True,
    )
    assert "nameThatIsNot" in finished, finished


def test_federation_composes_and_a_gateway_resolves_entities_through_the_service(
    settings: Settings,
):
    with Server(replace(settings, federation=True)) as federated:
        result = run_node("federation.mjs", {"FEDERATED_URL": f"{federated.url}/graphql"})
    assert result["entities"] == [
        {"__typename": "Organization", "id": "potevio", "name": "Potevio"},
        {"__typename": "Bank", "id": "bank-of-beijing", "name": "Bank of Beijing"},
        {
            "__typename": "Edge",
            "id": "bank-of-beijing|LENT|potevio-credit-bank-of-beijing",
            "type": "LENT",
        },
        None,
    ]
    gateway = result["gateway"]
    assert gateway["fromRatings"]["ratedOrganizations"] == [
        {"id": "potevio", "name": "Potevio", "riskRating": "A-"},
        {
            "id": "zhongguancun-ip-service-alliance",
            "name": "Zhongguancun Intellectual Property Service Alliance",
            "riskRating": "B+",
        },
    ]
    assert gateway["fromService"]["entity"] == {
        "id": "potevio",
        "name": "Potevio",
        "riskRating": "A-",
    }
    # The names came from the service's _entities, asked by the gateway.
    assert any("_entities(representations:" in q for q in gateway["sentToService"]), gateway


def test_fetch_revalidates_with_the_etag_across_instances(
    instance_a: Instance, instance_b: Instance, editor_token: str
):
    result = run_node(
        "http_caching.mjs",
        {
            "READ_URL": instance_a.graphql,
            "WRITE_URL": instance_b.graphql,
            "EDITOR_TOKEN": editor_token,
            "ENTITY_ID": f"{PREFIX}cached",
        },
    )
    statuses = [(s["status"], s["name"]) for s in result["steps"]]
    assert statuses == [
        (200, "Cached Before"),
        (304, None),
        (200, "Cached After"),
        (304, None),
    ]
    first, unchanged, changed, again = result["steps"]
    assert unchanged["etag"] == first["etag"] != changed["etag"] == again["etag"]
    assert int(changed["version"]) > int(first["version"])
    assert first["cacheControl"] == "public, no-cache"
