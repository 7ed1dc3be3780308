"""API keys: `kg_<id>_<secret>`, stored only as the SHA-256 of the secret.

The secret is 32 random bytes, so a plain hash resists guessing as well as a slow one
would, and checking a key costs one indexed lookup by id plus a constant-time compare.
The plaintext exists once, in what `create_key` returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from graph.auth.roles import ROLE_NAMES, Principal, Role
from graph.cypher import auth as q
from graph.db import Database
from graph.errors import BadUserInput, NotFound, Unauthenticated

PREFIX = "kg_"
# A key's principal, as recorded in `Change.by`: `api-key:<id>`, the key's stable id (its
# name is shown instead, see `subject_names`).
SUBJECT_PREFIX = "api-key:"


@dataclass(frozen=True)
class ApiKey:
    """What may be shown about a key: never its secret or hash."""

    id: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: dict) -> ApiKey:
        return cls(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            created_at=row["createdAt"],
            revoked_at=row.get("revokedAt"),
        )


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    token: str  # the plaintext `kg_<id>_<secret>`, shown once


def looks_like_api_key(token: str) -> bool:
    return token.startswith(PREFIX)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_key(db: Database, name: str, role: str) -> CreatedKey:
    name = name.strip()
    if not name:
        raise BadUserInput("A key needs a name (who or what will use it).")
    try:
        parsed = Role.parse(role)
    except ValueError as exc:
        raise BadUserInput(f"role must be one of {', '.join(ROLE_NAMES)}") from exc
    # Idempotent; here so that keys work on a database the seed never set up.
    await db.write((q.API_KEY_CONSTRAINT, {}))
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    [row] = await db.write(q.create_api_key(key_id, name, parsed.label, _hash(secret)))
    return CreatedKey(key=ApiKey.from_row(row["key"]), token=f"{PREFIX}{key_id}_{secret}")


async def revoke_key(db: Database, key_id: str) -> ApiKey:
    rows = await db.write(q.revoke_api_key(key_id))
    if not rows:
        raise NotFound(f"No API key with id {key_id!r}.")
    return ApiKey.from_row(rows[0]["key"])


async def list_keys(db: Database) -> list[ApiKey]:
    return [ApiKey.from_row(row["key"]) for row in await db.read(q.api_keys())]


async def verify_key(db: Database, token: str) -> Principal:
    """The principal a `kg_<id>_<secret>` token stands for; UNAUTHENTICATED when it is
    malformed, unknown, revoked or wrong. The reason is not told apart to the caller."""
    refused = Unauthenticated("Invalid or revoked API key.")
    parts = token.split("_", 2)
    if len(parts) != 3 or f"{parts[0]}_" != PREFIX or not parts[1] or not parts[2]:
        raise refused
    _, key_id, secret = parts
    rows = await db.read(q.api_key_for_verification(key_id))
    if not rows:
        raise refused
    [row] = rows
    if not hmac.compare_digest(row["hash"], _hash(secret)) or row["revokedAt"] is not None:
        raise refused
    try:
        role = Role.parse(row["role"])
    except ValueError as exc:
        raise refused from exc
    return Principal(subject=f"{SUBJECT_PREFIX}{key_id}", role=role, via="api-key")


async def subject_names(db: Database, subjects: set[str]) -> dict[str, str]:
    """How to show who made a change: each `api-key:<id>` subject among `subjects` mapped
    to its key's name (revoked keys included). Subjects of keys that no longer exist, JWT
    subjects and other writers (`seed`, `cli:<user>`) are not in the answer: they are
    shown as recorded."""
    ids = sorted(s.removeprefix(SUBJECT_PREFIX) for s in subjects if s.startswith(SUBJECT_PREFIX))
    if not ids:
        return {}
    rows = await db.read(q.api_key_names(ids))
    return {f"{SUBJECT_PREFIX}{row['id']}": row["name"] for row in rows}
