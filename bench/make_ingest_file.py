"""Writes a generated file of facts for `python -m graph.cli ingest`, to measure its rate.

    python bench/make_ingest_file.py --entities 200000 --relationships 500000 \
        --out /tmp/bench.jsonl                     # one JSON Lines file
    python bench/make_ingest_file.py ... --csv /tmp/bench   # entities.csv,
        # relationships.csv and source.json (for --source-file) in that folder

Every id starts with the prefix (default `bench-`), the facts cite one source of their
own, and no relationship touches an entity outside the file. The same arguments give
the same file. Relationships are unique (from, type, to), so a first run creates exactly
as many as there are lines.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

# Kind -> share of the entities.
KINDS = {
    "ORGANIZATION": 0.40,
    "BANK": 0.05,
    "PERSON": 0.25,
    "PATENT": 0.15,
    "CREDIT": 0.08,
    "AGREEMENT": 0.03,
    "EVENT": 0.03,
    "PLACE": 0.01,
}
ORGS = ("ORGANIZATION", "BANK")
# Relationship type -> (from kinds, to kinds, weight).
TYPES = {
    "HOLDS_POSITION": (("PERSON",), ORGS, 4),
    "OWNS": (ORGS, ("PATENT",), 3),
    "SECURES": (("PATENT",), ("CREDIT",), 2),
    "LENT": (("BANK",), ("CREDIT",), 1),
    "BORROWED": (("ORGANIZATION",), ("CREDIT",), 1),
    "PARTY_TO": (ORGS, ("AGREEMENT",), 2),
    "UNDER": (("CREDIT",), ("AGREEMENT",), 1),
    "MEMBER_OF": (("ORGANIZATION",), ("ORGANIZATION",), 2),
    "LOCATED_IN": (ORGS, ("PLACE",), 2),
    "ATTENDED": (("PERSON",), ("EVENT",), 2),
    "ORGANIZED": (ORGS, ("EVENT",), 1),
}
WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "quantum",
    "photon",
    "robot",
    "data",
    "bio",
    "energy",
    "semi",
    "micro",
]


def _properties(kind: str, rng: random.Random) -> dict:
    if kind == "ORGANIZATION":
        return {
            "orgType": rng.choice(["company", "institute", "agency"]),
            "memberCount": rng.randint(1, 500),
        }
    if kind == "BANK":
        return {"bankType": "commercial"}
    if kind == "PERSON":
        return {"anonymous": rng.random() < 0.1}
    if kind == "PATENT":
        return {"patentNumber": f"CN{rng.randint(10**8, 10**9)}", "itemised": True}
    if kind == "CREDIT":
        return {"amount": float(rng.randint(1, 1000) * 10**5), "currency": "CNY"}
    if kind == "AGREEMENT":
        return {"signedOn": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"}
    if kind == "EVENT":
        return {
            "date": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}",
            "attendeeGroups": ["banks", "firms"],
        }
    return {"placeType": "city", "country": "China"}


def generate(entities: int, relationships: int, prefix: str, seed: int = 1):
    """(source, entity dicts, relationship dicts) in the JSON Lines shape."""
    rng = random.Random(seed)
    source_id = f"{prefix}source"
    source = {
        "record": "source",
        "id": source_id,
        "title": "Generated facts for measuring bulk ingestion",
        "publisher": "bench/make_ingest_file.py",
        "publishedOn": "2024-06-01",
        "authors": ["Bench"],
    }
    by_kind: dict[str, list[str]] = {k: [] for k in KINDS}
    ents = []
    kinds = list(KINDS)
    weights = list(KINDS.values())
    for i in range(entities):
        kind = kinds[i % len(kinds)] if i < len(kinds) else rng.choices(kinds, weights)[0]
        entity_id = f"{prefix}{kind.lower()}-{i}"
        by_kind[kind].append(entity_id)
        words = rng.sample(WORDS, 2)
        ents.append(
            {
                "id": entity_id,
                "kind": kind,
                "name": f"{words[0].title()} {words[1].title()} {kind.title()} {i}",
                "aliases": [f"{words[0]}-{i}"],
                "properties": _properties(kind, rng),
                "provenance": [{"source": source_id, "paragraph": 1 + i % 40}],
            }
        )
    type_names = list(TYPES)
    type_weights = [TYPES[t][2] for t in type_names]
    seen: set[tuple[str, str, str]] = set()
    rels = []
    while len(rels) < relationships:
        rel_type = rng.choices(type_names, type_weights)[0]
        sources, targets, _ = TYPES[rel_type]
        start = rng.choice(by_kind[rng.choice(sources)] or by_kind["ORGANIZATION"])
        end = rng.choice(by_kind[rng.choice(targets)] or by_kind["ORGANIZATION"])
        key = (start, rel_type, end)
        if start == end or key in seen:
            continue
        seen.add(key)
        props = {"title": "Director"} if rel_type == "HOLDS_POSITION" else {}
        rels.append(
            {
                "from": start,
                "type": rel_type,
                "to": end,
                "properties": props,
                "provenance": [{"source": source_id, "locator": f"p. {1 + len(rels) % 300}"}],
            }
        )
    return source, ents, rels


def write_jsonl(path: Path, source: dict, ents: list[dict], rels: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for obj in (source, *ents, *rels):
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def write_csv(folder: Path, source: dict, ents: list[dict], rels: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "source.json").write_text(
        json.dumps({k: v for k, v in source.items() if k != "record"}), encoding="utf-8"
    )
    props = sorted({p for e in ents for p in e["properties"]})
    with (folder / "entities.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "kind", "name", "aliases", "source", "paragraph", "locator", *props])
        for e in ents:
            [prov] = e["provenance"]
            cells = []
            for p in props:
                value = e["properties"].get(p)
                cells.append(
                    "|".join(value)
                    if isinstance(value, list)
                    else ""
                    if value is None
                    else str(value).lower()
                    if isinstance(value, bool)
                    else value
                )
            writer.writerow(
                [
                    e["id"],
                    e["kind"],
                    e["name"],
                    "|".join(e["aliases"]),
                    prov["source"],
                    prov.get("paragraph", ""),
                    prov.get("locator", ""),
                    *cells,
                ]
            )
    with (folder / "relationships.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["from", "type", "to", "source", "paragraph", "locator", "title"])
        for r in rels:
            [prov] = r["provenance"]
            writer.writerow(
                [
                    r["from"],
                    r["type"],
                    r["to"],
                    prov["source"],
                    prov.get("paragraph", ""),
                    prov.get("locator", ""),
                    r["properties"].get("title", ""),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--relationships", type=int, default=500_000)
    parser.add_argument("--prefix", default="bench-")
    parser.add_argument("--seed", type=int, default=1)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="a JSON Lines file to write")
    where.add_argument(
        "--csv", type=Path, help="a folder for entities.csv, relationships.csv, source.json"
    )
    args = parser.parse_args()
    source, ents, rels = generate(args.entities, args.relationships, args.prefix, args.seed)
    if args.out:
        write_jsonl(args.out, source, ents, rels)
    else:
        write_csv(args.csv, source, ents, rels)
    print(f"{len(ents)} entities, {len(rels)} relationships")


if __name__ == "__main__":
    main()
