"""Claims: every property value of an entity or relationship, with the sources that
assert it (README.md, "Claims and conflicts").

A fact keeps one entry per (property, value, provenance entry) in `_claims`, each the
string `property<US>value<US>source|paragraph|locator` (US = the ASCII unit separator,
which no JSON text, property name or provenance entry holds). The value is its canonical
JSON: money as {"amount", "currency"} (one claim, so 1,000 CNY and 1,000 USD differ and a
source's own conversion is a claim about the converted money, not about the original),
numbers with no fraction as integers (a source's 1e8 and another's 100000000 agree),
dates as ISO text. Asserting the same value again from another source adds an entry;
a different value adds a second claim beside the first, never replacing it.

The plain field shows one value per property: the one with most distinct sources, ties
going to the value that was asserted most recently; a value an editor chose when
resolving a conflict (`_pinned`, entries `property<US>value`) stays shown whatever the
counts. Names and aliases are claims too; aliases are many-valued, so they never
conflict. Pure code: the Cypher that applies these rules is in graph/cypher/writes.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.domain import (
    DATE,
    DECLS,
    DOMAIN,
    KIND_PROPERTIES,
    RELATIONSHIP_PROPERTIES,
    RELATIONSHIP_TYPES,
    Money,
    Property,
)

SEP = "\x1f"
NAME, ALIASES = "name", "aliases"


@dataclass(frozen=True, slots=True)
class Group:
    """A property as a claim: its name and the stored columns its value spans."""

    name: str
    columns: tuple[str, ...]
    money: bool = False


def _groups(properties: tuple[Property | Money, ...]) -> dict[str, Group]:
    out: dict[str, Group] = {}
    for p in properties:
        if isinstance(p, Money):
            for m in (p, p.converted) if p.converted else (p,):
                out[m.name] = Group(m.name, m.columns, money=True)
        else:
            out[p.name] = Group(p.name, (p.stored,))
    return out


# Every kind's properties, those every kind may carry (nameZh, note, ...) included: a
# property without a group is neither claimed nor written.
ENTITY_GROUPS: dict[str, dict[str, Group]] = {
    name: {
        NAME: Group(NAME, (NAME,)),
        **_groups(DOMAIN.common),
        **_groups(decl.all_properties()),
    }
    for name, decl in DECLS.items()
}
RELATIONSHIP_GROUPS: dict[str, dict[str, Group]] = {
    name: _groups(rtype.properties) for name, rtype in RELATIONSHIP_TYPES.items()
}


def groups_of(kind_or_type: str) -> dict[str, Group]:
    return ENTITY_GROUPS.get(kind_or_type) or RELATIONSHIP_GROUPS.get(kind_or_type) or {}


def source_of(entry: str) -> str:
    """The source id of a provenance entry (`source|paragraph|locator`)."""
    return entry.split("|", 1)[0]


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "iso_format"):  # the driver's neo4j.time values
        return value.iso_format()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return str(value)


def canonical(value: Any) -> str:
    """A value's canonical JSON text, the form claims are compared in."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def value_key(group: Group, values: Mapping[str, Any]) -> str | None:
    """The canonical text of a group's value in `values` (stored columns), or None when
    the fact does not hold it."""
    if group.money:
        amount, currency = group.columns
        if values.get(amount) is None:
            return None
        return canonical({"amount": values[amount], "currency": values.get(currency)})
    [column] = group.columns
    if values.get(column) is None:
        return None
    return canonical(values[column])


def row_claims(
    kind_or_type: str,
    props: Mapping[str, Any],
    prov: list[str],
    name: str | None = None,
    aliases: list[str] | tuple[str, ...] = (),
    target: str = "",
    supersede: bool = False,
) -> list[dict[str, Any]]:
    """The claims a write row makes, as the upsert reads them: for each property it
    gives, `entries` (one per provenance entry), `prefix` (what every entry of that
    property starts with), `value` (the entries' common start), `set` (the columns to
    write when this value is the one shown), `multi` (aliases: never in conflict) and
    `conflict` (the id of the property's Conflict node, `target#property`). With
    `supersede` (a source's new release, such as the seed's), the claims replace what the
    same `source` said of each property before, instead of adding to it."""
    source = source_of(prov[0]) if prov else ""
    values = {**props, NAME: name} if name is not None else dict(props)
    out = []
    for group in groups_of(kind_or_type).values():
        key = value_key(group, values)
        if key is None:
            continue
        value = f"{group.name}{SEP}{key}{SEP}"
        out.append(
            {
                "prefix": group.name + SEP,
                "value": value,
                "entries": [value + p for p in prov],
                "set": {c: values.get(c) for c in group.columns},
                "multi": False,
                "conflict": f"{target}#{group.name}",
                "supersede": supersede,
                "source": source,
            }
        )
    for alias in aliases:
        value = f"{ALIASES}{SEP}{canonical(alias)}{SEP}"
        out.append(
            {
                "prefix": ALIASES + SEP,
                "value": value,
                "entries": [value + p for p in prov],
                "set": {},
                "multi": True,
                "conflict": "",
                "supersede": False,
                "source": source,
            }
        )
    return out


