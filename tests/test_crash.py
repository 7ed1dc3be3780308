"""Crash safety: the whole stack killed with SIGKILL in the middle of writing, then
started again on the same data directory; every acknowledged write is there, and nothing
is half-written.

One run, on a Neo4j of the test's own (free port, store `<TEST_DATA_DIR>-crash`):

- `graph.cli ingest` of a generated file (bench/make_ingest_file.py) in small batches.
  A batch is acknowledged when its transaction has committed: the command is run
  through a wrapper that appends one line per batch, with the batch's rows, to a file
  as soon as `write_batch` returns (after the commit). Its stderr progress bar, the
  command's own acknowledgement, is drawn on terminals only and says how many rows,
  not which.
- at the same time, 4 clients send mutations over HTTP to `graph.cli serve`, a process
  of its own: organizations created, later updated, and MEMBER_OF relationships between
  them. A mutation is acknowledged when its HTTP answer came back as `EntityWritten` or
  `RelationshipWritten`.

Once both have acknowledged writes (relationship batches included), the Neo4j Java
process, the service and the ingestion are killed (SIGKILL, in that order, at once).
Neo4j and the service are started again, and then: every acknowledged write is there
with its values, provenance and Change record; every ingestion batch is all or nothing;
and across the whole graph no entity lacks its id, kind, label, name or provenance, no
provenance names a missing source, and every Change record points at what exists.

With an external NEO4J_URI there is nothing this test may kill, so it is skipped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.make_ingest_file import generate, write_jsonl
from graph.auth.keys import create_key
from graph.db import Database
from graph.domain import Kind
from graph.settings import ROOT, Settings
from tests.commands import cli_env, query
from tests.conftest import free_port, poll, run
from tests.scratch import scratch_neo4j

pytestmark = pytest.mark.neo4j

BULK = "crash-bulk-"
API = "crash-api-"
API_SOURCE = "crash-api-source"
FILE_ENTITIES, FILE_RELATIONSHIPS = 1_200, 8_000  # the generated file, a source line besides
ENTITIES, RELATIONSHIPS = "entities", "relationships"  # the targets of ingestion batches
BATCH = 200  # rows per ingestion batch: many batches, two in flight at the kill
CLIENTS = 4
STEPS = 400  # per client at most (the kill comes long before)
KILL_AFTER_REL_BATCHES, KILL_AFTER_MUTATIONS = 4, 40

# `graph.cli ingest` as a user runs it, with each committed batch noted (one line,
# appended as soon as `write_batch` returns, i.e. after its transaction committed).
ACKING_INGEST = """
import json, os, sys
from graph import cli
from graph.bulk import ingestion

ack = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
write_batch = ingestion.write_batch

async def acknowledged(db, rows, change, *args, **kwargs):
    results = await write_batch(db, rows, change, *args, **kwargs)
    keys = [r.data["id"] if r.target == "entities" else [r.data["from"], r.group, r.data["to"]]
            for r in rows]
    os.write(ack, (json.dumps({"target": rows[0].target, "keys": keys}) + "\\n").encode())
    return results

ingestion.write_batch = acknowledged
cli.main(["ingest", *sys.argv[2:]])
"""

UPSERT_ENTITY = """mutation ($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) { __typename } }"""
UPSERT_RELATIONSHIP = """mutation ($r: RelationshipInput!, $p: ProvenanceInput!) {
  upsertRelationship(relationship: $r, provenance: $p) { __typename } }"""


@dataclass
class Mutations:
    """What the clients sent, in order per entity (one client writes each entity)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    # entity id -> [(memberCount sent, acknowledged)], in the order sent
    entity_writes: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    # (from, to) -> acknowledged
    relationships: dict[tuple[str, str], bool] = field(default_factory=dict)
    acknowledged: int = 0
    errors: Counter = field(default_factory=Counter)

    def note(self, kind: str, key: Any, value: int | None, ok: bool, error: str) -> None:
        with self.lock:
            if error:
                self.errors[error] += 1
            if kind == "entity":
                self.entity_writes.setdefault(key, []).append((value or 0, ok))
            else:
                self.relationships[key] = ok
            self.acknowledged += ok


