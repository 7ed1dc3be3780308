"""Subscriptions over WebSocket (graphql-transport-ws): a write made through one service
instance reaches a subscriber of another, in commit order, from the change log in Neo4j;
resuming `after` a commit misses nothing; the token goes in `connection_init`; limits and
access control hold. The subscriber's app runs in Starlette's test client (its lifespan,
its own change feed); the writes go over HTTP to the suite's service."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import signal
import time
import warnings
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect
from websockets.typing import Subprotocol

from graph.auth.keys import create_key
from graph.db import Database
from graph.http.app import create_app
from graph.settings import Settings
from tests.commands import delete_prefixed, neo4j_env
from tests.conftest import free_port, poll, serve_command

# Starlette's test client runs the app's WebSocket handshake and frames in process; it
# warns that it will want `httpx2` one day.
pytestmark = pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PROTOCOL = ["graphql-transport-ws"]
ENTITY = """subscription ($ids: [ID!], $after: Int) {
  entityChanged(ids: $ids, after: $after) { seq action id kind by entity { name } } }"""
RELATIONSHIP = """subscription ($after: Int) {
  relationshipChanged(ids: ["subs-a"], after: $after) {
    seq action type from to relationshipId relationship { id type from to } } }"""
UPSERT = """mutation ($e: EntityInput!) { upsertEntity(entity: $e, provenance: {source:
  {id: "subs-source", title: "Subscription test"}, locator: "test"}) { __typename } }"""
LINK = """mutation { upsertRelationship(relationship: {type: "MEMBER_OF", from: "subs-a",
  to: "subs-b"}, provenance: {source: {id: "subs-source", title: "Subscription test"},
  locator: "test"}) { __typename } }"""


def receive(ws, timeout: float = 30.0) -> dict:
    """The next message, or a failure after `timeout` (the test client's receive blocks)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(ws.receive_json).result(timeout=timeout)


def next_data(ws, field: str) -> dict:
    """The next `next` message's payload for `field` (pings answered, pongs skipped)."""
    while True:
        message = receive(ws)
        if message["type"] == "ping":
            ws.send_json({"type": "pong"})
            continue
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"][field]


def wait_until(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def until_closed(ws, timeout: float) -> tuple[list[dict], ConnectionClosed]:
    """The messages a real WebSocket receives until it is closed, and how it closed
    (TimeoutError when it stays open and silent for `timeout`)."""
    received = []
    while True:
        try:
            received.append(json.loads(ws.recv(timeout=timeout)))
        except ConnectionClosed as closed:
            return received, closed


def connect(ws, token: str | None = None) -> None:
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    ws.send_json({"type": "connection_init", "payload": payload})
    assert receive(ws)["type"] == "connection_ack"


@pytest.fixture(scope="module")
def editor_token(settings: Settings) -> str:
    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, "subs-editor", "editor")).token
        finally:
            await db.close()

    return asyncio.run(make())


@pytest.fixture(scope="module")
def admin_token(settings: Settings) -> str:
    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, "subs-admin", "admin")).token
        finally:
            await db.close()

    return asyncio.run(make())