@dataclass(slots=True)
class Claim:
    """One value of one property, with every provenance entry that asserts it (in the
    order they were asserted)."""

    name: str  # the property
    key: str
    provenance: list[str] = field(default_factory=list)
    status: str = "ALTERNATIVE"  # SHOWN, ALTERNATIVE or REJECTED
    last: int = 0  # position of its latest assertion

    @property
    def value(self) -> Any:
        return json.loads(self.key)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.split("|", 1)[0] for p in self.provenance))


def claims_of(props: Mapping[str, Any], kind_or_type: str) -> dict[str, list[Claim]]:
    """A fact's claims by property (in declaration order, then aliases), each property's
    values in the order first asserted, with their status: the value the fact shows is
    SHOWN; under an editor's resolution the others are REJECTED, else ALTERNATIVE."""
    by_property: dict[str, dict[str, Claim]] = {}
    for i, entry in enumerate(props.get("_claims") or ()):
        parts = entry.split(SEP, 2)
        if len(parts) != 3:
            continue
        prop, key, prov = parts
        claim = by_property.setdefault(prop, {}).setdefault(key, Claim(prop, key))
        claim.provenance.append(prov)
        claim.last = i
    pinned = {p: k for p, _, k in (e.partition(SEP) for e in props.get("_pinned") or ()) if p and k}
    groups = groups_of(kind_or_type)
    order = [*groups, ALIASES]
    out: dict[str, list[Claim]] = {}
    for prop in sorted(
        by_property, key=lambda p: (order.index(p) if p in order else len(order), p)
    ):
        claims = list(by_property[prop].values())
        group = groups.get(prop)
        shown = value_key(group, props) if group is not None else None
        for claim in claims:
            if prop == ALIASES:
                claim.status = (
                    "SHOWN" if claim.value in (props.get(ALIASES) or ()) else "ALTERNATIVE"
                )
            elif claim.key == shown:
                claim.status = "SHOWN"
            elif prop in pinned:
                claim.status = "REJECTED"
        out[prop] = claims
    return out