def _client(url: str, token: str, number: int, sent: Mutations, stop: threading.Event) -> None:
    provenance = {"source": {"id": API_SOURCE, "title": "Crash test writes"}, "paragraph": 1}
    headers = {"Authorization": f"Bearer {token}"}

    def send(kind: str, key: Any, value: int | None, body: dict) -> None:
        try:
            response = http.post("/graphql", json=body, headers=headers)
            data = response.json().get("data") if response.status_code == 200 else None
            typename = next(iter((data or {}).values()), None) or {}
            ok = typename.get("__typename") in ("EntityWritten", "RelationshipWritten")
            error = "" if ok else f"{response.status_code} {response.text[:120]}"
        except (httpx.HTTPError, ValueError) as exc:  # the kill, mostly
            ok, error = False, type(exc).__name__
        sent.note(kind, key, value, ok, error)

    def entity(entity_id: str, count: int) -> None:
        values: dict[str, Any] = {"id": entity_id, "kind": "ORGANIZATION"}
        values["name"] = f"Crash org {entity_id}"
        values["properties"] = {"memberCount": count, "orgType": "company"}
        body = {"query": UPSERT_ENTITY, "variables": {"e": values, "p": provenance}}
        send("entity", entity_id, count, body)

    with httpx.Client(base_url=url, timeout=30) as http:
        for step in range(STEPS):
            if stop.is_set():
                return
            here = f"{API}{number}-{step}"
            entity(here, step)
            if step >= 1:
                before = f"{API}{number}-{step - 1}"
                rel = {"from": here, "type": "MEMBER_OF", "to": before}
                body = {"query": UPSERT_RELATIONSHIP, "variables": {"r": rel, "p": provenance}}
                send("relationship", (here, before), None, body)
            if step >= 2 and step % 2 == 0:
                entity(f"{API}{number}-{step - 2}", 1000 + step)  # an update


@contextmanager
def service(settings: Settings, port: int, log: Path) -> Iterator[subprocess.Popen]:
    # A generous query timeout too: the first queries after a restart are planned afresh,
    # on a busy machine.
    env = {**cli_env(settings), "PORT": str(port), "LOG_FORMAT": "text", "QUERY_TIMEOUT_S": "90"}
    with log.open("ab") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "graph.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=err,
            stderr=err,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            poll(http, "/ready", lambda r: r.status_code == 200, 90, "the service is not ready")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def _editor_token(settings: Settings) -> str:
    async def make() -> str:
        db = Database(settings)
        try:
            return (await create_key(db, "crash test", "editor")).token
        finally:
            await db.close()

    return str(run(make()))


