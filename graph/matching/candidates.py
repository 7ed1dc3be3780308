"""From blocks (entities of one kind sharing a blocking key, graph.matching.names) to the
pairs worth scoring, without ever looking at every pair of the graph.

A block is read with its `-` keys joined to the `=` key of the same words and its `@`
keys to the `#` key of the same letters: its `full` members are those whose own name
gives the key (`=`, `@`, and every member of `~` and `zh:` blocks), the others `partial`
(a longer name with the same words, a long name with those initials).

- Full members of an `=` or `zh:` block carry the very same name. The name signal of a
  name carried by `n` entities is `NAME_WEIGHT * 2 / n` (graph.matching.scoring), so
  past `most_carriers(threshold)` no two of them can reach the threshold on any
  evidence: the block's exact pairs are then left out (and counted as crowded).
- Full members are paired with partial ones (a name and a longer one holding its
  words; an abbreviation and the names it abbreviates), never partial ones with each
  other (two long names sharing all words but one, or their initials, are not alike for
  that), up to `MAX_BLOCK` members.
- A `~` block (the same skeleton: misspellings) gives all its pairs, up to `MAX_BLOCK`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.matching.scoring import AGREE_CAP, NAME_WEIGHT, NEIGHBOUR_WEIGHT

# The most entities of one block whose pairs are scored (a block of n gives n(n-1)/2).
MAX_BLOCK = 50


@dataclass(frozen=True)
class Block:
    """Entities of one kind sharing a key. `full` and `partial` hold their ids, or are
    empty when the block was too large to be sent whole; the counts are always there."""

    kind: str
    key: str  # =words, #letters, ~skeleton or zh:characters
    full: tuple[str, ...]
    partial: tuple[str, ...] = ()
    full_count: int = -1
    partial_count: int = -1

    def __post_init__(self) -> None:
        if self.full_count < 0:
            object.__setattr__(self, "full_count", len(self.full))
        if self.partial_count < 0:
            object.__setattr__(self, "partial_count", len(self.partial))

    @property
    def size(self) -> int:
        return self.full_count + self.partial_count

    @property
    def sent(self) -> bool:
        return len(self.full) + len(self.partial) == self.size


@dataclass
class Pairs:
    """Pairs (a < b) of one kind each, with the keys they share; `carriers`: how many
    entities of a kind carry each exact name key; `crowded`: blocks left out as too
    large, by kind."""

    kinds: dict[tuple[str, str], str] = field(default_factory=dict)
    keys: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    carriers: dict[tuple[str, str], int] = field(default_factory=dict)
    crowded: dict[str, int] = field(default_factory=dict)
    # Pairs that carry one name exactly, with the fewest carriers of a name they share.
    exact: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, kind: str, a: str, b: str, key: str, carriers: int = 0) -> None:
        if a == b:
            return
        pair = (a, b) if a < b else (b, a)
        self.kinds[pair] = kind
        self.keys.setdefault(pair, []).append(key)
        if carriers:
            self.exact[pair] = min(carriers, self.exact.get(pair, carriers))

    def crowd(self, kind: str) -> None:
        self.crowded[kind] = self.crowded.get(kind, 0) + 1


def blocks_of(entities: Iterable[tuple[str, str, Iterable[str]]]) -> list[Block]:
    """The blocks of (id, kind, blocking keys) triples that hold at least two entities and
    one full member (see the module's docstring)."""
    full: dict[tuple[str, str], list[str]] = defaultdict(list)
    partial: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entity_id, kind, keys in entities:
        for key in keys:
            head = key[0]
            if head == "-":
                partial[(kind, "=" + key[1:])].append(entity_id)
            elif head == "#":
                partial[(kind, key)].append(entity_id)
            elif head == "@":
                full[(kind, "#" + key[1:])].append(entity_id)
            else:
                full[(kind, key)].append(entity_id)
    out = []
    for group, members in full.items():
        members = list(dict.fromkeys(members))
        others = partial.get(group, ())
        if others:
            own = set(members)
            others = [o for o in dict.fromkeys(others) if o not in own]
        if len(members) + len(others) > 1:
            out.append(Block(group[0], group[1], tuple(members), tuple(others)))
    return out


def is_exact(key: str) -> bool:
    return key.startswith(("=", "zh:"))


def most_carriers(threshold: float) -> int:
    """The most entities that may carry one name for a pair of them to still reach
    `threshold` (with everything else in their favour)."""
    room = threshold - NEIGHBOUR_WEIGHT - AGREE_CAP
    if room <= 0:
        return MAX_BLOCK
    return max(2, min(MAX_BLOCK, math.floor(2 * NAME_WEIGHT / room)))


def pairs_from(blocks: Iterable[Block], threshold: float) -> Pairs:
    out = Pairs()
    limit = most_carriers(threshold)
    for block in blocks:
        full, partial = block.full, block.partial
        exact = is_exact(block.key)
        if exact:
            out.carriers[(block.kind, block.key)] = block.full_count
        elif block.key.startswith("#"):  # how many names have these initials
            out.carriers[(block.kind, block.key)] = block.partial_count
        if block.full_count > 1:
            if block.full_count > (limit if exact else MAX_BLOCK) or not block.sent:
                out.crowd(block.kind)
            else:
                carriers = block.full_count if exact else 0
                for i, a in enumerate(full):
                    for b in full[i + 1 :]:
                        out.add(block.kind, a, b, block.key, carriers)
        if block.full_count and block.partial_count:
            if block.size > MAX_BLOCK or not block.sent:
                out.crowd(block.kind)
                continue
            for a in full:
                for b in partial:
                    out.add(block.kind, a, b, block.key)
    return out
