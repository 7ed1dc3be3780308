"""The graph version: one `(:GraphVersion {id: 'graph'})` node whose `version` every write
transaction advances just before it commits, stamping the Change nodes it recorded with
that number (`seq`).

Advancing takes the node's write lock, held until commit, so write transactions pass it
one at a time and seq order is commit order: a reader that has seen seq N has seen every
commit before it (subscriptions rely on this, graph/subscriptions/). The lock is taken
last, after everything else a transaction locks, so it adds no deadlock; it is held only
for this statement and the commit.

`epoch` is a random id made with the node: a database emptied (or restored from a
backup) starts counting again under a new epoch, so (epoch, version) never names two
states of the graph (HTTP caching, graph/http/caching.py).

Change nodes are created `:Change:Unsequenced` (graph/cypher/writes.py, changes.py); a
transaction sees only its own uncommitted ones, and every committed one is stamped.
"""

from __future__ import annotations

from typing import LiteralString

VERSION_LABEL = "GraphVersion"
UNSEQUENCED = "Unsequenced"

CONSTRAINT: LiteralString = (
    "CREATE CONSTRAINT graph_version_id IF NOT EXISTS FOR (v:GraphVersion) REQUIRE v.id IS UNIQUE"
)
SEQ_INDEX: LiteralString = "CREATE INDEX change_seq IF NOT EXISTS FOR (c:Change) ON (c.seq)"

# The last statement of every write transaction (graph/db.py, Database.transaction).
ADVANCE: LiteralString = (
    "MERGE (v:GraphVersion {id: 'graph'}) "
    # A store whose first write made this node holds claims on every fact (graph/claims.py;
    # graph/bulk/ingestion.py gives older stores theirs).
    "ON CREATE SET v.epoch = randomUUID(), v.version = 0, v.claims = true "
    # Writing first takes the lock; the count is read under it, so no update is lost.
    "SET v._lock = true "
    "WITH v, v.version + 1 AS next "
    "SET v.version = next REMOVE v._lock "
    "WITH v "
    "CALL (v) { MATCH (c:Unsequenced) SET c.seq = v.version REMOVE c:Unsequenced "
    "  RETURN count(c) AS changes } "
    "RETURN v.epoch AS epoch, v.version AS version, changes"
)

# What has committed so far: no row before the first write.
CURRENT: LiteralString = (
    "MATCH (v:GraphVersion {id: 'graph'}) RETURN v.epoch AS epoch, v.version AS version"
)

# After a restore: the restored count goes on under a new epoch (the restored graph is
# not the state its old epoch and version named in whoever cached answers meanwhile).
RENEW: LiteralString = (
    "MERGE (v:GraphVersion {id: 'graph'}) "
    "SET v.epoch = randomUUID(), v.version = coalesce(v.version, 0) + 1 "
    "RETURN v.epoch AS epoch, v.version AS version"
)