def _acknowledged_batches(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def test_acknowledged_writes_survive_sigkill_of_the_whole_stack(tmp_path: Path) -> None:
    started = time.monotonic()
    source, ents, rels = generate(FILE_ENTITIES, FILE_RELATIONSHIPS, BULK, seed=7)
    facts = tmp_path / "facts.jsonl"
    write_jsonl(facts, source, ents, rels)
    acks = tmp_path / "acks.jsonl"

    phases: dict[str, float] = {}

    def mark(phase: str) -> None:
        phases[phase] = time.monotonic() - started

    # A generous query timeout: the wipe that starts it, on this busy machine.
    with scratch_neo4j("crash", query_timeout_s=90.0) as (settings, local):
        mark("neo4j started and seeded")
        token = _editor_token(settings)
        sent = Mutations()
        stop = threading.Event()
        port = free_port()
        with service(settings, port, tmp_path / "service.log") as served:
            mark("service ready")
            url = f"http://127.0.0.1:{port}"
            with (tmp_path / "ingest.out").open("wb") as out:
                ingest = subprocess.Popen(
                    [sys.executable, "-c", ACKING_INGEST, str(acks), str(facts)]
                    + ["--batch-size", str(BATCH)],
                    cwd=ROOT,
                    env=cli_env(settings),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            clients = [
                threading.Thread(target=_client, args=(url, token, n, sent, stop))
                for n in range(CLIENTS)
            ]

            def wait_for(done: Any, what: str) -> None:
                deadline = time.monotonic() + 120
                while not done():
                    assert ingest.poll() is None, (
                        f"the ingestion ended (code {ingest.returncode}) before the kill: "
                        + (tmp_path / "ingest.out").read_text()[-2000:]
                    )
                    assert served.poll() is None, "the service ended by itself"
                    assert time.monotonic() < deadline, f"{what}: not within 120 s"
                    time.sleep(0.05)

            def relationship_batches() -> int:
                return sum(b["target"] == RELATIONSHIPS for b in _acknowledged_batches(acks))

            try:
                # The burst of mutations begins once the ingestion writes relationships
                # (mutations at once would starve it on this 2-core machine), and the
                # kill comes when both have acknowledged writes and neither is done.
                wait_for(lambda: relationship_batches() >= 1, "relationship batches")
                mark("ingestion writing relationships")
                for client in clients:
                    client.start()
                wait_for(
                    lambda: (
                        relationship_batches() >= KILL_AFTER_REL_BATCHES
                        and sent.acknowledged >= KILL_AFTER_MUTATIONS
                    ),
                    "acknowledged writes",
                )
                # The kill: Neo4j's Java process, the service, the ingestion.
                assert local.process is not None
                java = local.process
                os.kill(java.pid, signal.SIGKILL)
                served.kill()
                ingest.kill()
                mark("killed")
            finally:
                stop.set()
                if ingest.poll() is None:
                    ingest.kill()
                ingest.wait(timeout=30)
                for client in clients:
                    if client.is_alive():
                        client.join(timeout=60)
            java.wait(timeout=30)
            assert java.returncode == -signal.SIGKILL
            assert served.wait(timeout=30) == -signal.SIGKILL
            assert ingest.returncode == -signal.SIGKILL
        assert not any(client.is_alive() for client in clients), "a client hung"
        batches = _acknowledged_batches(acks)

        # The same data directory, started again: Neo4j recovers from its transaction log.
        local.start()
        mark("neo4j restarted")
        port = free_port()
        with service(settings, port, tmp_path / "service.log"):
            mark("service restarted")
            graph = _read_graph(settings)
            found = _check_ingestion(graph, ents, rels, batches)
            api = _check_mutations(graph, sent)
            _check_integrity(graph)
            _check_through_the_api(f"http://127.0.0.1:{port}", sent)
            mark("checked")
        _remove_what_was_written(settings)

    print(
        f"\ncrash: ingestion {found['acked_batches']} batches acknowledged "
        f"({found['acked_rows']} rows), {found['present_batches']} of {found['batches']} "
        f"batches found after the restart ({found['present_rows']} rows), the others absent "
        f"whole; mutations {sent.acknowledged} acknowledged ({api['entities']} entity "
        f"writes, {api['relationships']} relationships), {api['found']} found with their "
        f"Change records, {api['unacked_found']} of {api['unacked']} unacknowledged ones "
        f"committed; client errors {dict(sent.errors)}\n"
        + ", ".join(f"{phase} at {at:.1f}s" for phase, at in phases.items())
    )


# --- after the restart -------------------------------------------------------------------


def _read_graph(settings: Settings) -> dict[str, Any]:
    """Everything the checks need, read once: entities, relationships between entities,
    sources, redirects and Change records."""
    entities = query(
        settings,
        "MATCH (n:Entity) RETURN n.id AS id, n.kind AS kind, n.name AS name, "
        "labels(n) AS labels, n._prov AS prov, n._changes AS changes, "
        "n.memberCount AS memberCount",
    )
    relationships = query(
        settings,
        "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS from, type(r) AS type, b.id AS to, "
        "r._prov AS prov, r._changes AS changes",
    )
    changes = query(
        settings,
        "MATCH (c:Change) RETURN c.id AS id, c.target AS target, c.action AS action, "
        "c.via AS via, c.subject AS subject, c.object AS object, c.type AS type, "
        "c.count AS count, c.provenance AS provenance",
    )
    sources = {row["id"] for row in query(settings, "MATCH (s:Source) RETURN s.id AS id")}
    redirects = {row["id"] for row in query(settings, "MATCH (d:Redirect) RETURN d.id AS id")}
    return {
        "entity_rows": entities,
        "entities": {row["id"]: row for row in entities if row["id"] is not None},
        "relationships": {(r["from"], r["type"], r["to"]): r for r in relationships},
        "relationship_rows": relationships,
        "changes": changes,
        "sources": sources,
        "redirects": redirects,
    }


def _check_ingestion(
    graph: dict[str, Any], ents: list[dict], rels: list[dict], acked: list[dict]
) -> dict[str, int]:
    """Every batch the ingestion would write (in its order: entities, then relationships,
    `BATCH` rows each) is in the graph whole or not at all, and every acknowledged one
    whole, each fact pointing at the Change of its batch."""
    keyed: list[tuple[str, list]] = []
    ent_keys: list[Any] = [e["id"] for e in ents]
    rel_keys: list[Any] = [(r["from"], r["type"], r["to"]) for r in rels]
    for target, keys in ((ENTITIES, ent_keys), (RELATIONSHIPS, rel_keys)):
        keyed += [(target, keys[i : i + BATCH]) for i in range(0, len(keys), BATCH)]
    by_first = {(target, keys[0]): keys for target, keys in keyed}
    acked_firsts = set()
    for batch in acked:
        keys = [k if isinstance(k, str) else tuple(k) for k in batch["keys"]]
        assert by_first.get((batch["target"], keys[0])) == keys, "an unknown batch acknowledged"
        acked_firsts.add((batch["target"], keys[0]))

    present_batches = present_rows = acked_rows = 0
    for target, keys in keyed:
        facts = graph["entities"] if target == ENTITIES else graph["relationships"]
        found = [facts[k] for k in keys if k in facts]
        acknowledged = (target, keys[0]) in acked_firsts
        acked_rows += len(keys) if acknowledged else 0
        where = f"the {target} batch starting at {keys[0]}"
        if acknowledged:
            assert len(found) == len(keys), f"{where} was acknowledged: {len(found)} found"
        assert len(found) in (0, len(keys)), f"{where} is half-written: {len(found)}"
        if found:
            present_batches += 1
            present_rows += len(found)
        for fact in found:
            assert len(fact["changes"] or ()) == 1, (where, fact)
            assert [p.split("|")[0] for p in fact["prov"]] == [f"{BULK}source"], (where, fact)
    ingest_changes = [c for c in graph["changes"] if c["via"] == "ingest"]
    assert sum(c["count"] for c in ingest_changes) == present_rows
    if present_rows:
        assert f"{BULK}source" in graph["sources"]
    return {
        "batches": len(keyed),
        "acked_batches": len(acked_firsts),
        "acked_rows": acked_rows,
        "present_batches": present_batches,
        "present_rows": present_rows,
    }


def _check_mutations(graph: dict[str, Any], sent: Mutations) -> dict[str, int]:
    """Every acknowledged mutation is there: the entity with the last value acknowledged
    (or one sent after it, whose answer the kill cut off), the relationship, the
    provenance, and as many Change records as writes (acknowledged at least)."""
    entity_changes: Counter = Counter()
    relationship_changes: Counter = Counter()
    for change in graph["changes"]:
        if change["via"] != "api":
            continue
        if change["target"] == "entity":
            entity_changes[change["subject"]] += 1
        else:
            relationship_changes[(change["subject"], change["type"], change["object"])] += 1
    entities = graph["entities"]
    acked_entity_writes = found = unacked = unacked_found = 0
    for entity_id, writes in sent.entity_writes.items():
        acked_at = [i for i, (_, ok) in enumerate(writes) if ok]
        acked_entity_writes += len(acked_at)
        unacked += len(writes) - len(acked_at)
        node = entities.get(entity_id)
        if not acked_at:
            if node is not None:
                unacked_found += 1
                assert node["memberCount"] in [value for value, _ in writes], node
            continue
        assert node is not None, f"{entity_id}: acknowledged, missing after the restart"
        allowed = [value for value, _ in writes[acked_at[-1] :]]
        assert node["memberCount"] in allowed, (entity_id, node, writes)
        assert node["kind"] == "ORGANIZATION", node
        assert node["name"] == f"Crash org {entity_id}", node
        assert any(p.startswith(f"{API_SOURCE}|") for p in node["prov"]), node
        assert len(acked_at) <= entity_changes[entity_id] <= len(writes), (
            entity_id,
            writes,
            entity_changes[entity_id],
        )
        # Writes after the last acknowledged one that were committed all the same.
        unacked_found += entity_changes[entity_id] - len(acked_at)
        found += len(acked_at)
    acked_relationships = 0
    for (start, end), ok in sent.relationships.items():
        key = (start, "MEMBER_OF", end)
        present = graph["relationships"].get(key)
        if not ok:
            unacked += 1
            unacked_found += present is not None
            continue
        acked_relationships += 1
        assert present is not None, f"{key}: acknowledged, missing after the restart"
        assert any(p.startswith(f"{API_SOURCE}|") for p in present["prov"]), present
        assert relationship_changes[key] == 1, (key, relationship_changes[key])
        found += 1
    assert acked_entity_writes + acked_relationships == sent.acknowledged
    return {
        "entities": acked_entity_writes,
        "relationships": acked_relationships,
        "found": found,
        "unacked": unacked,
        "unacked_found": unacked_found,
    }


def _check_integrity(graph: dict[str, Any]) -> None:
    """Nothing half-written anywhere in the graph."""
    sources = graph["sources"]
    for row in graph["entity_rows"]:
        for key in ("id", "kind", "name"):
            assert row[key], f"an entity without its {key}: {row}"
        assert Kind(row["kind"]).label in row["labels"], f"an entity without its label: {row}"
        assert row["prov"], f"an entity without provenance: {row}"
        for entry in row["prov"]:
            assert entry.split("|", 1)[0] in sources, f"{row['id']}: no source {entry}"
    for row in graph["relationship_rows"]:
        assert row["prov"], f"a relationship without provenance: {row}"
        for entry in row["prov"]:
            assert entry.split("|", 1)[0] in sources, f"{row}: no source {entry}"

    changes = {c["id"]: c for c in graph["changes"]}
    deleted = {c["subject"] for c in graph["changes"] if c["action"] == "delete"}
    references: Counter = Counter()
    for fact in [*graph["entity_rows"], *graph["relationship_rows"]]:
        for change_id in fact["changes"] or ():
            assert change_id in changes, f"{fact}: no Change {change_id}"
            references[change_id] += 1
    for change in graph["changes"]:
        if change["count"] is not None:  # a batch's: exactly its count of facts point at it
            assert references[change["id"]] == change["count"], change
        elif change["target"] == "entity":
            subject = change["subject"]
            assert (
                subject in graph["entities"] or subject in graph["redirects"] or subject in deleted
            ), f"a Change of a missing entity: {change}"
        else:
            triple = (change["subject"], change["type"], change["object"])
            assert (
                triple in graph["relationships"]
                or change["subject"] in deleted
                or (change["action"] == "delete")
            ), f"a Change of a missing relationship: {change}"


def _remove_what_was_written(settings: Settings) -> None:
    """The test's entities and Change records, in small transactions, so that the next
    run's wipe (one transaction) stays small."""
    for statement in (
        "MATCH (n:Entity) WHERE n.id STARTS WITH 'crash-' WITH n LIMIT 2000 DETACH DELETE n",
        "MATCH (c:Change) WHERE c.via IN ['api', 'ingest'] WITH c LIMIT 2000 DELETE c",
    ):
        for _ in range(100):
            [row] = query(settings, statement + " RETURN count(*) AS n")
            if row["n"] == 0:
                break


def _check_through_the_api(url: str, sent: Mutations) -> None:
    """The restarted service answers the last acknowledged entity of each client, with
    its history."""
    last: dict[str, tuple[int, str]] = {}
    for entity_id, writes in sent.entity_writes.items():
        if any(ok for _, ok in writes):
            client, step = entity_id.removeprefix(API).split("-")
            last[client] = max(last.get(client, (-1, "")), (int(step), entity_id))
    assert last, "no acknowledged entity"
    with httpx.Client(base_url=url, timeout=60) as http:
        for _, entity_id in last.values():
            body = http.post(
                "/graphql",
                json={
                    "query": "query ($id: ID!) { entity(id: $id) { id name } "
                    "history(id: $id) { action via } }",
                    "variables": {"id": entity_id},
                },
            ).json()
            assert not body.get("errors"), body
            assert body["data"]["entity"]["id"] == entity_id
            assert body["data"]["history"], body
