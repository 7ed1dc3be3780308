"""A generated graph for the collection tests, and a plain-Python model of it.

`generate()` builds, from a seeded `random.Random`, one document in the ingest format
(`{"source", "entities", "relationships"}`) of a few thousand organizations, banks,
people, credits, agreements and events. Every id starts with `gen-`, the source is
`gen-source`, and no relationship touches the seed's entities. The data is built to
exercise the collection features: English and Chinese names and aliases, many duplicate
names (also differing only in case) so ordering falls back to the id, dates and amounts
with ties and nulls, amounts in CNY and USD, and relationships with titles and roles.

`Model` holds the same facts as plain Python objects and answers the questions the API
answers (filter, order) by brute force, independently of the Cypher compiler. Its filter
semantics are the documented ones: a name filter matches the name or any alias (every
given condition on the same string); date and amount ranges are inclusive and never match
a missing value; `NOT` is the complement of what it negates; sort keys are the lower-cased
name, `coalesce(date, signedOn)` and `coalesce(amount, totalCredit)`, a missing key
sorting as the smallest value; ties are broken by id in the same direction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

PREFIX = "gen-"
SOURCE_ID = "gen-source"
SEED = 20130802

SOURCE = {
    "id": SOURCE_ID,
    "title": "Generated corpus for the collection tests",
    "publisher": "tests/generated.py",
    "publishedOn": "2024-01-02",
    "authors": ["Test Generator"],
    "editors": [],
    "url": None,
}

# --- name material -------------------------------------------------------------------

CITIES = [
    ("Beijing", "北京"),
    ("Shanghai", "上海"),
    ("Shenzhen", "深圳"),
    ("Hangzhou", "杭州"),
    ("Zhongguancun", "中关村"),
    ("Haidian", "海淀"),
    ("Suzhou", "苏州"),
    ("Chengdu", "成都"),
]
FIELDS = [
    ("Quantum", "量子"),
    ("Photonics", "光电"),
    ("Biotech", "生物"),
    ("Robotics", "机器人"),
    ("Software", "软件"),
    ("Materials", "材料"),
    ("Semiconductor", "半导体"),
    ("Energy", "能源"),
    ("Medical Devices", "医疗器械"),
    ("Data", "数据"),
]
ORG_SUFFIXES = [
    ("Technology Co., Ltd.", "科技有限公司"),
    ("Group", "集团"),
    ("Institute", "研究院"),
    ("Holdings", "控股有限公司"),
    ("Innovation Center", "创新中心"),
]
ORG_TYPES = ["company", "research institute", "government agency", "park", "alliance", None]

BANKS = [
    ("Bank of Beijing", "北京银行"),
    ("Industrial Bank", "兴业银行"),
    ("China Merchants Bank", "招商银行"),
    ("Bank of Hangzhou", "杭州银行"),
    ("Agricultural Bank of China", "中国农业银行"),
    ("Bank of Communications", "交通银行"),
    ("China Minsheng Bank", "中国民生银行"),
    ("Huaxia Bank", "华夏银行"),
    ("Bank of Shanghai", "上海银行"),
    ("Ping An Bank", "平安银行"),
]

SURNAMES = [
    ("Wang", "王"),
    ("Li", "李"),
    ("Zhang", "张"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Zhao", "赵"),
    ("Huang", "黄"),
    ("Zhou", "周"),
    ("Wu", "吴"),
]
GIVEN = [
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Na", "娜"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Lei", "磊"),
    ("Qiang", "强"),
    ("Yang", "洋"),
    ("Jun", "军"),
    ("Yong", "勇"),
    ("Yan", "艳"),
    ("Jie", "杰"),
]
TITLES = [
    "President",
    "Vice President",
    "Chairman",
    "Chief Risk Officer",
    "Director of IP Finance",
    "Deputy Director",
    "Deputy Director-General",
    "董事长",
    "行长",
    "副行长",
    None,
]
ANONYMOUS = ["Unnamed official", "Unnamed deputy director", "Unnamed bank manager"]

CREDIT_TYPES = [
    ("Patent pledge loan", "patent-backed credit"),
    ("IP-backed credit", "patent-backed credit"),
    ("Technology credit line", "credit line"),
    ("专利质押贷款", "patent-backed credit"),
    ("知识产权质押融资", "patent-backed credit"),
]
AGREEMENT_NAMES = [
    "Strategic Cooperation Agreement",
    "IP Financing Agreement",
    "Framework Agreement on Patent Pledges",
    "战略合作协议",
    "知识产权质押融资合作协议",
]
EVENT_NAMES = [
    "IP Finance Forum",
    "Signing Ceremony",
    "Launch Ceremony",
    "Zhongguancun Innovation Expo",
    "知识产权金融论坛",
    "签约仪式",
]
ROLES = ["lender", "borrower", "government", "guarantor", "witness", None]

# How many entities of each kind `generate()` makes (3,000 in all).
COUNTS = {
    "ORGANIZATION": 900,
    "BANK": 150,
    "PERSON": 700,
    "CREDIT": 700,
    "AGREEMENT": 250,
    "EVENT": 300,
}

ID_PARTS = {
    "ORGANIZATION": "org",
    "BANK": "bank",
    "PERSON": "person",
    "CREDIT": "credit",
    "AGREEMENT": "agreement",
    "EVENT": "event",
}


class _Builder:
    """Collects entities and relationships for one document."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.entities: list[dict[str, Any]] = []
        self.relationships: list[dict[str, Any]] = []
        self.by_kind: dict[str, list[str]] = defaultdict(list)
        self._edges: set[tuple[str, str, str]] = set()

    def provenance(self) -> list[dict[str, Any]]:
        if self.rng.random() < 0.1:
            return [{"locator": "headline"}, {"paragraph": self.rng.randint(1, 40)}]
        return [{"paragraph": self.rng.randint(1, 40)}]

    def entity(
        self, kind: str, name: str, aliases: list[str], props: dict[str, Any] | None = None
    ) -> str:
        # Ids follow creation order, which is random with respect to names, dates and
        # amounts: the id tie-break is independent of the sort key.
        entity_id = f"{PREFIX}{ID_PARTS[kind]}-{len(self.by_kind[kind]) + 1:04d}"
        self.by_kind[kind].append(entity_id)
        self.entities.append(
            {
                "id": entity_id,
                "kind": kind,
                "name": name,
                "aliases": [a for a in dict.fromkeys(aliases) if a != name],
                "properties": props or {},
                "provenance": self.provenance(),
            }
        )
        return entity_id

    def link(self, src: str, rel_type: str, dst: str, props: dict[str, Any] | None = None) -> None:
        # The graph keeps one relationship per (start, type, end): never emit two.
        if (src, rel_type, dst) in self._edges:
            return
        self._edges.add((src, rel_type, dst))
        self.relationships.append(
            {
                "from": src,
                "type": rel_type,
                "to": dst,
                "properties": {k: v for k, v in (props or {}).items() if v is not None},
                "provenance": self.provenance(),
            }
        )


