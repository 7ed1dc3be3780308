"""Argument checks shared by resolvers; each failure is a BAD_USER_INPUT with the range."""

from __future__ import annotations

from collections.abc import Iterable

from graph.cypher.nodes import SEPARATOR
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


def relationship_named(
    rel_id: str | None, from_id: str | None, rel_type: str | None, to_id: str | None
) -> tuple[str, str, str]:
    """(start id, type, end id) of a relationship named either by its id (`from|TYPE|to`,
    as `Edge.id` gives it) or by its three parts, never by both."""
    parts = {"from": from_id, "type": rel_type, "to": to_id}
    if rel_id is not None:
        if any(value is not None for value in parts.values()):
            raise BadUserInput(
                "Name the relationship by `id` or by `from`, `type` and `to`, not both."
            )
        pieces = rel_id.split(SEPARATOR)
        if len(pieces) != 3 or not all(piece.strip() for piece in pieces):
            raise BadUserInput(
                f"`id` must be a relationship id, `from|TYPE|to` (as Edge.id gives it); "
                f"got {rel_id!r}."
            )
        return pieces[0], pieces[1], pieces[2]
    missing = [name for name, value in parts.items() if value is None]
    if missing:
        raise BadUserInput(
            f"Name the relationship by `id` (`from|TYPE|to`), or by `from`, `type` and `to` "
            f"(missing: {', '.join(f'`{name}`' for name in missing)})."
        )
    return str(from_id), str(rel_type), str(to_id)
