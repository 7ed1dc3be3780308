"""What `graph.cli run` records about itself, so that the command line, run from another
terminal with no Neo4j settings, talks to the same Neo4j as the running service.

`<RUN_DIR>/service.json` (default `.run/` in the checkout, git-ignored, owner-only): the
service's pid, its Neo4j (the local one's port and data directory, or NEO4J_URI) and its
address. Written once Neo4j answers, removed when `run` ends; a record whose pid is no
longer a live `graph.cli` process is ignored. No password is recorded: the local Neo4j's
is in its data directory, and an external one's stays with whoever set NEO4J_PASSWORD.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from graph.local_neo4j import command_line, process_alive
from graph.settings import Settings


def record_path(settings: Settings) -> Path:
    return settings.run_dir / "service.json"


def record(settings: Settings) -> Path:
    """Record this process as the running service, with its Neo4j."""
    settings.run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = record_path(settings)
    body = {
        "pid": os.getpid(),
        "neo4j_uri": settings.neo4j_uri,
        "bolt_uri": settings.bolt_uri,
        "local_bolt_port": settings.local_bolt_port if settings.uses_local_neo4j else None,
        "data_dir": str(settings.data_dir) if settings.uses_local_neo4j else None,
        "database": settings.neo4j_database,
        "http": f"http://{settings.host}:{settings.port}",
    }
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=1)
    os.replace(temp, path)
    return path


def forget(settings: Settings) -> None:
    """Remove the record if it is this process's (another `run` may have replaced it)."""
    found = read(settings)
    if found is not None and found.get("pid") == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            record_path(settings).unlink()


def read(settings: Settings) -> dict[str, Any] | None:
    try:
        body = json.loads(record_path(settings).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return body if isinstance(body, dict) and isinstance(body.get("pid"), int) else None


def running_service(settings: Settings) -> dict[str, Any] | None:
    """The record of a service that is running now, or None."""
    found = read(settings)
    if found is None:
        return None
    pid = found["pid"]
    if not process_alive(pid) or "graph.cli" not in command_line(pid):
        return None
    return found


def settings_for_command(settings: Settings, chosen: bool, say: Callable[[str], None]) -> Settings:
    """The settings a database command uses: its own when the environment chose a Neo4j
    (`chosen`), else the running service's Neo4j when there is one (said on stderr
    through `say`), else the defaults."""
    if chosen:
        return settings
    found = running_service(settings)
    if found is None:
        return settings
    if found.get("neo4j_uri"):
        raise SystemExit(
            f"The running service (pid {found['pid']}) uses the Neo4j at "
            f"{found['neo4j_uri']}; set NEO4J_URI (and NEO4J_USERNAME, NEO4J_PASSWORD) to "
            "use it from here, or LOCAL_NEO4J_PORT / DATA_DIR for a local one."
        )
    chosen_settings = replace(
        settings,
        local_bolt_port=int(found["local_bolt_port"]),
        data_dir=Path(found["data_dir"]),
    )
    say(
        f"Using the running service's Neo4j (service pid {found['pid']}): "
        f"{chosen_settings.bolt_uri}, data in {chosen_settings.data_dir}"
    )
    return chosen_settings
