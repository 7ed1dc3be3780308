"""Constraints and indexes, created before any data (all idempotent)."""

from __future__ import annotations

import datetime as dt
import hashlib

from graph.cypher.auth import API_KEY_CONSTRAINT
from graph.cypher.common import SORT_NAME, relationship_pattern, sort_name_of
from graph.cypher.duplicates import DISTINCT_CONSTRAINT
from graph.cypher.search import INDEX_NAME
from graph.cypher.version import CONSTRAINT as VERSION_CONSTRAINT
from graph.cypher.version import SEQ_INDEX
from graph.db import Cypher
from graph.domain import ENTITY_LABEL, LABELS
from graph.matching.names import KEYS_VERSION


def schema_statements() -> list[str]:
    statements = [
        "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE",
        "CREATE CONSTRAINT conflict_id IF NOT EXISTS FOR (c:Conflict) REQUIRE c.id IS UNIQUE",
        "CREATE INDEX conflict_status IF NOT EXISTS FOR (c:Conflict) ON (c.status)",
        "CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
        "CREATE INDEX entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind)",
        f"CREATE INDEX entity_sort_name IF NOT EXISTS FOR (n:{ENTITY_LABEL}) ON (n.{SORT_NAME})",
        API_KEY_CONSTRAINT,
        # Change ids are random UUIDs made by Neo4j: a plain index finds them; a uniqueness
        # constraint would cost a check per recorded change (measured: ~18% of bulk loads).
        "DROP CONSTRAINT change_id IF EXISTS",
        "CREATE INDEX change_id_index IF NOT EXISTS FOR (c:Change) ON (c.id)",
        "CREATE INDEX change_subject IF NOT EXISTS FOR (c:Change) ON (c.subject)",
        "CREATE INDEX change_object IF NOT EXISTS FOR (c:Change) ON (c.object)",
        # The graph version and the commit order of changes (graph/cypher/version.py).
        VERSION_CONSTRAINT,
        SEQ_INDEX,
        "CREATE CONSTRAINT redirect_id IF NOT EXISTS FOR (r:Redirect) REQUIRE r.id IS UNIQUE",
        DISTINCT_CONSTRAINT,
        f"CREATE CONSTRAINT seed_file IF NOT EXISTS FOR (s:{SEED_LABEL}) REQUIRE s.file IS UNIQUE",
        f"CREATE FULLTEXT INDEX {INDEX_NAME} IF NOT EXISTS FOR (n:Entity) "
        "ON EACH [n.name, n._search] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', "
        "`fulltext.eventually_consistent`: false}}",
    ]
    # Per-kind id and name indexes, so typed lookups (MATCH (n:Bank {id: ...})) use them,
    # and sort-key indexes, so NAME pages of one kind come out of the index in order.
    for label in LABELS.values():
        lower = label.lower()
        statements.append(f"CREATE INDEX {lower}_id IF NOT EXISTS FOR (n:{label}) ON (n.id)")
        statements.append(f"CREATE INDEX {lower}_name IF NOT EXISTS FOR (n:{label}) ON (n.name)")
        statements.append(
            f"CREATE INDEX {lower}_sort_name IF NOT EXISTS FOR (n:{label}) ON (n.{SORT_NAME})"
        )
    return statements


BACKFILL_BATCH = 10_000

# Stores written before the sort key existed: gives up to $batch entities their key and
# says how many it did; run until 0. With nothing missing it is one pass over the label
# reading one property, and writes nothing.
BACKFILL_SORT_NAME = (
    f"MATCH (n:{ENTITY_LABEL}) WHERE n.{SORT_NAME} IS NULL "
    "WITH n LIMIT $batch "
    f"SET n.{SORT_NAME} = {sort_name_of('n')} "
    "RETURN count(n) AS filled"
)


AWAIT_INDEXES = "CALL db.awaitIndexes(300)"

# Stores written before claims existed (graph/claims.py): each fact's values become claims
# of every source of its provenance, once, walking the entities in id order (an index
# range, so the pass reads each entity and its outgoing relationships once). The graph
# version node says whether the store's facts have their claims: it is made with
# `claims = true` by the first write of this version (graph/cypher/version.py).
MIGRATION_STATE = (
    "OPTIONAL MATCH (v:GraphVersion {id: 'graph'}) "
    "RETURN coalesce(v.claims, false) AS done, EXISTS { MATCH (n:Entity) } AS facts"
)
RECORD_MIGRATION = (
    "MERGE (v:GraphVersion {id: 'graph'}) "
    "ON CREATE SET v.epoch = randomUUID(), v.version = 0 "
    "SET v.claims = true"
)


def facts_without_claims(after: str, batch: int) -> Cypher:
    """The next `batch` entities after id `after`, each with its properties when it has
    no claims yet, and its outgoing declared relationships that have none."""
    return (
        f"MATCH (n:{ENTITY_LABEL}) WHERE n.id > $after "
        "WITH n ORDER BY n.id LIMIT $batch "
        "RETURN n.id AS id, CASE WHEN n._claims IS NULL THEN properties(n) END AS props, "
        f"  COLLECT {{ MATCH (n)-[r{relationship_pattern(None)}]->(b:{ENTITY_LABEL}) "
        "    WHERE r._claims IS NULL "
        "    RETURN {id: elementId(r), type: type(r), to: b.id, props: properties(r)} "
        "  } AS relationships",
        {"after": after, "batch": batch},
    )


SET_CLAIMS = (
    "UNWIND $entities AS row MATCH (n:Entity {id: row.id}) SET n._claims = row.claims "
    "WITH count(*) AS done "
    "UNWIND $relationships AS row MATCH ()-[r]->() WHERE elementId(r) = row.id "
    "SET r._claims = row.claims "
    "RETURN count(*) AS relationships"
)


# The seed's loads (seed/loader.py): one node per seed file, with the fingerprint of the
# file and of the schema statements it was last loaded with.
SEED_LABEL = "SeedLoad"


def schema_fingerprint() -> str:
    """Changes with the statements, and with the rules of the duplicate finder's keys (so
    a start after either runs `ensure_schema`, which makes the keys again)."""
    made = [*schema_statements(), f"duplicate keys {KEYS_VERSION}"]
    return hashlib.sha256("\n".join(made).encode()).hexdigest()


def seed_state(file: str) -> Cypher:
    return (
        f"MATCH (s:{SEED_LABEL} {{file: $file}}) "
        "RETURN s.sha256 AS sha256, s.schema AS schema, s.loadedAt AS loadedAt",
        {"file": file},
    )


def record_seed(file: str, sha256: str, schema: str, at: dt.datetime) -> Cypher:
    return (
        f"MERGE (s:{SEED_LABEL} {{file: $file}}) "
        "SET s.sha256 = $sha256, s.schema = $schema, s.loadedAt = $at",
        {"file": file, "sha256": sha256, "schema": schema, "at": at},
    )
