"""The local Neo4j as `make run`, `make test` and `graph.cli neo4j ...` run it: it requires
its password, it has one owner per data directory, anyone can see and stop it, a stale pid
file or a foreign program on its port is told apart, and the command line finds the
running service's Neo4j by itself.

The module runs a Neo4j of its own (free port, store beside the suite's), which it stops
and starts; with an external NEO4J_URI there is nothing to test here.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from graph.local_neo4j import (
    LocalNeo4j,
    Neo4jStartError,
    launchers_for,
    port_open,
    process_alive,
)
from graph.settings import ROOT, Settings
from tests.commands import foreign_listener
from tests.conftest import Server, free_port, make_test_settings, poll

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def own() -> Iterator[tuple[Settings, LocalNeo4j]]:
    base = make_test_settings()
    if not base.uses_local_neo4j:
        pytest.skip("NEO4J_URI is set: these tests start and stop a local Neo4j of their own")
    settings = replace(
        base, local_bolt_port=free_port(), data_dir=Path(f"{base.data_dir}-lifecycle")
    )
    local = LocalNeo4j(settings)
    local.stop()  # left running by an interrupted run
    local.start()
    try:
        yield settings, local
    finally:
        local.stop()


def answer(settings: Settings, auth) -> int:
    with GraphDatabase.driver(settings.bolt_uri, auth=auth, connection_timeout=5) as driver:
        return driver.execute_query("RETURN 1 AS one").records[0]["one"]


def neo4j_cli(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m graph.cli neo4j ARGS` with this module's port and store."""
    base = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    base |= {
        "LOCAL_NEO4J_PORT": str(settings.local_bolt_port),
        "DATA_DIR": str(settings.data_dir),
        "LOCAL_NEO4J_HEAP": settings.neo4j_heap,
        "LOCAL_NEO4J_PAGECACHE": settings.neo4j_pagecache,
        "LOCAL_NEO4J_TX_MEMORY": settings.neo4j_txmemory,
    }
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", "neo4j", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- credentials -----------------------------------------------------------------------


def test_bolt_requires_the_password_and_the_service_has_it(own):
    settings, local = own
    password_file = settings.local_password_file
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 40  # secrets.token_urlsafe(32)

    with pytest.raises(AuthError):
        answer(settings, None)
    with pytest.raises(AuthError):
        answer(settings, ("neo4j", password[:-1] + ("x" if password[-1] != "x" else "y")))
    assert answer(settings, ("neo4j", password)) == 1  # (a success resets the failure count)

    # Not on the launcher's command line, nor in its environment.
    pid = local.running_pid()
    assert pid is not None
    assert password.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
    assert password.encode() not in Path(f"/proc/{pid}/environ").read_bytes()

    # The service reads it from the data directory by itself.
    with Server(settings) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        poll(http, "/ready", lambda r: r.status_code == 200, 30, "the service is not ready")
        body = http.post("/graphql", json={"query": '{ entity(id: "none") { name } }'}).json()
        assert body == {"data": {"entity": None}}


# --- one owner, seen and stopped by anyone -------------------------------------------------


def test_starting_twice_gives_the_same_neo4j(own):
    settings, local = own
    pid = local.running_pid()
    assert pid is not None
    other = LocalNeo4j(settings)
    assert other.start() == 0.0
    assert other.process is None
    assert other.running_pid() == pid

    again = neo4j_cli(settings, "start")
    assert again.returncode == 0, again.stderr
    assert f"already running on bolt://127.0.0.1:{settings.local_bolt_port} (pid {pid})" in (
        again.stderr
    )
    elsewhere = neo4j_cli(settings, "start", LOCAL_NEO4J_PORT=str(free_port()))
    assert elsewhere.returncode == 1
    assert f"already running on port {settings.local_bolt_port} (pid {pid})" in elsewhere.stderr
    assert "Traceback" not in elsewhere.stderr
    assert launchers_for(local.home) == [pid]

    status = neo4j_cli(settings, "status")
    assert status.returncode == 0
    assert f"running, pid {pid}, bolt://127.0.0.1:{settings.local_bolt_port}" in status.stderr


