"""Lists of names in messages a person reads: `ORGANIZATION, BANK or PERSON`, never a
Python list (`['ORGANIZATION', 'BANK']`). Imports nothing of the service: any layer
may word its messages with it."""

from __future__ import annotations

from collections.abc import Iterable


def _joined(names: Iterable[str], last: str) -> str:
    items = [str(name) for name in names]
    if len(items) <= 1:
        return "".join(items) or "(none)"
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def one_of(names: Iterable[str]) -> str:
    """`A`, `A or B`, `A, B or C`: the choices, for "must be ...". Sorted by the caller
    when order means nothing (declaration order often does)."""
    return _joined(names, "or")


def all_of(names: Iterable[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    return _joined(names, "and")
