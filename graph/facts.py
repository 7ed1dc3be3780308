"""Facts as data (sources, entities, relationships), checked against the declared domain.

Each record is checked on its own (`check_source`, `check_entity`, `check_relationship`,
then `check_endpoints` once every entity is known), returning reasons rather than raising,
so a bad file is reported whole and nothing is written. `check_facts` applies them to
one document (the seed's format: a source, its entities and relationships); `entity_row`
and `relationship_row` turn a checked record into a row for the upserts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from graph.domain import (
    BOOL,
    COMMON_PROPERTIES,
    DATE,
    FLOAT,
    INT,
    KIND_PROPERTIES,
    MONEY_COLUMNS,
    RELATIONSHIP_MONEY_COLUMNS,
    RELATIONSHIP_PROPERTIES,
    RELATIONSHIP_TYPES,
    STRING,
    STRINGS,
    Kind,
)
from graph.domain.model import MAINTAINED_PROPERTIES
from graph.matching.names import entity_keys
from graph.wording import all_of, one_of

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LOCATORS = {"headline", "byline", "dateline", "caption"}

ENTITY_FIELDS = frozenset({"id", "kind", "name", "aliases", "properties", "provenance"})
RELATIONSHIP_FIELDS = frozenset({"from", "type", "to", "properties", "provenance"})
PROVENANCE_FIELDS = frozenset({"source", "paragraph", "locator"})
SOURCE_PROPERTIES: dict[str, str] = {
    "title": STRING,
    "publisher": STRING,
    "publishedOn": DATE,
    "authors": STRINGS,
    "editors": STRINGS,
    "url": STRING,
    "section": STRING,
}
KIND_NAMES = [k.value for k in Kind]
# Every property a kind may carry: the common ones and its own.
DECLARED: dict[Kind, dict[str, str]] = {
    kind: {**COMMON_PROPERTIES, **KIND_PROPERTIES[kind]} for kind in Kind
}


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


def maintained(key: str) -> bool:
    """What the service keeps on every entity and relationship itself: an entity's id,
    kind, name and aliases (each a field of its own in a record; no domain may declare
    them as properties) and every `_` name (provenance, history, search and sort keys,
    locks). No row's properties may set them."""
    return key in MAINTAINED_PROPERTIES or key.startswith("_")


def _check_properties(props: Any, allowed: dict[str, str]) -> list[str]:
    if not isinstance(props, dict):
        return ["properties must be an object"]
    problems = []
    for key, value in props.items():
        if not isinstance(key, str) or maintained(key):
            problems.append(
                f"property {key!r} is kept by the service and cannot be set by a row "
                "(id, kind, name and aliases are fields of their own; names starting "
                "with '_' are internal)"
            )
        elif key not in allowed:
            problems.append(_undeclared(key, allowed))
        elif value is not None and not _type_ok(allowed[key], value):
            problems.append(f"property {key!r} must be {allowed[key]}, got {value!r}")
    return problems


def _check_provenance(prov: Any) -> list[str]:
    if not isinstance(prov, list) or not prov:
        return ["provenance must be a non-empty list"]
    problems = []
    for entry in prov:
        if not isinstance(entry, dict):
            problems.append(f"a provenance entry must be an object, got {entry!r}")
            continue
        para, loc, source = entry.get("paragraph"), entry.get("locator"), entry.get("source")
        unknown = set(entry) - PROVENANCE_FIELDS
        if unknown:
            problems.append(
                f"provenance {_fields(unknown)} not known; an entry has "
                f"{all_of(sorted(PROVENANCE_FIELDS))}"
            )
        if para is None and loc is None:
            problems.append("a provenance entry needs a paragraph or a locator")
        if para is not None and (not isinstance(para, int) or isinstance(para, bool) or para < 1):
            problems.append(f"paragraph must be a positive integer, got {para!r}")
        if loc is not None and (not isinstance(loc, str) or not loc.strip()):
            problems.append("locator must be a non-empty string")
        if source is not None and not (isinstance(source, str) and SLUG.match(source)):
            problems.append(f"provenance source must be a source id (a slug), got {source!r}")
    return problems


def _unknown_fields(record: dict[str, Any], allowed: frozenset[str]) -> list[str]:
    unknown = set(record) - allowed
    if not unknown:
        return []
    return [f"{_fields(unknown)} not known; a record has {all_of(sorted(allowed))}"]


def _fields(names: set[str]) -> str:
    """`field 'x' is` or `fields 'x' and 'y' are`."""
    quoted = all_of(repr(name) for name in sorted(names))
    return f"field {quoted} is" if len(names) == 1 else f"fields {quoted} are"