def test_stop_from_another_process_is_quick_and_leaves_no_zombie(own):
    """The Neo4j is this test process's child (as `make run`'s is); another process stops
    it. It used to take 60 s (the exited child, a zombie, looked alive) and leave the
    pid file behind for the owner to delete later."""
    settings, local = own
    assert local.process is not None
    pid = local.process.pid
    started = time.monotonic()
    stopped = neo4j_cli(settings, "stop")
    took = time.monotonic() - started
    assert stopped.returncode == 0, stopped.stderr
    assert f"Neo4j stopped (pid {pid})" in stopped.stderr
    assert took < 40, f"stopping took {took:.0f}s"
    assert not process_alive(pid)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists():  # reaped by its parent, this process
        assert time.monotonic() < deadline, "the stopped Neo4j stays a zombie"
        time.sleep(0.1)
    assert not local.pid_file.exists()

    status = neo4j_cli(settings, "status")
    assert status.returncode == 3
    assert "not running" in status.stderr
    assert local.stop() is None  # the owner finds it stopped, and says so
    again = neo4j_cli(settings, "stop")
    assert again.returncode == 0
    assert "No Neo4j of" in again.stderr


def test_a_foreign_program_on_the_port_is_named(own):
    settings, local = own
    assert local.running_pid() is None
    port = settings.local_bolt_port
    with foreign_listener(port) as listener:
        status = neo4j_cli(settings, "status")
        assert status.returncode == 3
        assert f"not running; its port is taken by pid {listener.pid} (python" in status.stderr

        started = neo4j_cli(settings, "start")
        assert started.returncode == 1
        [line] = started.stderr.strip().splitlines()  # one line, no traceback
        assert line.startswith(f"Port {port} is taken by pid {listener.pid} (python"), line
        assert "LOCAL_NEO4J_PORT" in line

        with pytest.raises(Neo4jStartError, match=f"pid {listener.pid}"):
            LocalNeo4j(settings).start()
        assert listener.poll() is None  # nothing was done to it
    assert not port_open(port)


def test_a_stale_pid_file_is_not_taken_for_a_running_neo4j(own):
    settings, local = own
    sleeper = subprocess.Popen(["sleep", "300"])
    try:
        # The pid of a live process that is not this store's Neo4j (a reused pid).
        local.pid_file.write_text(f"{sleeper.pid}\n{settings.local_bolt_port}\n")
        assert local.running_pid() is None
        status = neo4j_cli(settings, "status")
        assert status.returncode == 3, status.stderr
        local.pid_file.write_text(f"{sleeper.pid}\n{settings.local_bolt_port}\n")
        stopped = neo4j_cli(settings, "stop")
        assert "No Neo4j of" in stopped.stderr
        assert sleeper.poll() is None, "stop signalled a process that is not Neo4j"
    finally:
        sleeper.kill()
        sleeper.wait()

    local.pid_file.write_text("999999999\n")  # a pid that does not exist
    local.start()
    assert local.process is not None
    assert local.pid_file.read_text().split() == [
        str(local.process.pid),
        str(settings.local_bolt_port),
    ]
    assert answer(settings, settings.neo4j_auth()) == 1


