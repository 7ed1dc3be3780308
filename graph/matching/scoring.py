"""The score of a candidate pair of entities, and the signals it is made of.

    score = name + neighbours + properties + link, kept within 0 and 1

- **name** (up to `NAME_WEIGHT`): the best similarity (graph.matching.similarity) between
  any name, alias or Chinese name of one and any of the other. A name shared exactly by
  many entities of the kind says little about any two of them ("Wang Jian"): it counts
  `2 / count` of its weight when `count` entities carry it.
- **neighbours** (from `-DISJOINT` to `NEIGHBOUR_WEIGHT`): the entities both are related
  to, as a share of the fewer relationships either has (a shared hub counts less,
  `neighbour_weight`): sharing none while both have relationships counts against.
- **properties** (up to `+AGREE_CAP`, down to `-CONFLICT_CAP`): the properties both
  hold, compared claim by claim (graph/claims.py): a value some source claims for each
  agrees, even where one of them shows another; a property whose claimed values are
  disjoint conflicts. Dates, numbers, money (same currency), codes (a text with digits
  and no spaces, such as a patent number) and Chinese names conflict strongly; other
  short texts weakly; long free text is not compared.
- **link** (`LINKED`, negative): a relationship between the two says they are two
  things (a unit and its parent, a lender and a borrower).

Every signal comes with what it saw, in words, so an editor can judge the pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graph.matching import names as naming
from graph.matching.names import fold, read
from graph.matching.similarity import NO_MATCH, NameMatch, abbreviates, compare

NAME_WEIGHT = 0.7
NEIGHBOUR_WEIGHT = 0.3
AGREE_STRONG, AGREE_WEAK, AGREE_CAP = 0.05, 0.02, 0.1
CONFLICT_STRONG, CONFLICT_WEAK, CONFLICT_CAP = 0.25, 0.05, 0.5
LINKED = -0.3
# Both have relationships and not one entity in common: two things, more likely.
DISJOINT = 0.1
# An abbreviation that is the initials of its own entity's name, for another entity.
OWNED_ABBREVIATION = 0.3
# Free text longer than this (descriptions, purposes) is not compared.
MAX_COMPARED_TEXT = 60
# Properties that describe rather than identify, never compared.
NOT_COMPARED = frozenset({"description", "note"})

# The threshold `duplicateCandidates` uses unless asked for another: where precision
# stays at or above 0.9 on the planted benchmark (bench/duplicates.py, README.md).
DEFAULT_THRESHOLD = 0.65


@dataclass(frozen=True)
class Side:
    """One entity of a pair, as the scorer needs it. `properties`: its public properties
    as shown (money as its stored amount and currency columns); `claimed`: every value
    its sources claim for a property (graph.claims.claimed_columns), by the columns the
    property spans, e.g. {("amount", "currency"): ((1e8, "CNY"), (1.2e8, "CNY"))};
    without it only the values shown are compared. `degree`: its relationships."""

    id: str
    kind: str
    name: str
    aliases: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)
    degree: int = 0
    claimed: Mapping[tuple[str, ...], tuple[tuple[Any, ...], ...]] = field(default_factory=dict)

    def shown(self, columns: tuple[str, ...]) -> tuple[Any, ...] | None:
        """The value shown of the property these columns hold, None when it has none."""
        value = tuple(self.properties.get(c) for c in columns)
        return None if any(v is None for v in value) else value

    def values(self, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """Every value of the property these columns hold: the one shown first, then the
        others its sources claim."""
        shown = self.shown(columns)
        out = [shown] if shown is not None else []
        out += [v for v in self.claimed.get(columns, ()) if v not in out]
        return out

    def names(self) -> list[tuple[str, str]]:
        """(what, text): its name, aliases and Chinese name."""
        out = [("name", self.name)] + [("alias", a) for a in self.aliases]
        zh = self.properties.get("nameZh")
        if isinstance(zh, str) and zh:
            out.append(("Chinese name", zh))
        return out


@dataclass(frozen=True)
class Neighbours:
    """What the graph says about a pair: the entities both are related to (with their
    relationship counts), and the relationship types joining the two directly."""

    shared: tuple[tuple[str, int], ...] = ()  # (name, degree) of each shared neighbour
    linked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signal:
    name: str  # name, neighbours, properties or link
    contribution: float
    detail: str


@dataclass(frozen=True)
class Score:
    value: float
    signals: tuple[Signal, ...]


# --- name ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameEvidence:
    match: NameMatch
    a: tuple[str, str]  # (what, text) on each side
    b: tuple[str, str]
    # For an exact match: how many entities of the kind carry the name; for initials:
    # how many entities of the kind have a name with those initials.
    carriers: int = 2

    @property
    def value(self) -> float:
        """What the match is worth: its similarity, times 2 / carriers for an exact match
        of a name more than two entities carry, times 1 / carriers for initials more than
        one name has."""
        value = self.match.similarity
        if self.match.exact and self.carriers > 2:
            return value * 2 / self.carriers
        if self.match.abbreviation is not None and self.carriers > 1:
            return value / self.carriers
        return value


def exact_key(text: str) -> str:
    """The blocking key that counts how many entities carry this name exactly."""
    return naming.exact_key(read(text))


def _owned(match: NameMatch, holder: Side, text: str) -> NameMatch:
    """An abbreviation that is also the initials of another name of the entity holding it
    ("CCB", alias of China Construction Bank) stands for that entity, not the other."""
    word = match.abbreviation
    if word is None:
        return match
    own = next((t for _, t in holder.names() if t != text and abbreviates(word, t)), None)
    if own is None:
        return match
    return replace(
        match,
        similarity=OWNED_ABBREVIATION,
        reason=f"{match.reason}, but it is also the initials of {own!r}, which it names",
    )


def fewest_carriers(key: str) -> int:
    """How many entities carry a name when nothing counted them: only the two compared
    (an exact name), or the one abbreviated (initials)."""
    return 1 if key.startswith("#") else 2


def best_name_match(
    a: Side, b: Side, carriers: Callable[[str], int] = fewest_carriers
) -> NameEvidence:
    """The most telling of their names' matches. `carriers(key)`: how many entities of
    the kind carry the exact name of that key (an exact match of a rarer name tells more)."""
    best = NameEvidence(NO_MATCH, ("name", a.name), ("name", b.name))
    for what_a, text_a in a.names():
        for what_b, text_b in b.names():
            match = compare(text_a, text_b)
            if match.abbreviation is not None:
                short = (a, text_a) if read(text_a).tokens == (match.abbreviation,) else (b, text_b)
                match = _owned(match, *short)
            if match.exact:
                count = carriers(exact_key(text_a))
            elif match.abbreviation is not None:
                count = carriers("#" + match.abbreviation)
            else:
                count = 2
            found = NameEvidence(match, (what_a, text_a), (what_b, text_b), count)
            if found.value > best.value:
                best = found
                if best.value >= 1.0:
                    return best
    return best


def name_signal(evidence: NameEvidence) -> Signal:
    match = evidence.match
    (what_a, text_a), (what_b, text_b) = evidence.a, evidence.b
    detail = f"{what_a} {text_a!r} and {what_b} {text_b!r}: {match.reason}"
    if match.exact and evidence.carriers > 2:
        detail += f"; {evidence.carriers} entities of this kind carry that name"
    elif match.abbreviation is not None and evidence.carriers > 1:
        detail += f"; {evidence.carriers} names of this kind have those initials"
    return Signal("name", round(NAME_WEIGHT * evidence.value, 3), detail)


# --- neighbours ------------------------------------------------------------------------


def neighbour_weight(degree: int) -> float:
    """1 for a neighbour with few relationships, less for a hub (0.75 at 14, 0.5 at 62,
    0.33 at 510, 0.2 at 26,000)."""
    return min(1.0, 3 / math.log2(degree + 2))


def neighbour_signal(a: Side, b: Side, neighbours: Neighbours) -> Signal:
    """From -DISJOINT (both have relationships, none to a common entity) up to
    NEIGHBOUR_WEIGHT (every relationship of the less related one is to an entity the
    other is related to too), in proportion to that share."""
    fewer = min(a.degree, b.degree)
    if fewer == 0:
        return Signal("neighbours", 0.0, "one of them has no relationships to compare")
    weight = sum(neighbour_weight(d) for _, d in neighbours.shared)
    share = min(1.0, weight / fewer)
    value = (NEIGHBOUR_WEIGHT + DISJOINT) * share - DISJOINT
    if not neighbours.shared:
        detail = f"no entity related to both, of their {a.degree} and {b.degree} relationships"
    else:
        shown = ", ".join(repr(n) for n, _ in neighbours.shared[:3])
        more = len(neighbours.shared) - 3
        detail = (
            f"{len(neighbours.shared)} related to both ({shown}"
            f"{f' and {more} more' if more > 0 else ''}), of {a.degree} and {b.degree} "
            "relationships"
        )
    return Signal("neighbours", round(value, 3), detail)


# --- properties ------------------------------------------------------------------------


def _strong(key: str, value: Any) -> bool:
    if key == "nameZh" or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return " " not in value.strip() and any(c.isdigit() for c in value)
    return not isinstance(value, list)  # dates and times


def _same(key: str, x: Any, y: Any) -> bool | None:
    """Whether two values agree; None when they cannot be compared."""
    if isinstance(x, list) or isinstance(y, list):
        xs, ys = set(map(str, x or [])), set(map(str, y or []))
        return bool(xs & ys) or None
    if isinstance(x, str) and isinstance(y, str):
        if max(len(x), len(y)) > MAX_COMPARED_TEXT:
            return None
        if key == "nameZh":
            return read(x).cjk == read(y).cjk
        return " ".join(fold(x).split()) == " ".join(fold(y).split())
    if isinstance(x, int | float) and isinstance(y, int | float) and not isinstance(x, bool):
        return math.isclose(float(x), float(y), rel_tol=1e-9)
    return x == y


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _either(texts: list[str]) -> str:
    return " or ".join(texts)


# An agreement on a value that is not the one shown on both sides.
_CLAIMED = " ({} claimed for both, not the value shown on both)"


def _money(side: Side, group: tuple[tuple[str, str], ...]) -> dict[str, list[float]]:
    """A sum of money as the amounts claimed by currency, the amount's and its
    conversions' (the value shown first)."""
    out: dict[str, list[float]] = {}
    for columns in group:
        for value, code in side.values(columns):
            if isinstance(value, int | float) and isinstance(code, str):
                amounts = out.setdefault(code, [])
                if float(value) not in amounts:
                    amounts.append(float(value))
    return out


