"""Roles, ordered reader < editor < admin, and the principal a request acts as."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from graph.errors import Forbidden, Unauthenticated


class Role(enum.IntEnum):
    """Each role may do everything the roles below it may."""

    READER = 1
    EDITOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, value: object) -> Role:
        """The role named `value` ("reader", "editor", "admin"); ValueError otherwise."""
        if isinstance(value, Role):
            return value
        if isinstance(value, str):
            try:
                return cls[value.strip().upper()]
            except KeyError:
                pass
        raise ValueError(f"unknown role {value!r}; one of {', '.join(ROLE_NAMES)}")

    @property
    def label(self) -> str:
        return self.name.lower()


ROLE_NAMES = tuple(role.label for role in Role)


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role | None
    via: Literal["api-key", "jwt", "anonymous"]

    @property
    def is_anonymous(self) -> bool:
        return self.via == "anonymous"

    def has(self, role: Role | str) -> bool:
        """Whether this principal's role is at least `role` (never for anonymous)."""
        return self.role is not None and self.role >= Role.parse(role)


ANONYMOUS = Principal(subject="anonymous", role=None, via="anonymous")


def require(principal: Principal, role: Role | str) -> Principal:
    """`principal` when its role is at least `role`: UNAUTHENTICATED for an anonymous
    caller, FORBIDDEN for one whose role is too low."""
    needed = Role.parse(role)
    if principal.is_anonymous or principal.role is None:
        raise Unauthenticated(
            f"This operation needs the {needed.label} role: "
            "send 'Authorization: Bearer <API key or JWT>'."
        )
    if principal.role < needed:
        raise Forbidden(
            f"This operation needs the {needed.label} role; the token has {principal.role.label}."
        )
    return principal
