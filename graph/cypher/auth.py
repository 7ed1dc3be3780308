"""API keys as `(:ApiKey {id, name, role, hash, createdAt, revokedAt})` nodes.

Only the SHA-256 of a key's secret is stored. Nothing here returns a hash except
`api_key_for_verification`, which the key check alone uses.
"""

from __future__ import annotations

from graph.db import Cypher

API_KEY_CONSTRAINT = (
    "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE"
)

# What listing, creating and revoking show: never the hash.
_PUBLIC = "k {.id, .name, .role, .createdAt, .revokedAt} AS key"


def create_api_key(key_id: str, name: str, role: str, secret_hash: str) -> Cypher:
    return (
        "CREATE (k:ApiKey {id: $id, name: $name, role: $role, hash: $hash, "
        "createdAt: datetime()}) "
        "RETURN " + _PUBLIC,
        {"id": key_id, "name": name, "role": role, "hash": secret_hash},
    )


def revoke_api_key(key_id: str) -> Cypher:
    """Revoking twice keeps the first revocation time."""
    return (
        "MATCH (k:ApiKey {id: $id}) "
        "SET k.revokedAt = coalesce(k.revokedAt, datetime()) "
        "RETURN " + _PUBLIC,
        {"id": key_id},
    )


def api_keys() -> Cypher:
    return ("MATCH (k:ApiKey) RETURN " + _PUBLIC + " ORDER BY k.createdAt, k.id", {})


def api_key_for_verification(key_id: str) -> Cypher:
    return (
        "MATCH (k:ApiKey {id: $id}) "
        "RETURN k.hash AS hash, k.role AS role, k.name AS name, k.revokedAt AS revokedAt",
        {"id": key_id},
    )


def api_key_names(key_ids: list[str]) -> Cypher:
    """The names of keys, by id (revoked keys included), to show who made a change."""
    return (
        "UNWIND $ids AS id MATCH (k:ApiKey {id: id}) RETURN k.id AS id, k.name AS name",
        {"ids": key_ids},
    )