def claimed_columns(
    props: Mapping[str, Any], kind_or_type: str
) -> dict[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """Every value sources claim for each property but the name (and aliases), by the
    columns the property spans, each value as those columns' values (money as (amount,
    currency), dates as ISO text): what the duplicate finder compares
    (graph.matching.scoring). Values an editor rejected are left out."""
    groups = groups_of(kind_or_type)
    out: dict[tuple[str, ...], tuple[tuple[Any, ...], ...]] = {}
    for prop, found in claims_of(props, kind_or_type).items():
        group = groups.get(prop)
        if group is None or prop == NAME:
            continue
        out[group.columns] = tuple(
            (c.value["amount"], c.value["currency"]) if group.money else (c.value,)
            for c in found
            if c.status != "REJECTED"
        )
    return out


def contested(props: Mapping[str, Any], kind_or_type: str) -> list[str]:
    """The properties that sources give more than one value for (resolved or not)."""
    return [
        prop
        for prop, claims in claims_of(props, kind_or_type).items()
        if prop != ALIASES and len(claims) > 1
    ]


def contested_values(props: Mapping[str, Any], kind_or_type: str) -> list[dict[str, Any]]:
    """[{property, values}] for each contested property, each value as the upserts write
    it (`property<US>value<US>`): what graph.cypher.conflicts.sync_conflicts takes."""
    return [
        {"property": prop, "values": [f"{prop}{SEP}{c.key}{SEP}" for c in found]}
        for prop, found in claims_of(props, kind_or_type).items()
        if prop != ALIASES and len(found) > 1
    ]


def merged(survivor: Mapping[str, Any], gone: Mapping[str, Any]) -> list[str]:
    """The survivor's claims after a merge: its own, then the merged entity's, whose
    name claims become alias claims (its name becomes an alias of the survivor's)."""
    out = list(survivor.get("_claims") or [])
    seen = set(out)
    for entry in gone.get("_claims") or ():
        if entry.startswith(NAME + SEP):
            entry = ALIASES + entry[len(NAME) :]
        if entry not in seen:
            seen.add(entry)
            out.append(entry)
    return out


def columns_of(kind_or_type: str, group: Group, value: Any) -> dict[str, Any]:
    """A claimed value (as `Claim.value` decodes it) as the stored columns it spans,
    typed as stored (dates as dates)."""
    if group.money:
        amount, currency = group.columns
        return {amount: value["amount"], currency: value["currency"]}
    [column] = group.columns
    types = KIND_PROPERTIES.get(kind_or_type) or RELATIONSHIP_PROPERTIES.get(kind_or_type) or {}
    if types.get(column) == DATE and isinstance(value, str):
        return {column: dt.date.fromisoformat(value)}
    return {column: value}


def reshown(props: dict[str, Any], kind_or_type: str, before: Mapping[str, Any]) -> dict[str, Any]:
    """`props` (a fact whose `_claims` changed other than by an upsert) with each
    property showing the value the rule picks from the claims left: the pinned one while
    it has a claim, else the one with most distinct sources, ties to the most recently
    asserted. A property with no claim left goes, but for the name, which stays. Aliases
    keep those with a claim left and those that never had one (`before`: the fact as it
    was, to tell them apart)."""
    out = dict(props)
    found = claims_of(props, kind_or_type)
    pinned = {p: k for p, _, k in (e.partition(SEP) for e in props.get("_pinned") or ()) if p and k}
    for name, group in groups_of(kind_or_type).items():
        given = found.get(name) or []
        if not given:
            if name != NAME:
                out.update(dict.fromkeys(group.columns))
            continue
        keys = {c.key for c in given}
        if pinned.get(name) in keys:
            winner = next(c for c in given if c.key == pinned[name])
        else:
            winner = max(given, key=lambda c: (len(c.sources), c.last))
        out.update(columns_of(kind_or_type, group, winner.value))
    # A choice between values that no longer differ is no choice: its pin goes.
    kept_pins = [e for e in props.get("_pinned") or () if len(found.get(e.split(SEP)[0]) or []) > 1]
    if kept_pins:
        out["_pinned"] = kept_pins
    else:
        out.pop("_pinned", None)
    if ALIASES in props or ALIASES in found:
        had = {c.key for c in claims_of(before, kind_or_type).get(ALIASES) or []}
        left = [c.value for c in found.get(ALIASES) or []]
        kept = [a for a in props.get(ALIASES) or [] if a in left or canonical(a) not in had]
        out[ALIASES] = kept + [a for a in left if a not in kept]
    return {k: v for k, v in out.items() if v is not None}


def without_source(props: Mapping[str, Any], kind_or_type: str, source: str) -> dict[str, Any]:
    """The fact with everything `source` asserted taken off: its provenance entries, its
    claims, and the values shown only on its word."""
    taken = {
        **props,
        "_prov": [p for p in props.get("_prov") or [] if source_of(p) != source],
        "_claims": [
            e for e in props.get("_claims") or [] if source_of(e.split(SEP, 2)[-1]) != source
        ],
        # Who set each property (graph/cypher/writes.py, `property|source|via`).
        "_setBy": [e for e in props.get("_setBy") or [] if e.split("|")[1:2] != [source]],
    }
    return reshown(taken, kind_or_type, props)


def with_source_again(
    props: Mapping[str, Any], kind_or_type: str, snapshot: Mapping[str, Any], source: str
) -> dict[str, Any]:
    """The fact with `source`'s provenance and claims from `snapshot` (the fact as it
    was before the source was retracted) given back."""
    prov = list(props.get("_prov") or [])
    prov += [p for p in snapshot.get("_prov") or [] if source_of(p) == source and p not in prov]
    entries = list(props.get("_claims") or [])
    entries += [
        e
        for e in snapshot.get("_claims") or []
        if source_of(e.split(SEP, 2)[-1]) == source and e not in entries
    ]
    aliases = list(props.get(ALIASES) or [])
    aliases += [a for a in snapshot.get(ALIASES) or [] if a not in aliases]
    given = {**props, "_prov": prov, "_claims": entries}
    if ALIASES in snapshot:
        given[ALIASES] = aliases
    return reshown(given, kind_or_type, given)
