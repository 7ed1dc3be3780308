"""`python -m graph.cli keys ...` as an operator runs it, against the test Neo4j."""

import os
import re
import subprocess
import sys

import pytest

from graph.settings import ROOT, Settings
from tests.conftest import free_port


def cli_env(settings: Settings, **overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    if settings.uses_local_neo4j:
        env.pop("NEO4J_URI", None)
        env["LOCAL_NEO4J_PORT"] = str(settings.local_bolt_port)
        env["DATA_DIR"] = str(settings.data_dir)  # where its password is
    env.update(overrides)
    return env


def keys_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", "keys", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_create_list_revoke(settings):
    env = cli_env(settings)
    created = keys_cli(env, "create", "--name", "cli test key", "--role", "editor")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    match = re.fullmatch(r"kg_([0-9a-f]{16})_([A-Za-z0-9_-]{43})", token)
    assert match, created.stdout
    key_id, secret = match.groups()
    assert "shown only this once" in created.stderr
    assert secret not in created.stderr

    listed = keys_cli(env, "list")
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if line.startswith(key_id)]
    _, role, _, state, name = line.split(maxsplit=4)
    assert (role, state, name) == ("editor", "active", "cli test key")
    assert secret not in listed.stdout + listed.stderr

    revoked = keys_cli(env, "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    assert f"Revoked API key {key_id}" in revoked.stderr

    listed = keys_cli(env, "list")
    [line] = [line for line in listed.stdout.splitlines() if line.startswith(key_id)]
    assert "revoked" in line


def test_revoking_an_unknown_key_fails_clearly(settings):
    result = keys_cli(cli_env(settings), "revoke", "does-not-exist")
    assert result.returncode != 0
    assert "No API key with id 'does-not-exist'" in result.stderr


def test_unknown_role_is_refused_before_touching_the_database(settings):
    result = keys_cli(cli_env(settings), "create", "--name", "x", "--role", "root")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_neo4j_not_running_is_said_plainly(settings):
    if not settings.uses_local_neo4j:
        pytest.skip("NEO4J_URI is set: there is no local port to leave empty")
    result = keys_cli(cli_env(settings, LOCAL_NEO4J_PORT=str(free_port())), "list")
    assert result.returncode != 0
    assert "is not answering" in result.stderr
    assert "neo4j start" in result.stderr
    assert "Traceback" not in result.stderr
