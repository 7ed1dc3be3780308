"""Window keys (graph/cypher/plan.py): equal arguments give equal keys, other arguments
other keys, and a window without filters is hashed once per process, not once per read
(a nested answer makes hundreds of equal windows)."""

from __future__ import annotations

import json

from graph.cypher import plan
from graph.cypher.plan import Window


def _counting_dumps(monkeypatch) -> list[int]:
    calls = [0]
    real = json.dumps

    def dumps(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(plan.json, "dumps", dumps)
    return calls


def test_equal_windows_share_a_key_and_others_do_not():
    a = Window(("LENT",), "IN", 1)
    assert a.key == Window(("LENT",), "IN", 1).key
    assert a.key != Window(("LENT",), "OUT", 1).key
    assert a.key != Window(("LENT",), "IN", 2).key
    assert a.key != Window(("LENT",), "IN", 1, where={"name": {"equals": "x"}}).key
    assert a.key.startswith("w")
    assert len(a.key) == 21


def test_a_window_without_filters_is_hashed_once(monkeypatch):
    plan._KEYS.clear()
    calls = _counting_dumps(monkeypatch)
    keys = {Window(("SECURES",), "IN", 100).key for _ in range(700)}
    assert len(keys) == 1
    assert calls[0] == 1


def test_a_filtered_window_is_not_memoized_but_computes_its_key_once(monkeypatch):
    plan._KEYS.clear()
    calls = _counting_dumps(monkeypatch)
    where = {"name": {"contains": "bank"}}
    first = Window(("LENT",), "IN", 5, where=where)
    assert first.key == first.key
    assert calls[0] == 1
    assert Window(("LENT",), "IN", 5, where=where).key == first.key
    assert calls[0] == 2
    assert plan._KEYS == {}