def _shows(side: Side, group: tuple[tuple[str, str], ...], code: str, amount: float) -> bool:
    """Whether the side shows this amount in this currency (as the sum or its conversion)."""
    return any(
        shown is not None and shown[1] == code and math.isclose(float(shown[0]), amount)
        for shown in map(side.shown, group)
    )


def property_signal(
    a: Side,
    b: Side,
    money: Iterable[tuple[tuple[str, str], ...]] = (),
    labels: Callable[[str], str] = str,
) -> Signal:
    """`money`: the kind's sums of money, each as its (amount, currency) columns, the
    amount first and then its conversions. Two sums are compared in a currency both give
    (another currency may be a conversion, not a conflict). Each property is compared
    claim by claim: one value claimed for both is agreement, claimed values with none in
    common a conflict."""
    agree: list[str] = []
    conflict: list[str] = []
    value = 0.0
    penalty = 0.0
    groups = [tuple(g) for g in money]
    columns = {c for g in groups for pair in g for c in pair}
    for group in groups:
        xs, ys = _money(a, group), _money(b, group)
        common = sorted(set(xs) & set(ys))
        if not common:
            continue
        label = labels(group[0][0])
        same = next(
            (
                (code, x, y)
                for code in common
                for x in xs[code]
                for y in ys[code]
                if math.isclose(x, y, rel_tol=1e-6)
            ),
            None,
        )
        if same is not None:
            code, x, y = same
            on_both = _shows(a, group, code, x) and _shows(b, group, code, y)
            agree.append(label + ("" if on_both else _CLAIMED.format(f"{code} {x:,.0f}")))
            value += AGREE_STRONG
        else:
            code = common[0]
            shown_x = _either([f"{code} {x:,.0f}" for x in xs[code]])
            shown_y = _either([f"{code} {y:,.0f}" for y in ys[code]])
            conflict.append(f"{label} {shown_x} / {shown_y}")
            penalty += CONFLICT_STRONG
    keys = {k for side in (a, b) for k in side.properties} | {
        k for side in (a, b) for key in side.claimed if len(key) == 1 for k in key
    }
    for key in sorted(keys):
        if key in NOT_COMPARED or key in columns:
            continue
        of_a = [v for (v,) in a.values((key,))]
        of_b = [v for (v,) in b.values((key,))]
        if not of_a or not of_b:
            continue
        outcomes = [(_same(key, p, q), p, q) for p in of_a for q in of_b]
        agreeing = next(((p, q) for same, p, q in outcomes if same), None)
        if agreeing is not None:
            p, q = agreeing
            on_both = a.shown((key,)) == (p,) and b.shown((key,)) == (q,)
            if key == "nameZh" and on_both:
                continue  # an equal Chinese name shown on both counts in the name signal
            agree.append(labels(key) + ("" if on_both else _CLAIMED.format(_shown(p))))
            value += AGREE_STRONG if _strong(key, p) else AGREE_WEAK
        elif all(same is False for same, _, _ in outcomes):
            shown_a, shown_b = _either(list(map(_shown, of_a))), _either(list(map(_shown, of_b)))
            conflict.append(f"{labels(key)} {shown_a} / {shown_b}")
            penalty += CONFLICT_STRONG if _strong(key, of_a[0]) else CONFLICT_WEAK
    contribution = min(AGREE_CAP, value) - min(CONFLICT_CAP, penalty)
    parts = []
    if agree:
        parts.append("agree on " + ", ".join(agree))
    if conflict:
        parts.append("conflict on " + "; ".join(conflict))
    detail = "; ".join(parts) if parts else "no property that both hold to compare"
    return Signal("properties", round(contribution, 3), detail)


# --- the score -------------------------------------------------------------------------


def link_signal(neighbours: Neighbours) -> Signal | None:
    if not neighbours.linked:
        return None
    types = ", ".join(sorted(set(neighbours.linked)))
    return Signal("link", LINKED, f"related to each other ({types}): two things, usually")


def score(
    a: Side,
    b: Side,
    neighbours: Neighbours,
    *,
    money: Iterable[tuple[tuple[str, str], ...]] = (),
    labels: Callable[[str], str] = str,
    name: NameEvidence | None = None,
) -> Score:
    evidence = name or best_name_match(a, b)
    signals = [
        name_signal(evidence),
        neighbour_signal(a, b, neighbours),
        property_signal(a, b, money, labels),
    ]
    link = link_signal(neighbours)
    if link is not None:
        signals.append(link)
    total = sum(s.contribution for s in signals)
    return Score(round(min(1.0, max(0.0, total)), 3), tuple(signals))


def best_possible(name_value: float) -> float:
    """The highest score a pair can reach with a name match worth this (see
    `NameEvidence.value`): what it needs from the graph before the graph is asked."""
    return NAME_WEIGHT * name_value + NEIGHBOUR_WEIGHT + AGREE_CAP
