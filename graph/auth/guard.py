"""The check a resolver makes before it writes: `await authorize(info, "editor")`."""

from __future__ import annotations

from typing import Any

from graph.auth.roles import Principal, Role, require


async def authorize(info: Any, role: Role | str) -> Principal:
    """The request's principal if its role is at least `role`. Raises UNAUTHENTICATED for
    an anonymous request and FORBIDDEN for a role too low."""
    return require(info.context.principal, role)
