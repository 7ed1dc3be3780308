"""The process and port checks behind `graph.cli neo4j status|stop|start`, and the record
`graph.cli run` leaves for the command line: real processes and sockets, no Neo4j."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from graph import running
from graph.local_neo4j import describe_process, port_holder, process_alive
from graph.settings import Settings, neo4j_chosen
from tests.commands import foreign_listener
from tests.conftest import free_port


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_a_zombie_is_not_alive():
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while _state(child.pid) != "Z":  # exited, not reaped: what a stopped Neo4j child was
        assert time.monotonic() < deadline, "the child did not exit"
        time.sleep(0.02)
    os.kill(child.pid, 0)  # the signal test still finds it: the old check took it for alive
    assert not process_alive(child.pid)
    child.wait()
    assert not process_alive(child.pid)
    assert process_alive(os.getpid())


def test_the_holder_of_a_port_is_named():
    port = free_port()
    assert port_holder(port) is None
    with foreign_listener(port) as listener:
        assert port_holder(port) == listener.pid
        said = describe_process(listener.pid)
        assert said.startswith(f"pid {listener.pid} (python"), said
    assert describe_process(None) == "another program"


def test_neo4j_chosen_by_any_of_its_settings():
    assert not neo4j_chosen({})
    assert not neo4j_chosen({"NEO4J_URI": "", "PORT": "9000"})
    for name in ("NEO4J_URI", "LOCAL_NEO4J_PORT", "DATA_DIR"):
        assert neo4j_chosen({name: "x"})


@pytest.fixture
def cli_like_process():
    """A live process whose command line names graph.cli, as `python -m graph.cli run`'s does."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", "graph.cli", "run"]
    )
    yield process
    process.kill()
    process.wait()


def _write_record(settings: Settings, **body) -> None:
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    running.record_path(settings).write_text(json.dumps(body))


def test_the_running_services_neo4j_is_used_only_when_none_is_chosen(tmp_path, cli_like_process):
    settings = replace(Settings.from_env({}), run_dir=tmp_path / "run")
    _write_record(
        settings,
        pid=cli_like_process.pid,
        neo4j_uri="",
        local_bolt_port=7801,
        data_dir=str(tmp_path / "db"),
    )
    said: list[str] = []
    used = running.settings_for_command(settings, False, said.append)
    assert (used.local_bolt_port, used.data_dir) == (7801, tmp_path / "db")
    assert said == [
        f"Using the running service's Neo4j (service pid {cli_like_process.pid}): "
        f"bolt://127.0.0.1:7801, data in {tmp_path / 'db'}"
    ]
    # Explicit settings win.
    assert running.settings_for_command(settings, True, said.append) is settings
    # A service on an external Neo4j: said, not guessed.
    _write_record(settings, pid=cli_like_process.pid, neo4j_uri="neo4j+s://x.example")
    with pytest.raises(SystemExit, match="uses the Neo4j at neo4j\\+s://x.example"):
        running.settings_for_command(settings, False, said.append)
    # The service is gone: its record is ignored.
    cli_like_process.kill()
    cli_like_process.wait()
    _write_record(settings, pid=cli_like_process.pid, neo4j_uri="", local_bolt_port=7801)
    assert running.settings_for_command(settings, False, said.append) is settings


def test_a_record_of_a_process_that_is_not_the_service_is_ignored(tmp_path):
    settings = replace(Settings.from_env({}), run_dir=tmp_path / "run")
    # This pytest process is alive, but it is no `graph.cli` (a pid reused since).
    _write_record(settings, pid=os.getpid(), neo4j_uri="", local_bolt_port=7801)
    assert running.running_service(settings) is None


def test_the_record_is_owner_only_and_removed_only_by_its_writer(tmp_path):
    settings = replace(Settings.from_env({}), run_dir=tmp_path / "run", local_bolt_port=7802)
    path = running.record(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    body = json.loads(path.read_text())
    assert body["pid"] == os.getpid()
    assert body["local_bolt_port"] == 7802
    assert body["data_dir"] == str(settings.data_dir)
    assert "password" not in path.read_text().lower()
    # Another `run` replaced it: not ours to remove.
    _write_record(settings, pid=1, neo4j_uri="")
    running.forget(settings)
    assert path.exists()
    running.record(settings)
    running.forget(settings)
    assert not path.exists()