def _day(rng: random.Random) -> str:
    day = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 15 * 365))
    if rng.random() < 0.25:
        day = day.replace(day=1)  # many ties on the first of a month
    return day.isoformat()


def _money(rng: random.Random) -> tuple[float | int | None, str | None]:
    """An amount and its currency: mostly CNY, some USD, some missing."""
    roll = rng.random()
    if roll < 0.12:
        return None, None
    if roll < 0.15:
        return float(rng.randint(1, 500) * 10_000), None  # amount without a currency
    if roll < 0.70:
        amount: float | int = float(rng.randint(1, 400) * 500_000)
        currency = "CNY"
    else:
        amount = float(rng.randint(1, 300) * 10_000)
        currency = "USD"
    if rng.random() < 0.1:
        amount += 0.5
    elif rng.random() < 0.05:
        amount = int(amount)  # stored as an integer: must compare equal to the float
    return amount, currency


def _case_variant(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.06:
        return name.upper()
    if roll < 0.09:
        return name.lower()
    return name


def _organizations(b: _Builder, count: int) -> None:
    rng = b.rng
    for _ in range(count):
        (city, city_zh), (fld, fld_zh), (suffix, suffix_zh) = (
            rng.choice(CITIES),
            rng.choice(FIELDS),
            rng.choice(ORG_SUFFIXES),
        )
        english = f"{city} {fld} {suffix}"
        chinese = f"{city_zh}{fld_zh}{suffix_zh}"
        initials = "".join(w[0] for w in english.replace(",", "").split() if w[0].isalpha())
        props: dict[str, Any] = {"orgType": rng.choice(ORG_TYPES)}
        if rng.random() < 0.3:
            name, aliases = chinese, [english] if rng.random() < 0.7 else []
            props["nameZh"] = chinese
        else:
            name = _case_variant(rng, english)
            aliases = [chinese] if rng.random() < 0.5 else []
            if rng.random() < 0.4:
                aliases.append(initials.upper())
        b.entity("ORGANIZATION", name, aliases, props)


def _banks(b: _Builder, count: int) -> None:
    rng = b.rng
    for _ in range(count):
        english, chinese = rng.choice(BANKS)
        roll = rng.random()
        if roll < 0.3:
            city, city_zh = rng.choice(CITIES)
            name, aliases = f"{english} {city} Branch", [f"{chinese}{city_zh}分行", english]
        elif roll < 0.45:
            name, aliases = chinese, [english]
        else:
            name, aliases = _case_variant(rng, english), [chinese] if rng.random() < 0.6 else []
        b.entity("BANK", name, aliases, {"bankType": rng.choice(["commercial", "policy", None])})


def _people(b: _Builder, count: int) -> None:
    rng = b.rng
    for _ in range(count):
        (sur, sur_zh), (given, given_zh) = rng.choice(SURNAMES), rng.choice(GIVEN)
        pinyin, hanzi = f"{sur} {given}", f"{sur_zh}{given_zh}"
        roll = rng.random()
        props: dict[str, Any] = {"anonymous": False}
        if roll < 0.55:
            name, aliases = pinyin, [hanzi]
        elif roll < 0.7:
            name, aliases = hanzi, [pinyin]
        elif roll < 0.8:
            name, aliases = f"{sur.upper()} {given}", [hanzi, pinyin]
        elif roll < 0.9:
            name, aliases = f"{given} {sur}", []
        else:
            name, aliases = rng.choice(ANONYMOUS), []
            props = {"anonymous": True, "role": "official"}
        b.entity("PERSON", name, aliases, props)


def _credits(b: _Builder, count: int) -> None:
    rng = b.rng
    for _ in range(count):
        label, credit_type = rng.choice(CREDIT_TYPES)
        amount, currency = _money(rng)
        props = {"creditType": credit_type, "amount": amount, "currency": currency}
        if rng.random() < 0.3:
            props["collateral"] = f"{rng.randint(1, 30)} patents"
        name = f"{label} {rng.choice('ABC')}{rng.randint(1, 60)}"
        b.entity("CREDIT", name, [], props)


def _agreements(b: _Builder, count: int) -> None:
    rng = b.rng
    for _ in range(count):
        amount, currency = _money(rng)
        props = {
            "agreementType": rng.choice(["strategic cooperation", "framework", None]),
            "totalCredit": amount,
            "totalCreditCurrency": currency,
            "signedOn": _day(rng) if rng.random() < 0.85 else None,
        }
        name = rng.choice(AGREEMENT_NAMES)
        if rng.random() < 0.5:
            name = f"{name} {rng.randint(2010, 2024)}"
        b.entity("AGREEMENT", name, [], props)


def _events(b: _Builder, count: int) -> None:
    rng = b.rng
    for _ in range(count):
        date = _day(rng) if rng.random() < 0.9 else None
        name = rng.choice(EVENT_NAMES)
        if date and rng.random() < 0.5:
            name = f"{name} {date[:4]}"
        props = {"eventType": rng.choice(["forum", "ceremony", "expo"]), "date": date}
        b.entity("EVENT", name, [], props)


def _relationships(b: _Builder) -> None:
    rng = b.rng
    orgs, banks = b.by_kind["ORGANIZATION"], b.by_kind["BANK"]
    people, credits = b.by_kind["PERSON"], b.by_kind["CREDIT"]
    agreements, events = b.by_kind["AGREEMENT"], b.by_kind["EVENT"]
    # A few banks lend most of the credits, so "borrowed from bank X" has many answers.
    bank_weights = [1.0 / (i + 1) for i in range(len(banks))]
    for credit in credits:
        if rng.random() < 0.9:
            lender = rng.choices(banks, bank_weights)[0] if rng.random() < 0.9 else rng.choice(orgs)
            b.link(lender, "LENT", credit)
        if rng.random() < 0.9:
            borrower = rng.choice(orgs) if rng.random() < 0.95 else rng.choice(banks)
            b.link(borrower, "BORROWED", credit)
        if rng.random() < 0.3:
            b.link(credit, "UNDER", rng.choice(agreements))
    for agreement in agreements:
        for _ in range(rng.randint(0, 5)):
            party = rng.choice(banks) if rng.random() < 0.4 else rng.choice(orgs)
            b.link(party, "PARTY_TO", agreement, {"role": rng.choice(ROLES)})
    for person in people:
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            place = rng.choice(banks) if rng.random() < 0.3 else rng.choice(orgs)
            b.link(person, "HOLDS_POSITION", place, {"title": rng.choice(TITLES)})
    for event in events:
        for _ in range(rng.randint(0, 3)):
            organizer = rng.choice(orgs) if rng.random() < 0.8 else rng.choice(banks)
            b.link(organizer, "ORGANIZED", event, {"role": rng.choice(["organizer", None])})
        for _ in range(rng.randint(0, 4)):
            b.link(rng.choice(orgs + people), "ATTENDED", event)
    for org in rng.sample(orgs, 60):
        b.link(org, "MEMBER_OF", rng.choice(orgs[:10]))


def generate(seed: int = SEED, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """The document: the same for the same seed, every time."""
    counts = counts or COUNTS
    b = _Builder(random.Random(seed))
    makers = {
        "ORGANIZATION": _organizations,
        "BANK": _banks,
        "PERSON": _people,
        "CREDIT": _credits,
        "AGREEMENT": _agreements,
        "EVENT": _events,
    }
    for kind, maker in makers.items():
        maker(b, counts[kind])
    _relationships(b)
    # Shuffle so the document order says nothing about ids or names.
    b.rng.shuffle(b.entities)
    return document(b.entities, b.relationships)


def document(entities: list[dict], relationships: list[dict] | None = None) -> dict[str, Any]:
    """A document of the generated source holding these facts."""
    return {"source": dict(SOURCE), "entities": entities, "relationships": relationships or []}


# --- the reference model -------------------------------------------------------------


@dataclass
class Item:
    id: str
    kind: str
    name: str
    aliases: list[str]
    props: dict[str, Any]

    @property
    def date(self) -> dt.date | None:
        value = self.props.get("date") or self.props.get("signedOn")
        return dt.date.fromisoformat(value) if value else None

    @property
    def amount(self) -> float | None:
        value = self.props.get("amount")
        return value if value is not None else self.props.get("totalCredit")

    @property
    def currency(self) -> str | None:
        return self.props.get("currency") or self.props.get("totalCreditCurrency")


@dataclass(frozen=True)
class Link:
    """A relationship seen from one end: its type, OUT or IN, the other end, properties."""

    type: str
    direction: str
    other: str
    props: dict[str, Any]


# Missing sort keys sort as the smallest value (the service's sentinels).
_SMALLEST = {"NAME": "", "DATE": dt.date(1, 1, 1), "AMOUNT": -1.0}


def sort_value(item: Item, key: str) -> Any:
    value = {"NAME": item.name.lower(), "DATE": item.date, "AMOUNT": item.amount}[key]
    return _SMALLEST[key] if value is None else value


def _text_matches(text: str | None, spec: dict[str, Any]) -> bool:
    """Every condition given in a StringFilter holds for this one text."""
    if text is None:
        return False
    insensitive = spec.get("caseInsensitive", True)

    def norm(value: str) -> str:
        return value.lower() if insensitive else value

    subject = norm(text)
    checks = []
    if spec.get("equals") is not None:
        checks.append(subject == norm(spec["equals"]))
    if spec.get("contains") is not None:
        checks.append(norm(spec["contains"]) in subject)
    if spec.get("startsWith") is not None:
        checks.append(subject.startswith(norm(spec["startsWith"])))
    if spec.get("in") is not None:
        checks.append(subject in {norm(v) for v in spec["in"]})
    return all(checks)


@dataclass
class Model:
    items: dict[str, Item] = field(default_factory=dict)
    links: dict[str, list[Link]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, *docs: dict[str, Any]) -> Model:
        model = cls()
        for doc in docs:
            model.add(doc)
        return model

    def add(self, doc: dict[str, Any]) -> None:
        for ent in doc["entities"]:
            props = {k: v for k, v in ent.get("properties", {}).items() if v is not None}
            self.items[ent["id"]] = Item(
                ent["id"], ent["kind"], ent["name"], list(ent.get("aliases", [])), props
            )
        for rel in doc["relationships"]:
            props = rel.get("properties", {})
            self.links[rel["from"]].append(Link(rel["type"], "OUT", rel["to"], props))
            self.links[rel["to"]].append(Link(rel["type"], "IN", rel["from"], props))

    # Filters

    def matches(self, item: Item, where: dict[str, Any] | None) -> bool:
        if not where:
            return True
        checks: list[bool] = []
        if where.get("id") is not None:
            checks.append(item.id == where["id"])
        if where.get("ids") is not None:
            checks.append(item.id in where["ids"])
        if where.get("name") is not None:
            names = [item.name, *item.aliases]
            checks.append(any(_text_matches(n, where["name"]) for n in names))
        if where.get("kinds"):
            checks.append(item.kind in where["kinds"])
        if where.get("date") is not None:
            checks.append(self._in_range(item.date, where["date"], "after", "before"))
        if where.get("amount") is not None:
            spec = where["amount"]
            ok = self._in_range(item.amount, spec, "min", "max")
            if spec.get("currency") is not None:
                ok = ok and item.currency == spec["currency"]
            checks.append(ok)
        for rel in where.get("related") or []:
            checks.append(self.has_related(item, rel))
        for rel in where.get("notRelated") or []:
            checks.append(not self.has_related(item, rel))
        for sub in where.get("AND") or []:
            checks.append(self.matches(item, sub))
        if where.get("OR"):
            checks.append(any(self.matches(item, sub) for sub in where["OR"]))
        if where.get("NOT") is not None:
            checks.append(not self.matches(item, where["NOT"]))
        return all(checks)

    @staticmethod
    def _in_range(value: Any, spec: dict[str, Any], low: str, high: str) -> bool:
        if value is None:
            return False
        lo, hi = spec.get(low), spec.get(high)
        if isinstance(value, dt.date):
            lo = dt.date.fromisoformat(lo) if lo else None
            hi = dt.date.fromisoformat(hi) if hi else None
        return (lo is None or value >= lo) and (hi is None or value <= hi)

    def has_related(self, item: Item, spec: dict[str, Any]) -> bool:
        direction = spec.get("direction", "BOTH")
        for link in self.links.get(item.id, []):
            if spec.get("type") and link.type != spec["type"]:
                continue
            if direction != "BOTH" and link.direction != direction:
                continue
            if spec.get("title") and not _text_matches(link.props.get("title"), spec["title"]):
                continue
            if spec.get("role") and not _text_matches(link.props.get("role"), spec["role"]):
                continue
            if self.matches(self.items[link.other], spec.get("where")):
                return True
        return False

    # Answers

    def select(self, where: dict[str, Any] | None = None, kind: str | None = None) -> list[Item]:
        return [
            item
            for item in self.items.values()
            if (kind is None or item.kind == kind) and self.matches(item, where)
        ]

    @staticmethod
    def ordered(items: list[Item], key: str = "NAME", direction: str = "ASC") -> list[Item]:
        return sorted(items, key=lambda i: (sort_value(i, key), i.id), reverse=direction == "DESC")

    def expected_ids(
        self,
        where: dict[str, Any] | None = None,
        kind: str | None = None,
        key: str = "NAME",
        direction: str = "ASC",
    ) -> list[str]:
        return [i.id for i in self.ordered(self.select(where, kind), key, direction)]

    def ids(self) -> list[str]:
        return sorted(self.items)