def _undeclared(key: str, allowed: Mapping[str, str]) -> str:
    if not allowed:
        return f"property {key!r} is not declared: this record takes no properties"
    return f"property {key!r} is not declared; the declared ones are {all_of(sorted(allowed))}"


def check_source(source: Any) -> list[str]:
    if not isinstance(source, dict):
        return ["a source must be an object"]
    problems = []
    if not SLUG.match(str(source.get("id", ""))):
        problems.append("id must be a lowercase slug")
    if not source.get("title"):
        problems.append("title is required")
    rest = {k: v for k, v in source.items() if k != "id"}
    return problems + _check_properties(rest, SOURCE_PROPERTIES)


def check_entity(ent: Any) -> list[str]:
    """What is wrong with one entity record on its own (its id, kind, name, aliases,
    properties and provenance)."""
    if not isinstance(ent, dict):
        return ["an entity must be an object"]
    if not SLUG.match(str(ent.get("id", ""))):
        return ["id must be a lowercase slug like 'bank-of-beijing'"]
    try:
        kind = Kind(str(ent.get("kind")))
    except ValueError:
        return [f"kind must be {one_of(KIND_NAMES)}, got {ent.get('kind')!r}"]
    problems = _unknown_fields(ent, ENTITY_FIELDS)
    if not isinstance(ent.get("name"), str) or not ent["name"].strip():
        problems.append("name is required")
    aliases = ent.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        problems.append("aliases must be a list of strings")
    problems += _check_properties(ent.get("properties", {}), DECLARED[kind])
    problems += _check_money(ent.get("properties", {}), MONEY_COLUMNS[kind])
    problems += _check_provenance(ent.get("provenance"))
    return problems


CURRENCY = re.compile(r"^[A-Z]{3}$")


def _check_money(props: Any, columns: tuple[tuple[str, str], ...]) -> list[str]:
    """Money is an amount and an ISO 4217 currency, given together (graph.domain)."""
    if not isinstance(props, dict):
        return []
    problems = []
    for amount, currency in columns:
        code = props.get(currency)
        if code is not None and props.get(amount) is None:
            problems.append(f"{currency!r} is the currency of {amount!r}: give the amount too")
        if isinstance(code, str) and not CURRENCY.match(code):
            problems.append(
                f"{currency!r} must be an ISO 4217 currency code such as 'CNY', got {code!r}"
            )
    return problems


def check_relationship(rel: Any) -> list[str]:
    """What is wrong with one relationship record on its own; its ends are checked by
    `check_endpoints` once every entity is known."""
    if not isinstance(rel, dict):
        return ["a relationship must be an object"]
    rtype = RELATIONSHIP_TYPES.get(rel.get("type") or "")
    if rtype is None:
        return [f"type must be {one_of(sorted(RELATIONSHIP_TYPES))}, got {rel.get('type')!r}"]
    problems = _unknown_fields(rel, RELATIONSHIP_FIELDS)
    for end in ("from", "to"):
        if not isinstance(rel.get(end), str) or not rel[end]:
            problems.append(f"{end} must be an entity id")
    problems += _check_properties(rel.get("properties", {}), RELATIONSHIP_PROPERTIES[rtype.name])
    problems += _check_money(rel.get("properties", {}), RELATIONSHIP_MONEY_COLUMNS[rtype.name])
    problems += _check_provenance(rel.get("provenance"))
    return problems


def check_endpoints(rel: dict[str, Any], kinds: Mapping[str, Kind | None]) -> list[str]:
    """`kinds`: every known entity id, with its kind (None when known to exist but of an
    unknown kind)."""
    rtype = RELATIONSHIP_TYPES[rel["type"]]
    problems = []
    for end, allowed_kinds in (("from", rtype.sources), ("to", rtype.targets)):
        entity_id = rel.get(end)
        if not isinstance(entity_id, str) or entity_id not in kinds:
            problems.append(f"unknown {end} entity {entity_id!r}")
            continue
        kind = kinds[entity_id]
        if kind is not None and kind not in allowed_kinds:
            problems.append(
                f"the {end} entity of {rtype.name} must be of kind "
                f"{one_of(allowed_kinds)}, not {kind.value}"
            )
    return problems


