"""Facts as data (a source, entities, relationships), checked against the declared domain.

`check_document` returns every problem at once, so a bad file is reported whole and
nothing is written; `to_rows` turns a checked document into rows for the upserts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from graph.domain import (
    BOOL,
    COMMON_PROPERTIES,
    DATE,
    FLOAT,
    INT,
    KIND_PROPERTIES,
    RELATIONSHIP_TYPES,
    STRING,
    STRINGS,
    Kind,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCATORS = {"headline", "byline", "dateline", "caption"}


class InvalidFacts(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


def _type_ok(kind: str, value: Any) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == FLOAT:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == DATE:
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    if kind == STRINGS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def _check_properties(where: str, props: Any, allowed: dict[str, str]) -> list[str]:
    if not isinstance(props, dict):
        return [f"{where}: properties must be an object"]
    problems = []
    for key, value in props.items():
        if key not in allowed:
            problems.append(
                f"{where}: property {key!r} is not declared; allowed: {sorted(allowed)}"
            )
        elif value is not None and not _type_ok(allowed[key], value):
            problems.append(f"{where}: property {key!r} must be {allowed[key]}, got {value!r}")
    return problems


def _check_provenance(where: str, prov: Any) -> list[str]:
    if not isinstance(prov, list) or not prov:
        return [f"{where}: provenance must be a non-empty list"]
    problems = []
    for entry in prov:
        para, loc = (entry or {}).get("paragraph"), (entry or {}).get("locator")
        if para is None and loc is None:
            problems.append(f"{where}: a provenance entry needs a paragraph or a locator")
        if para is not None and (not isinstance(para, int) or para < 1):
            problems.append(f"{where}: paragraph must be a positive integer, got {para!r}")
        if loc is not None and (not isinstance(loc, str) or not loc.strip()):
            problems.append(f"{where}: locator must be a non-empty string")
    return problems


def check_document(doc: dict[str, Any], known_ids: set[str] | None = None) -> list[str]:
    problems: list[str] = []
    source = doc.get("source") or {}
    if not SLUG.match(str(source.get("id", ""))):
        problems.append("source.id must be a lowercase slug")
    if not source.get("title"):
        problems.append("source.title is required")
    if source.get("publishedOn") is not None and not _type_ok(DATE, source["publishedOn"]):
        problems.append("source.publishedOn must be an ISO date")

    kinds: dict[str, Kind] = {}
    for i, ent in enumerate(doc.get("entities", [])):
        where = f"entities[{i}] ({ent.get('id')})"
        if not SLUG.match(str(ent.get("id", ""))):
            problems.append(f"{where}: id must be a lowercase slug like 'bank-of-beijing'")
            continue
        if ent["id"] in kinds:
            problems.append(f"{where}: duplicate id")
        try:
            kind = Kind(ent.get("kind"))
        except ValueError:
            problems.append(f"{where}: kind must be one of {[k.value for k in Kind]}")
            continue
        kinds[ent["id"]] = kind
        if not isinstance(ent.get("name"), str) or not ent["name"].strip():
            problems.append(f"{where}: name is required")
        aliases = ent.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append(f"{where}: aliases must be a list of strings")
        allowed = {**COMMON_PROPERTIES, **KIND_PROPERTIES[kind]}
        problems += _check_properties(where, ent.get("properties", {}), allowed)
        problems += _check_provenance(where, ent.get("provenance"))

    for i, rel in enumerate(doc.get("relationships", [])):
        where = f"relationships[{i}] ({rel.get('from')} -{rel.get('type')}-> {rel.get('to')})"
        rtype = RELATIONSHIP_TYPES.get(rel.get("type", ""))
        if rtype is None:
            problems.append(f"{where}: type must be one of {sorted(RELATIONSHIP_TYPES)}")
            continue
        for end, allowed_kinds in (("from", rtype.sources), ("to", rtype.targets)):
            kind = kinds.get(rel.get(end))
            if kind is None:
                if known_ids is None or rel.get(end) not in known_ids:
                    problems.append(f"{where}: unknown {end} entity {rel.get(end)!r}")
            elif kind not in allowed_kinds:
                problems.append(
                    f"{where}: {rtype.name} {end} must be one of "
                    f"{[k.value for k in allowed_kinds]}, not {kind.value}"
                )
        problems += _check_properties(where, rel.get("properties", {}), rtype.properties)
        problems += _check_provenance(where, rel.get("provenance"))
    return problems


def _coerce(props: dict[str, Any], declared: dict[str, str]) -> dict[str, Any]:
    out = {}
    for key, value in props.items():
        if value is None:
            continue
        out[key] = dt.date.fromisoformat(value) if declared.get(key) == DATE else value
    return out


def _prov(source_id: str, entries: list[dict[str, Any]]) -> list[str]:
    return [f"{source_id}|{e.get('paragraph') or ''}|{e.get('locator') or ''}" for e in entries]


def to_rows(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[Kind, list], dict[str, list]]:
    """(source properties, entity rows by kind, relationship rows by type)."""
    source = dict(doc["source"])
    if source.get("publishedOn"):
        source["publishedOn"] = dt.date.fromisoformat(source["publishedOn"])
    source = {k: v for k, v in source.items() if v is not None}
    sid = source["id"]
    entities: dict[Kind, list] = defaultdict(list)
    for ent in doc.get("entities", []):
        kind = Kind(ent["kind"])
        declared = {**COMMON_PROPERTIES, **KIND_PROPERTIES[kind]}
        entities[kind].append(
            {
                "id": ent["id"],
                "name": ent["name"].strip(),
                "aliases": list(dict.fromkeys(a.strip() for a in ent.get("aliases", []))),
                "props": _coerce(ent.get("properties", {}), declared),
                "prov": _prov(sid, ent["provenance"]),
            }
        )
    rels: dict[str, list] = defaultdict(list)
    for rel in doc.get("relationships", []):
        declared = RELATIONSHIP_TYPES[rel["type"]].properties
        rels[rel["type"]].append(
            {
                "from": rel["from"],
                "to": rel["to"],
                "props": _coerce(rel.get("properties", {}), declared),
                "prov": _prov(sid, rel["provenance"]),
            }
        )
    return source, entities, rels