def test_a_store_without_a_password_gets_one_before_bolt_opens(own):
    """A data directory from before passwords (auth was off, no password file): the next
    start makes a password and sets it with Bolt closed, so nobody ever logs in with the
    default neo4j/neo4j, and the store's data is kept."""
    settings, local = own
    answer_marker = "lifecycle-upgrade"
    with GraphDatabase.driver(settings.bolt_uri, auth=settings.neo4j_auth()) as driver:
        driver.execute_query("MERGE (:Marker {name: $name})", name=answer_marker)
    old = settings.local_password_file.read_text().strip()
    local.stop()
    settings.local_password_file.unlink()
    (local.home / "kg-password-applied").unlink()

    tried: list[str] = []

    def try_the_default() -> None:
        """As soon as the port opens, log in as neo4j/neo4j once."""
        deadline = time.monotonic() + 300
        while not port_open(settings.local_bolt_port):
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        try:
            answer(settings, ("neo4j", "neo4j"))
            tried.append("logged in")
        except AuthError:
            tried.append("refused")

    watcher = threading.Thread(target=try_the_default)
    watcher.start()
    local.start()
    watcher.join(timeout=60)
    assert tried == ["refused"]

    new = settings.local_password_file.read_text().strip()
    assert new != old
    assert stat.S_IMODE(settings.local_password_file.stat().st_mode) == 0o600
    with pytest.raises(AuthError):
        answer(settings, ("neo4j", old))
    with GraphDatabase.driver(settings.bolt_uri, auth=("neo4j", new)) as driver:
        records = driver.execute_query(
            "MATCH (m:Marker {name: $name}) RETURN count(m) AS n", name=answer_marker
        ).records
        assert records[0]["n"] == 1
    log = local.log_file.read_text()
    assert log.rindex("password of the user neo4j set") < log.rindex("READY")


# --- the command line finds the running service's Neo4j --------------------------------


def test_the_command_line_uses_the_running_services_neo4j(own, tmp_path):
    """`graph.cli run` on a non-default Neo4j port and store; then `keys create` with none of
    NEO4J_URI / LOCAL_NEO4J_PORT / DATA_DIR, as the README says to run it, writes to that
    Neo4j and says so. Explicit settings still win."""
    settings, local = own
    pid = local.running_pid()
    assert pid is not None
    run_dir = tmp_path / "run"
    http_port = free_port()
    chosen = {k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "DATA_DIR")}
    service_env = chosen | {
        "LOCAL_NEO4J_PORT": str(settings.local_bolt_port),
        "DATA_DIR": str(settings.data_dir),
        "PORT": str(http_port),
        "RUN_DIR": str(run_dir),
        "LOG_FORMAT": "text",
    }
    cli_env = {k: v for k, v in chosen.items() if k != "LOCAL_NEO4J_PORT"}
    cli_env["RUN_DIR"] = str(run_dir)

    def keys(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "graph.cli", "keys", *args],
            cwd=ROOT,
            env=cli_env | env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    with (tmp_path / "service.err").open("w+") as err:
        service = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", "run"], cwd=ROOT, env=service_env, stderr=err
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{http_port}", timeout=10) as http:
                poll(http, "/ready", lambda r: r.status_code == 200, 180, "run did not serve")
            record_file = run_dir / "service.json"
            assert stat.S_IMODE(record_file.stat().st_mode) == 0o600
            record = json.loads(record_file.read_text())
            assert record["pid"] == service.pid
            assert record["local_bolt_port"] == settings.local_bolt_port
            assert record["data_dir"] == str(settings.data_dir)

            created = keys("create", "--name", "found the service", "--role", "reader")
            assert created.returncode == 0, created.stderr
            assert (
                f"Using the running service's Neo4j (service pid {service.pid}): "
                f"bolt://127.0.0.1:{settings.local_bolt_port}, data in {settings.data_dir}"
            ) in created.stderr
            key_id = created.stdout.strip().split("_")[1]

            # Read back through explicit settings: the key is in that store.
            listed = keys(
                "list",
                LOCAL_NEO4J_PORT=str(settings.local_bolt_port),
                DATA_DIR=str(settings.data_dir),
            )
            assert listed.returncode == 0, listed.stderr
            assert "Using the running service" not in listed.stderr
            assert any(line.startswith(key_id) for line in listed.stdout.splitlines())

            # Explicit settings win, even when they point nowhere.
            nowhere = keys("list", LOCAL_NEO4J_PORT=str(free_port()))
            assert nowhere.returncode != 0
            assert "Using the running service" not in nowhere.stderr
            assert "is not answering" in nowhere.stderr
        finally:
            service.terminate()
            service.wait(timeout=60)
        err.seek(0)
        said = err.read()
    assert service.returncode == 0, said[-2000:]
    assert not (run_dir / "service.json").exists()
    # `run` found this Neo4j running and leaves it running when it ends.
    assert local.running_pid() == pid
