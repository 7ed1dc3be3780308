"""Pairs from blocks: never every pair, never a crowded name's."""

from __future__ import annotations

from graph.matching.candidates import MAX_BLOCK, Block, most_carriers, pairs_from


def test_full_members_pair_with_each_other_and_with_partial_ones_only():
    blocks = [Block("ORGANIZATION", "=technology zhongke", ("a", "b"), ("c", "d"))]
    pairs = pairs_from(blocks, 0.6)
    assert set(pairs.kinds) == {("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")}
    assert pairs.carriers[("ORGANIZATION", "=technology zhongke")] == 2


def test_initials_pair_the_abbreviation_with_the_long_names():
    blocks = [Block("BANK", "#bob", ("bob",), ("bank-of-beijing", "bank-of-bohai"))]
    assert set(pairs_from(blocks, 0.6).kinds) == {
        ("bank-of-beijing", "bob"),
        ("bank-of-bohai", "bob"),
    }


def test_a_name_carried_by_too_many_is_crowded_at_this_threshold():
    limit = most_carriers(0.6)
    ids = tuple(f"p{i:02}" for i in range(limit + 1))
    pairs = pairs_from([Block("PERSON", "=jian wang", ids)], 0.6)
    assert not pairs.kinds
    assert pairs.crowded == {"PERSON": 1}
    assert pairs.carriers[("PERSON", "=jian wang")] == limit + 1
    # A lower threshold lets more carriers through.
    assert most_carriers(0.45) > limit
    assert pairs_from([Block("PERSON", "=jian wang", ids)], 0.45).kinds


def test_a_block_sent_without_its_ids_is_crowded():
    block = Block("PERSON", "~wngjngg", (), (), MAX_BLOCK + 1, 0)
    assert pairs_from([block], 0.6).crowded == {"PERSON": 1}


def test_one_entity_never_pairs_with_itself():
    assert not pairs_from([Block("BANK", "=x", ("a",), ("a",))], 0.6).kinds