@pytest.fixture(scope="module")
def subscriber(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the service (its own change feed), polling every 100 ms."""
    app = create_app(replace(settings, subscription_poll_ms=100))
    with TestClient(app) as client:
        yield client
    delete_prefixed(settings, "subs-")


def graph_version(http) -> int:
    return int(http.get("/graphql", params={"query": "{ __typename }"}).headers["X-Graph-Version"])


def write(http, token: str, query: str, variables: dict | None = None) -> None:
    body = http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert "errors" not in body, body


def test_a_write_through_another_instance_reaches_a_subscriber(subscriber, http, editor_token):
    before = graph_version(http)
    entity = {"id": "subs-a", "kind": "ORGANIZATION", "name": "Subs A"}
    write(http, editor_token, UPSERT, {"e": entity})
    with subscriber.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        connect(ws, editor_token)
        variables = {"ids": ["subs-a"], "after": before}
        ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": ENTITY, "variables": variables}}
        )
        # What committed after `before` first (resumed from the log) ...
        created = next_data(ws, "entityChanged")
        assert created["id"] == "subs-a"
        assert created["action"] == "create"
        assert created["kind"] == "ORGANIZATION"
        assert created["entity"] == {"name": "Subs A"}
        assert created["by"] == "subs-editor"  # an editor sees who, by the key's name
        assert created["seq"] > before
        # ... then live: a write made now, through the other instance.
        write(http, editor_token, UPSERT, {"e": {**entity, "name": "Subs A renamed"}})
        updated = next_data(ws, "entityChanged")
        assert updated["action"] == "update"
        assert updated["entity"] == {"name": "Subs A renamed"}
        assert updated["seq"] > created["seq"]
        ws.send_json({"id": "1", "type": "complete"})


def test_relationship_changes_and_anonymous_readers_do_not_see_who(
    subscriber, http, editor_token, admin_token
):
    write(
        http,
        editor_token,
        UPSERT,
        {"e": {"id": "subs-a", "kind": "ORGANIZATION", "name": "Subs A"}},
    )
    write(
        http,
        editor_token,
        UPSERT,
        {"e": {"id": "subs-b", "kind": "ORGANIZATION", "name": "Subs B"}},
    )
    before = graph_version(http)
    write(http, editor_token, LINK)
    with subscriber.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        connect(ws)  # anonymous: may read, not see who
        ws.send_json(
            {
                "id": "r",
                "type": "subscribe",
                "payload": {"query": RELATIONSHIP, "variables": {"after": before}},
            }
        )
        linked = next_data(ws, "relationshipChanged")
        assert (linked["type"], linked["from"], linked["to"]) == ("MEMBER_OF", "subs-a", "subs-b")
        # The relationship's own id, and the relationship as an Edge of that id, so that a
        # client cache updates the `Edge` it already holds.
        rel_id = "subs-a|MEMBER_OF|subs-b"
        assert linked["relationshipId"] == rel_id
        assert linked["relationship"] == {
            "id": rel_id,
            "type": "MEMBER_OF",
            "from": "subs-a",
            "to": "subs-b",
        }
        # Deleted by that id: the event names it, and its relationship is gone.
        deleted = http.post(
            "/graphql",
            json={
                "query": "mutation ($id: ID!) { deleteRelationship(id: $id) "
                "{ __typename ... on Deleted { id } } }",
                "variables": {"id": rel_id},
            },
            headers={"Authorization": f"Bearer {admin_token}"},
        ).json()
        assert deleted["data"]["deleteRelationship"] == {"__typename": "Deleted", "id": rel_id}
        gone = next_data(ws, "relationshipChanged")
        assert (gone["action"], gone["relationshipId"], gone["relationship"]) == (
            "delete",
            rel_id,
            None,
        )
        ws.send_json({"id": "r", "type": "complete"})
        ws.send_json(
            {
                "id": "w",
                "type": "subscribe",
                "payload": {
                    "query": ENTITY.replace(" by ", " "),
                    "variables": {"ids": ["subs-a"], "after": 0},
                },
            }
        )
        first = next_data(ws, "entityChanged")
        assert first["id"] == "subs-a"
        ws.send_json(
            {
                "id": "x",
                "type": "subscribe",
                "payload": {"query": "subscription { entityChanged(after: 0) { by } }"},
            }
        )
        message = receive(ws)
        while message.get("id") != "x":
            message = receive(ws)
        assert message["payload"]["data"]["entityChanged"]["by"] is None


def test_a_bad_token_or_none_when_one_is_required_closes_the_connection(settings, editor_token):
    app = create_app(replace(settings, read_requires_token=True))
    with TestClient(app) as client:
        for payload in ({}, {"Authorization": "Bearer kg_not-a-key"}):
            with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
                ws.send_json({"type": "connection_init", "payload": payload})
                with pytest.raises(WebSocketDisconnect) as closed:
                    receive(ws)
                assert closed.value.code == 4403
        # A valid token in connection_init is accepted, and its subscriptions run.
        with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
            connect(ws, editor_token)
            query = "subscription { entityChanged { seq } }"
            ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
            wait_until(lambda: app.state.feed.subscribers == 1)
            ws.send_json({"id": "1", "type": "complete"})
            wait_until(lambda: app.state.feed.subscribers == 0)


def test_a_replay_from_too_far_back_is_refused_with_where_to_resume(settings, http, editor_token):
    """`after: 0` would replay the whole change log: past SUBSCRIPTION_MAX_REPLAY changes
    the subscription gets a coded error (and `complete`) before any event, naming the
    commit the feed is at; a resume within the cap replays as before."""
    app = create_app(replace(settings, subscription_max_replay=3))
    before = graph_version(http)
    entity = {"id": "subs-replay", "kind": "ORGANIZATION", "name": "Subs Replay"}
    write(http, editor_token, UPSERT, {"e": entity})
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws,
    ):
        connect(ws)  # anonymous, as anyone may be
        query = "subscription ($after: Int) { entityChanged(after: $after) { seq id } }"
        subscribe = {"query": query, "variables": {"after": 0}}
        ws.send_json({"id": "all", "type": "subscribe", "payload": subscribe})
        refused = receive(ws)
        assert (refused["id"], refused["type"]) == ("all", "next"), refused
        assert refused["payload"]["data"] is None
        error = refused["payload"]["errors"][0]
        extensions = error["extensions"]
        assert extensions["latest"] > before, error
        assert extensions == {
            "code": "REPLAY_TOO_LONG",
            "limit": "replay",
            "maximum": 3,
            "after": 0,
            "latest": extensions["latest"],
        }
        assert "then subscribe `after` that version" in error["message"]
        assert receive(ws) == {"id": "all", "type": "complete"}
        wait_until(lambda: app.state.feed.subscribers == 0)
        subscribe = {"query": ENTITY, "variables": {"ids": ["subs-replay"], "after": before}}
        ws.send_json({"id": "near", "type": "subscribe", "payload": subscribe})
        replayed = next_data(ws, "entityChanged")
        assert (replayed["id"], replayed["action"]) == ("subs-replay", "create")


def test_the_server_pings_an_idle_connection(settings):
    app = create_app(replace(settings, websocket_ping_s=0.2))
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        assert receive(ws) == {"type": "connection_ack"}
        started = time.monotonic()
        assert receive(ws, timeout=5) == {"type": "ping"}
        ws.send_json({"type": "pong"})
        assert receive(ws, timeout=5) == {"type": "ping"}  # and goes on pinging
        assert time.monotonic() - started >= 0.3


def test_subscriptions_are_limited_per_connection_and_checked_like_queries(settings):
    app = create_app(
        replace(
            settings,
            max_subscriptions_per_connection=2,
            max_subscriptions_per_worker=2,
            max_query_depth=4,
            max_query_cost=50,
        )
    )
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws,
    ):
        connect(ws)
        deep = (
            "subscription { entityChanged { entity { ... on Organization { parent {"
            " ... on Organization { parent { id } } } } } } }"
        )
        ws.send_json({"id": "d", "type": "subscribe", "payload": {"query": deep}})
        refused = receive(ws)
        assert refused["type"] == "error", refused
        assert refused["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", refused
        ws.send_json(
            {"id": "v", "type": "subscribe", "payload": {"query": "subscription { nope }"}}
        )
        invalid = receive(ws)
        assert invalid["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        costly = "subscription { entityChanged { entity { relationships(first: 100) { type } } } }"
        ws.send_json({"id": "c", "type": "subscribe", "payload": {"query": costly}})
        refused = receive(ws)
        assert (refused["id"], refused["type"]) == ("c", "error"), refused
        assert refused["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert refused["payload"][0]["extensions"]["limit"] == "cost"
        for i in range(2):
            ws.send_json(
                {
                    "id": str(i),
                    "type": "subscribe",
                    "payload": {"query": "subscription { entityChanged { seq } }"},
                }
            )
        ws.send_json(
            {
                "id": "3",
                "type": "subscribe",
                "payload": {"query": "subscription { entityChanged { seq } }"},
            }
        )
        third = receive(ws)
        assert (third["id"], third["type"]) == ("3", "error")
        assert third["payload"][0]["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "subscriptions",
        }
        # The worker's limit (2 here), reached by this connection's two: another
        # connection's subscription gets a coded error, then `complete`.
        wait_until(lambda: app.state.feed.subscribers == 2)
        with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as other:
            connect(other)
            query = "subscription { entityChanged { seq } }"
            other.send_json({"id": "w", "type": "subscribe", "payload": {"query": query}})
            message = receive(other)
            assert (message["id"], message["type"]) == ("w", "next"), message
            error = message["payload"]["errors"][0]
            assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
            assert error["extensions"]["limit"] == "subscriptions", error
            assert error["message"].startswith("This worker serves its limit of 2 ")
            assert receive(other) == {"id": "w", "type": "complete"}


def test_the_served_app_upgrades_a_real_websocket(settings, server, http, editor_token):
    """Over uvicorn, as `serve` runs it, not Starlette's test client: a real WebSocket
    handshake with the subprotocol, and an event. (Without a WebSocket library installed
    uvicorn answered every upgrade with 400 and a warning, and no subscription worked.)"""
    before = graph_version(http)
    url = "ws" + server.url.removeprefix("http") + "/graphql"
    with (
        contextlib.ExitStack() as cleanup,
        ws_connect(url, subprotocols=[Subprotocol(PROTOCOL[0])]) as ws,
    ):
        cleanup.callback(delete_prefixed, settings, "subs-real")
        assert ws.subprotocol == PROTOCOL[0]
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=10)) == {"type": "connection_ack"}
        subscribe = {"query": ENTITY, "variables": {"ids": ["subs-real"], "after": before}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        write(
            http,
            editor_token,
            UPSERT,
            {"e": {"id": "subs-real", "kind": "ORGANIZATION", "name": "Subs Real"}},
        )
        event = json.loads(ws.recv(timeout=10))
        assert event["type"] == "next", event
        change = event["payload"]["data"]["entityChanged"]
        assert (change["id"], change["action"]) == ("subs-real", "create")


def test_shutdown_closes_each_websocket_with_1012_and_the_process_exits(settings, tmp_path):
    """SIGTERM to `serve`: uvicorn closes every WebSocket with 1012 (service restart) before
    the app's lifespan ends the change feed, so a client sees that close, not `complete`
    (graphql-ws retries after 1012, resuming `after` its last seq)."""
    port = free_port()
    env = {**os.environ, **neo4j_env(settings), "PORT": str(port), "LOG_FORMAT": "text"}
    with (
        (tmp_path / "stderr").open("w+") as err,
        serve_command(env, err) as process,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
    ):
        poll(http, "/ready", lambda r: r.status_code == 200, 60, "serve did not start")
        with ws_connect(
            f"ws://127.0.0.1:{port}/graphql", subprotocols=[Subprotocol(PROTOCOL[0])]
        ) as ws:
            ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(ws.recv(timeout=10)) == {"type": "connection_ack"}
            subscribe = {"query": "subscription { entityChanged { seq } }"}
            ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            # The subscription is running once the server answers a ping after it.
            ws.send(json.dumps({"type": "ping"}))
            assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            received, closed = until_closed(ws, timeout=10)
            assert time.monotonic() - started < 10
            assert closed.rcvd is not None, closed
            assert closed.rcvd.code == 1012, closed
            assert all(message["type"] in {"ping", "pong"} for message in received), received
        # The app's shutdown ran after the close; uvicorn then raises the SIGTERM it caught
        # again, with the default handler, so the process ends by that signal.
        assert process.wait(timeout=30) == -signal.SIGTERM
        err.seek(0)
        assert "Application shutdown complete" in err.read()
