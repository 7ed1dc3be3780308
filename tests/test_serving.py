"""`python -m graph.cli serve` with WORKERS=2: two processes share the port, each answers
from the same graph, and their connections have Nagle's algorithm off (graph/http/serving.py)."""

from __future__ import annotations

import asyncio
import json
import os
import socket

import httpx
import pytest

from graph.http.serving import _no_delay
from graph.settings import Settings
from tests.commands import neo4j_env
from tests.conftest import free_port, poll, serve_command

QUERY = '{ entity(id: "bank-of-beijing") { name } }'


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _answered_by(log) -> set[int]:
    """The processes that logged answering a POST /graphql, from the JSON log so far."""
    log.seek(0)
    pids = set()
    for line in log:
        if line.startswith("{") and line.endswith("\n"):  # a whole line
            entry = json.loads(line)
            if entry.get("message") == "request" and entry.get("path") == "/graphql":
                pids.add(entry["pid"])
    return pids


def test_two_workers_share_the_port_and_answer(settings: Settings, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        **neo4j_env(settings),
        "PORT": str(port),
        "WORKERS": "2",
        "LOG_FORMAT": "json",
    }
    with (
        (tmp_path / "stderr").open("w+") as err,
        serve_command(env, err) as process,
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
    ):
        poll(
            http,
            "/ready",
            lambda r: r.status_code == 200,
            60,
            "serve with 2 workers did not start",
        )
        # The two workers, and multiprocessing's resource tracker.
        children = set(_children(process.pid))
        names = set()
        answered_by: set[int] = set()
        for _ in range(200):  # until both have answered; the kernel picks who accepts
            # A new connection each time, so that both workers get some.
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as one:
                body = one.post("/graphql", json={"query": QUERY}).json()
            names.add(body["data"]["entity"]["name"])
            answered_by = _answered_by(err)
            if len(answered_by) == 2:
                break
        assert names == {"Bank of Beijing"}
        # Each request's log line names the process that answered it.
        assert len(answered_by) == 2, (answered_by, children)
        assert answered_by <= children, (answered_by, children)


def test_accepted_connections_get_tcp_nodelay():
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:

        class Transport:
            def get_extra_info(self, name):
                return accepted if name == "socket" else None

        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        _no_delay(Transport())  # type: ignore[arg-type]
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        accepted.close()
        client.close()
        listener.close()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_workers_setting_is_refused(value):
    with pytest.raises(SystemExit, match="WORKERS"):
        Settings.from_env({"WORKERS": value})


def test_max_in_flight_queues_requests_beyond_it(settings: Settings):
    """With MAX_IN_FLIGHT=2, eight concurrent requests all succeed, at most two at a time
    in Neo4j (the real one: the read is only timed and counted here)."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from tests.conftest import Server

    with Server(replace(settings, max_in_flight=2)) as server:
        db = server.app.state.db
        original = db.read
        state = {"now": 0, "most": 0}

        async def counted(cypher):
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            try:
                await asyncio.sleep(0.2)  # long enough for the others to pile up
                return await original(cypher)
            finally:
                state["now"] -= 1

        db.read = counted

        def post(_: int) -> dict:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                return client.post("/graphql", json={"query": QUERY}).json()

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(post, range(8)))
    assert [a["data"]["entity"]["name"] for a in answers] == ["Bank of Beijing"] * 8
    assert state["most"] == 2


def test_a_batch_takes_one_in_flight_place_per_operation(settings: Settings):
    """With MAX_IN_FLIGHT=2, one batch of eight operations is answered whole, at most two
    of its operations at a time in Neo4j: a batch cannot take more than its share by
    packing operations into one request."""
    from dataclasses import replace

    from tests.conftest import Server

    with Server(replace(settings, max_in_flight=2)) as server:
        db = server.app.state.db
        original = db.read
        state = {"now": 0, "most": 0, "calls": 0}

        async def counted(cypher):
            state["now"] += 1
            state["calls"] += 1
            state["most"] = max(state["most"], state["now"])
            try:
                await asyncio.sleep(0.2)  # long enough for the others to pile up
                return await original(cypher)
            finally:
                state["now"] -= 1

        db.read = counted
        with httpx.Client(base_url=server.url, timeout=30) as client:
            response = client.post("/graphql", json=[{"query": QUERY}] * 8)
    assert response.status_code == 200, response.text
    assert [a["data"]["entity"]["name"] for a in response.json()] == ["Bank of Beijing"] * 8
    assert state["calls"] >= 8, state  # every operation read Neo4j
    assert state["most"] == 2, state


def test_a_served_worker_leaves_the_dataframe_libraries_unloaded():
    """The driver imports numpy and pandas whenever they are installed (the dev tools
    install them); a worker's app is built without them, and the driver still loads."""
    import subprocess
    import sys

    probe = (
        "import sys, graph.http.serving as s; s.app(); "
        "print(sorted(m for m in ('numpy', 'pandas') if sys.modules.get(m) is not None), "
        "'neo4j' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["[]", "True"], out.stdout + out.stderr
    # Without the guard the same environment does load them (so the check can fail).
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, neo4j; print('numpy' in sys.modules)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert loaded.stdout.strip() == "True"
