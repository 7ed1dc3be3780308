"""graph/bounded.py: a least-recently-used map bounded by bytes and by count."""

from __future__ import annotations

from graph.bounded import BoundedCache


def cache(max_items=10, max_bytes=100, max_entry=50) -> BoundedCache[str, str]:
    return BoundedCache(max_items, max_bytes, max_entry, lambda key, value: len(value))


def test_bytes_bound_evicts_the_least_recently_used():
    c = cache()
    for name in "abcd":
        assert c.put(name, "x" * 30)
    # 4 x 30 > 100: the oldest went.
    assert "a" not in c
    assert len(c) == 3
    assert c.bytes == 90
    assert c.get("b") == "x" * 30  # b is now the most recently used
    c.put("e", "y" * 30)
    assert "c" not in c
    assert "b" in c
    assert "e" in c
    assert c.bytes <= 100


def test_an_entry_too_large_alone_is_not_kept():
    c = cache()
    c.put("small", "x")
    assert not c.put("huge", "x" * 51)
    assert "huge" not in c
    assert "small" in c
    assert c.refused == 1


def test_count_bound_and_replacing_a_key():
    c = cache(max_items=2)
    c.put("a", "1")
    c.put("a", "22")
    assert len(c) == 1
    assert c.bytes == 2
    c.put("b", "3")
    c.put("c", "4")
    assert len(c) == 2
    assert "a" not in c
    c.clear()
    assert len(c) == 0
    assert c.bytes == 0
