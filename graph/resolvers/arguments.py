"""Argument checks shared by resolvers; each failure is a BAD_USER_INPUT with the range."""

from __future__ import annotations

from collections.abc import Iterable

from graph.domain import RELATIONSHIP_TYPES
from graph.errors import BadUserInput
from graph.wording import all_of


def check_range(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise BadUserInput(f"`{name}` must be between {low} and {high}; got {value}.")
    return value


def check_text(name: str, value: str, max_length: int = 200) -> str:
    text = value.strip()
    if not text:
        raise BadUserInput(f"`{name}` must not be empty.")
    if len(text) > max_length:
        raise BadUserInput(f"`{name}` must be at most {max_length} characters.")
    return text


def check_relationship_types(types: Iterable[str] | None) -> list[str] | None:
    if types is None:
        return None
    chosen = list(dict.fromkeys(types))
    unknown = [t for t in chosen if t not in RELATIONSHIP_TYPES]
    if unknown:
        raise BadUserInput(
            f"Relationship type {all_of(map(repr, unknown))} is not declared; the declared "
            f"types are {all_of(sorted(RELATIONSHIP_TYPES))}."
        )
    if not chosen:
        raise BadUserInput("`types` must name at least one relationship type, or be omitted.")
    return chosen
