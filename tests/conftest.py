"""Test fixtures: a real Neo4j (started here unless NEO4J_URI is set), the seed graph,
and the service on a loopback port, queried over HTTP.

Without NEO4J_URI the suite starts its own Neo4j on LOCAL_NEO4J_TEST_PORT (7688) with a
store under data/test, apart from the one `make run` uses. With NEO4J_URI the suite uses
that database and ERASES it first: point it only at a database made for tests.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph import execution
from graph.db import Database
from graph.http.app import create_app
from graph.local_neo4j import LocalNeo4j
from graph.settings import ROOT, Settings
from seed.loader import load_seed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_test_settings(**overrides: Any) -> Settings:
    settings = Settings.from_env()
    if settings.uses_local_neo4j:
        settings = replace(
            settings,
            local_bolt_port=int(os.environ.get("LOCAL_NEO4J_TEST_PORT", "7688")),
            data_dir=Path(os.environ.get("TEST_DATA_DIR", str(ROOT / "data" / "test"))),
            neo4j_heap="1g",
            neo4j_pagecache="512m",
            neo4j_txmemory="512m",
        )
    return replace(settings, **overrides)


def run(coro):
    return asyncio.run(coro)


async def wipe_and_seed(settings: Settings) -> None:
    db = Database(settings)
    try:
        deadline = time.monotonic() + 60
        while not await db.ping():
            if time.monotonic() > deadline:
                raise RuntimeError("Neo4j did not answer")
            await asyncio.sleep(0.5)
        await db.write(("MATCH (n) DETACH DELETE n", {}))
        await load_seed(db)
    finally:
        await db.close()


# A failure inside the one-pass completion fails the test instead of falling back.
execution.STRICT = True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reaches Neo4j does so through the `settings` fixture (which starts
    it): mark exactly those `neo4j`, so that `-m "not neo4j"` (make check) selects the
    tests that need no database, and nothing else."""
    for item in items:
        if "settings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="module", autouse=True)
def _collect_abandoned_driver_sockets() -> Iterator[None]:
    """When one root field of an operation fails, graphql-core abandons its siblings'
    pending resolvers; a Neo4j query cancelled that way leaves the driver's socket to the
    garbage collector, which (with warnings as errors) then fails whatever test happens
    to be running. Found with PYTHONTRACEMALLOC; collected here, at the end of the module
    that caused it."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    settings = make_test_settings()
    local = None
    if settings.uses_local_neo4j:
        local = LocalNeo4j(settings)
        local.start()
    try:
        run(wipe_and_seed(settings))
        yield settings
    finally:
        if local is not None:
            local.stop()


class Server:
    """The real app served by uvicorn in a thread, on a free loopback port."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def post_counting(
    server: Server, http: httpx.Client, query: str, variables: dict | None = None
) -> tuple[dict, list[str]]:
    """POSTs an operation to `server` and returns its answer (which must have no errors)
    and the Cypher statements the service sent Neo4j while answering it."""
    sent: list[str] = []

    def listener(cypher: str, params: object) -> None:
        sent.append(cypher)

    server.app.state.db.listeners.append(listener)
    try:
        body = http.post("/graphql", json={"query": query, "variables": variables}).json()
    finally:
        server.app.state.db.listeners.remove(listener)
    assert not body.get("errors"), body
    return body, sent


@pytest.fixture(scope="session")
def server(settings: Settings) -> Iterator[Server]:
    with Server(settings) as srv:
        yield srv


@pytest.fixture(scope="session")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


class GQL:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def raw(self, query: str, variables: dict | None = None) -> dict:
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code in (200, 400), response.text
        return response.json()

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        body = self.raw(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def error(self, query: str, variables: dict | None = None) -> dict:
        body = self.raw(query, variables)
        assert body.get("errors"), body
        return body["errors"][0]


@pytest.fixture(scope="session")
def gql(http: httpx.Client) -> GQL:
    return GQL(http)


class Client:
    """POSTs GraphQL with a bearer token (none for an anonymous caller)."""

    def __init__(self, http: httpx.Client, token: str | None = None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )
        return response.json()

    def data(self, query: str, variables: dict | None = None) -> dict:
        body = self(query, variables)
        assert "errors" not in body, body
        return body["data"]


@contextmanager
def serve_command(env: dict[str, str], stderr: Any) -> Iterator[subprocess.Popen]:
    """`python -m graph.cli serve` as a process of its own, stopped (SIGTERM) on leaving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "graph.cli", "serve"], cwd=ROOT, env=env, stderr=stderr
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def poll(
    http: httpx.Client,
    path: str,
    until: Callable[[httpx.Response], bool],
    timeout_s: float,
    message: str,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """GETs `path` until a response satisfies `until` (connection refusals count as
    not yet), failing with `message` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = http.get(path, headers=headers)
            if until(response):
                return response
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, message
        time.sleep(0.2)
