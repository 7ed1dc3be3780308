"""graph.db against the real Neo4j: what a read's values become in Python."""

from __future__ import annotations

import datetime as dt

import pytest

from graph import db as db_module
from graph.db import Database
from graph.settings import Settings
from tests.conftest import run


async def _read_counting(settings: Settings, cypher: str, monkeypatch) -> tuple[list, int]:
    """The rows of `cypher`, and how many values went through the Python walk."""
    walked = [0]
    walk = db_module._native

    def counting(value):
        walked[0] += 1
        return walk(value)

    monkeypatch.setattr(db_module, "_native", counting)
    db = Database(settings)
    try:
        return await db.read((cypher, {})), walked[0]
    finally:
        await db.close()


def test_plain_answers_skip_the_python_walk(settings: Settings, monkeypatch) -> None:
    rows, walked = run(
        _read_counting(
            settings,
            "UNWIND range(1, 3) AS i RETURN i, {name: 'n' + i, tags: ['a', null], "
            "inner: [{x: 1.5, y: true}]} AS m",
            monkeypatch,
        )
    )
    assert rows == [
        {"i": i, "m": {"name": f"n{i}", "tags": ["a", None], "inner": [{"x": 1.5, "y": True}]}}
        for i in (1, 2, 3)
    ]
    assert walked == 0  # orjson vouched for every value


def test_temporal_values_and_nodes_become_python_values(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, walked = run(
        _read_counting(
            settings,
            "MATCH (n:Entity {id: 'bank-of-beijing'}) "
            "RETURN 'plain' AS p, {on: date('2024-01-02'), "
            "at: [datetime('2024-01-02T03:04:05Z')]} AS t, n {.id, .name} AS m, n",
            monkeypatch,
        )
    )
    [row] = rows
    assert row["p"] == "plain"
    assert row["t"]["on"] == dt.date(2024, 1, 2)
    assert type(row["t"]["on"]) is dt.date
    [at] = row["t"]["at"]
    assert at == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert row["m"] == {"id": "bank-of-beijing", "name": row["n"]["name"]}
    assert row["n"]["id"] == "bank-of-beijing"  # a node becomes its properties
    assert walked >= 4  # the record held non-JSON values: each of its four walked
