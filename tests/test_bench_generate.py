"""The benchmark's graph generator (bench/generate.py): deterministic, valid against the
declared domain, about ten relationships per entity with heavy-tailed degrees, and
bilingual names. Cheap: a few thousand entities, no database."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import orjson
import pytest

from bench.generate import write
from graph.domain import RELATIONSHIP_TYPES, Kind
from graph.facts import check_endpoints, check_entity, check_relationship, check_source

N = 2000
CJK = re.compile(r"[\u4e00-\u9fff]")


def _records(path: Path) -> tuple[list[dict], list[dict], list[dict]]:
    sources, entities, rels = [], [], []
    for line in path.read_bytes().splitlines():
        record = orjson.loads(line)
        if record.get("record") == "source":
            sources.append(record)
        elif "from" in record:
            rels.append(record)
        else:
            entities.append(record)
    return sources, entities, rels


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict, tuple]:
    path = tmp_path_factory.mktemp("bench") / "graph.jsonl"
    done = write(path, N, degree=10.0, seed=7)
    return path, done.meta, _records(path)


def test_the_same_seed_gives_the_same_file(generated, tmp_path):
    path, _, _ = generated
    again = tmp_path / "again.jsonl"
    write(again, N, degree=10.0, seed=7)
    assert again.read_bytes() == path.read_bytes()
    other = tmp_path / "other.jsonl"
    write(other, N, degree=10.0, seed=8)
    assert other.read_bytes() != path.read_bytes()


def test_every_record_is_valid_for_the_domain(generated):
    _, _, (sources, entities, rels) = generated
    for source in sources:
        assert check_source({k: v for k, v in source.items() if k != "record"}) == []
    kinds = {}
    for entity in entities:
        assert check_entity(entity) == [], entity
        kinds[entity["id"]] = Kind(entity["kind"])
    assert len(kinds) == len(entities) == N  # ids are unique
    cited = {s["id"] for s in sources}
    seen = set()
    for rel in rels:
        assert check_relationship(rel) == [], rel
        assert check_endpoints(rel, kinds) == [], rel
        assert all(p["source"] in cited for p in rel["provenance"])
        key = (rel["from"], rel["type"], rel["to"])
        assert key not in seen
        seen.add(key)


def test_kinds_and_types_of_the_seed_at_about_ten_relationships_each(generated):
    _, meta, (_, entities, rels) = generated
    assert {e["kind"] for e in entities} == {k.value for k in Kind}
    used = {r["type"] for r in rels}
    assert len(used) >= len(RELATIONSHIP_TYPES) - 1
    assert 9.0 * N <= len(rels) <= 10.5 * N
    assert meta["relationships"] == len(rels)


def test_degrees_are_heavy_tailed(generated):
    _, meta, (_, _, rels) = generated
    degree = Counter()
    for rel in rels:
        degree[rel["from"]] += 1
        degree[rel["to"]] += 1
    ranked = sorted(degree.values(), reverse=True)
    top = ranked[: N // 100]
    assert sum(top) / (2 * len(rels)) > 0.15  # the top 1% hold a large share
    assert ranked[0] > 30 * (2 * len(rels) / N)  # the biggest hub, far above the mean
    median = ranked[len(ranked) // 2]
    assert median <= 2 * len(rels) / N  # most entities are small
    assert meta["hubBank"].startswith("bank-of-beijing")


def test_names_amounts_dates_and_provenance_look_real(generated):
    _, _, (_, entities, _) = generated
    people = [e for e in entities if e["kind"] == "PERSON"]
    assert sum(bool(CJK.search(" ".join(p["aliases"]))) for p in people) > 0.9 * len(people)
    banks = [e for e in entities if e["kind"] == "BANK"]
    assert any(b["name"] == "Bank of Beijing" and "北京银行" in b["aliases"] for b in banks)
    credits = [e["properties"] for e in entities if e["kind"] == "CREDIT"]
    assert all(c["amount"] > 0 and c["currency"] in {"CNY", "USD", "EUR"} for c in credits)
    assert len({c["amount"] for c in credits}) > len(credits) // 2
    agreements = [e["properties"] for e in entities if e["kind"] == "AGREEMENT"]
    assert all(re.fullmatch(r"20\d\d-\d\d-\d\d", a["signedOn"]) for a in agreements)
    assert all(e["provenance"] and e["provenance"][0]["paragraph"] >= 1 for e in entities)
