"""The process and port checks behind `graph.cli neo4j status|stop|start`: real processes
and sockets, no Neo4j."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from graph.local_neo4j import describe_process, port_holder, process_alive
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