def in_a_document(section: str, index: int, record: Any) -> str:
    """Where a record is in a document, for `check_facts`: `source`, `entities[3] (id)`,
    `relationships[0] (a -TYPE-> b)`."""
    if section == "entities":
        return f"entities[{index}] ({record.get('id')})"
    if section == "relationships":
        return (
            f"relationships[{index}] "
            f"({record.get('from')} -{record.get('type')}-> {record.get('to')})"
        )
    return section


def check_facts(
    doc: dict[str, Any],
    known_ids: set[str] | None = None,
    where: Callable[[str, int, Any], str] = in_a_document,
) -> list[str]:
    """Every problem of a document, each prefixed by where it is: `where(section, index,
    record)`, a place in the document by default (`entities[3] (id)`); a mutation names
    its arguments instead. `known_ids`: entities that exist already, which relationships
    may join."""
    problems = [
        f"{where('source', 0, doc.get('source'))}: {p}"
        for p in check_source(doc.get("source") or {})
    ]
    kinds: dict[str, Kind | None] = dict.fromkeys(known_ids or ())
    seen: set[str] = set()
    for i, ent in enumerate(doc.get("entities", [])):
        place = where("entities", i, ent)
        found = check_entity(ent)
        problems += [f"{place}: {p}" for p in found]
        if ent.get("id") in seen:
            problems.append(f"{place}: duplicate id")
        seen.add(ent.get("id"))
        if ent.get("kind") in KIND_NAMES and SLUG.match(str(ent.get("id", ""))):
            kinds[ent["id"]] = Kind(ent["kind"])
    for i, rel in enumerate(doc.get("relationships", [])):
        found = check_relationship(rel)
        if rel.get("type") in RELATIONSHIP_TYPES:
            found += check_endpoints(rel, kinds)
        problems += [f"{where('relationships', i, rel)}: {p}" for p in found]
    return problems


def _coerce(props: dict[str, Any], declared: dict[str, str]) -> dict[str, Any]:
    """A checked record's properties as stored. The last guard before a write: a
    property the service keeps (`maintained`) never reaches the graph, even from a row
    that somehow skipped its check."""
    out = {}
    for key, value in props.items():
        if maintained(key) or key not in declared:
            raise InvalidFacts([f"property {key!r} may not be written (unchecked row?)"])
        if value is None:
            continue
        out[key] = dt.date.fromisoformat(value) if declared.get(key) == DATE else value
    return out


def provenance_entries(entries: list[dict[str, Any]], default_source: str | None) -> list[str]:
    """Provenance as stored: `source|paragraph|locator` strings."""
    return [
        f"{e.get('source') or default_source}|{e.get('paragraph') or ''}|{e.get('locator') or ''}"
        for e in entries
    ]


def source_row(source: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in source.items() if v is not None}
    if row.get("publishedOn"):
        row["publishedOn"] = dt.date.fromisoformat(row["publishedOn"])
    return row


def entity_row(ent: dict[str, Any], default_source: str | None = None) -> dict[str, Any]:
    """A checked entity as a row for `writes.upsert_entities`, with the blocking keys of
    its names for the duplicate finder (graph/matching/names.py)."""
    name = ent["name"].strip()
    aliases = list(dict.fromkeys(a.strip() for a in ent.get("aliases") or ()))
    props = _coerce(ent.get("properties") or {}, DECLARED[Kind(ent["kind"])])
    name_zh = props.get("nameZh")
    return {
        "id": ent["id"],
        "name": name,
        "aliases": aliases,
        "props": props,
        "prov": provenance_entries(ent["provenance"], default_source),
        "keys": entity_keys(name, aliases, name_zh if isinstance(name_zh, str) else None),
    }


def relationship_row(rel: dict[str, Any], default_source: str | None = None) -> dict[str, Any]:
    """A checked relationship as a row for `writes.upsert_relationships`."""
    declared = RELATIONSHIP_PROPERTIES[rel["type"]]
    return {
        "from": rel["from"],
        "to": rel["to"],
        "props": _coerce(rel.get("properties") or {}, declared),
        "prov": provenance_entries(rel["provenance"], default_source),
    }


def to_rows(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[Kind, list], dict[str, list]]:
    """(source properties, entity rows by kind, relationship rows by type)."""
    source = source_row(doc["source"])
    sid = source["id"]
    entities: dict[Kind, list] = defaultdict(list)
    for ent in doc.get("entities", []):
        entities[Kind(ent["kind"])].append(entity_row(ent, sid))
    rels: dict[str, list] = defaultdict(list)
    for rel in doc.get("relationships", []):
        rels[rel["type"]].append(relationship_row(rel, sid))
    return source, entities, rels
