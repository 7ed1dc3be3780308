"""A seeded, deterministic generator of large IP-finance graphs, as JSON Lines ingest files.

    .venv/bin/python -m bench.generate --entities 100000 --out data/bench/graph.jsonl

The graph has the seed's kinds and relationship types (graph/domain/kinds.py) at any size, with
about `--degree` relationships per entity (10 by default). Degrees are heavy-tailed, as in
real financing networks: every endpoint pool is sampled with Zipf weights, so a few hub
banks (lenders, parties to agreements), government agencies (administering, organizing,
awarding), alliances, venues and places hold most of the edges, while most companies,
people and patents have a handful.

Names are realistic and bilingual: Chinese companies, banks, agencies and people carry
their Chinese name as an alias and in `nameZh` (北京中科恒泰科技有限公司, 王建国), next to
the English one, so full-text search meets both scripts. Credits carry amounts in CNY
(some USD and EUR) with the USD conversion the sources would give, agreements a signing
date and total, events a date, and every entity and relationship cites one of a few
hundred generated news sources with a paragraph number.

The same arguments give byte-identical files. Ids are readable slugs with a base-36
serial (`bank-of-beijing-0`, `wang-jianguo-2s9`), unique by construction; relationships
are unique (from, type, to). `<out>.meta.json` records the counts and the hub ids.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from graph.domain import RELATIONSHIP_TYPES, Kind

# --- Vocabulary: English with the Chinese it stands for ---------------------------------

CITIES = [
    ("Beijing", "北京"),
    ("Shanghai", "上海"),
    ("Shenzhen", "深圳"),
    ("Hangzhou", "杭州"),
    ("Suzhou", "苏州"),
    ("Wuhan", "武汉"),
    ("Chengdu", "成都"),
    ("Nanjing", "南京"),
    ("Tianjin", "天津"),
    ("Guangzhou", "广州"),
    ("Xi'an", "西安"),
    ("Hefei", "合肥"),
    ("Qingdao", "青岛"),
    ("Xiamen", "厦门"),
    ("Changsha", "长沙"),
    ("Dalian", "大连"),
    ("Ningbo", "宁波"),
    ("Jinan", "济南"),
    ("Zhengzhou", "郑州"),
    ("Chongqing", "重庆"),
]
DISTRICTS = [
    ("Zhongguancun", "中关村"),
    ("Haidian", "海淀"),
    ("Chaoyang", "朝阳"),
    ("Pudong", "浦东"),
    ("Nanshan", "南山"),
    ("Futian", "福田"),
    ("Binjiang", "滨江"),
    ("Yuhang", "余杭"),
    ("Suzhou Industrial Park", "苏州工业园区"),
    ("Optics Valley", "光谷"),
    ("Hi-tech Zone", "高新区"),
    ("Yizhuang", "亦庄"),
    ("Zhangjiang", "张江"),
    ("Qianhai", "前海"),
    ("Jiangning", "江宁"),
    ("Binhai", "滨海"),
]
SYLLABLES = [
    ("Zhong", "中"),
    ("Ke", "科"),
    ("Heng", "恒"),
    ("Tai", "泰"),
    ("Hua", "华"),
    ("Xin", "新"),
    ("Rui", "瑞"),
    ("Da", "达"),
    ("Tong", "通"),
    ("Jing", "晶"),
    ("Yuan", "源"),
    ("Chuang", "创"),
    ("Bo", "博"),
    ("Sheng", "盛"),
    ("Kang", "康"),
    ("Xun", "讯"),
    ("Wei", "微"),
    ("Lian", "联"),
    ("Guang", "光"),
    ("Neng", "能"),
    ("Tian", "天"),
    ("Hong", "宏"),
    ("Jia", "嘉"),
    ("Feng", "丰"),
    ("Yu", "宇"),
    ("Long", "龙"),
    ("Ming", "明"),
    ("An", "安"),
    ("Xing", "星"),
    ("Cheng", "诚"),
]
INDUSTRIES = [
    ("Technology", "科技"),
    ("Electronics", "电子"),
    ("Biotech", "生物科技"),
    ("Pharmaceutical", "医药"),
    ("New Energy", "新能源"),
    ("Semiconductor", "半导体"),
    ("Software", "软件"),
    ("Materials", "材料"),
    ("Robotics", "机器人"),
    ("Communication", "通信"),
    ("Optoelectronics", "光电"),
    ("Medical Devices", "医疗器械"),
    ("Information", "信息"),
    ("Environmental", "环保"),
    ("Precision Machinery", "精密机械"),
]
FOREIGN_FIRMS = [
    "Analysys",
    "Siemens",
    "Philips",
    "Nokia",
    "Qualcomm",
    "Intel",
    "Bosch",
    "Honeywell",
    "Ericsson",
    "Panasonic",
    "Samsung",
    "Medtronic",
    "Novartis",
    "Bayer",
    "ABB",
    "Schneider",
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
    ("Xu", "徐"),
    ("Sun", "孙"),
    ("Hu", "胡"),
    ("Zhu", "朱"),
    ("Gao", "高"),
    ("Lin", "林"),
    ("He", "何"),
    ("Guo", "郭"),
    ("Ma", "马"),
    ("Luo", "罗"),
    ("Liang", "梁"),
    ("Song", "宋"),
    ("Zheng", "郑"),
    ("Xie", "谢"),
    ("Han", "韩"),
    ("Tang", "唐"),
    ("Feng", "冯"),
    ("Yu", "于"),
    ("Dong", "董"),
    ("Xiao", "萧"),
]
GIVEN = [
    ("Jian", "建"),
    ("Guo", "国"),
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Li", "丽"),
    ("Qiang", "强"),
    ("Lei", "磊"),
    ("Jun", "军"),
    ("Yang", "洋"),
    ("Yong", "勇"),
    ("Yan", "艳"),
    ("Jie", "杰"),
    ("Tao", "涛"),
    ("Ming", "明"),
    ("Chao", "超"),
    ("Xiu", "秀"),
    ("Hua", "华"),
    ("Ping", "平"),
    ("Hui", "慧"),
    ("Bin", "斌"),
    ("Yi", "毅"),
    ("Lan", "兰"),
    ("Hai", "海"),
    ("Xia", "霞"),
    ("Peng", "鹏"),
    ("Hong", "红"),
    ("Ling", "玲"),
    ("Feng", "峰"),
]
WESTERN_FIRST = ["Anna", "David", "Maria", "James", "Sophie", "Thomas", "Laura", "Peter"]
WESTERN_LAST = ["Whyman", "Schmidt", "Dupont", "Miller", "Rossi", "Novak", "Berg", "Clarke"]
TITLES = [
    "President",
    "Chief Executive Officer",
    "Chairman",
    "Deputy Director",
    "Director",
    "Chief Technology Officer",
    "General Manager",
    "Head of IP",
    "Secretary-General",
    "Vice President",
    "Chief Financial Officer",
    "Patent Attorney",
]
BIG_BANKS = [
    ("Bank of Beijing", "北京银行", "city commercial bank", "BOB"),
    (
        "Industrial and Commercial Bank of China",
        "中国工商银行",
        "state-owned commercial bank",
        "ICBC",
    ),
    ("China Construction Bank", "中国建设银行", "state-owned commercial bank", "CCB"),
    ("Bank of China", "中国银行", "state-owned commercial bank", "BOC"),
    ("Agricultural Bank of China", "中国农业银行", "state-owned commercial bank", "ABC"),
    ("Bank of Communications", "交通银行", "state-owned commercial bank", "BOCOM"),
    ("China Merchants Bank", "招商银行", "joint-stock commercial bank", "CMB"),
    ("Shanghai Pudong Development Bank", "上海浦东发展银行", "joint-stock commercial bank", "SPDB"),
    ("China Minsheng Bank", "中国民生银行", "joint-stock commercial bank", "CMBC"),
    ("Industrial Bank", "兴业银行", "joint-stock commercial bank", "CIB"),
    ("Ping An Bank", "平安银行", "joint-stock commercial bank", "PAB"),
    ("Hua Xia Bank", "华夏银行", "joint-stock commercial bank", "HXB"),
    ("China CITIC Bank", "中信银行", "joint-stock commercial bank", "CITIC"),
    ("China Everbright Bank", "中国光大银行", "joint-stock commercial bank", "CEB"),
    ("Beijing Rural Commercial Bank", "北京农村商业银行", "rural commercial bank", "BRCB"),
    ("Bank of Shanghai", "上海银行", "city commercial bank", "BOS"),
    ("Bank of Hangzhou", "杭州银行", "city commercial bank", "HZB"),
    ("Bank of Nanjing", "南京银行", "city commercial bank", "NJCB"),
    ("Bank of Jiangsu", "江苏银行", "city commercial bank", "JSB"),
    ("Huishang Bank", "徽商银行", "city commercial bank", "HSB"),
]
AGENCY_TYPES = [
    ("Intellectual Property Bureau", "知识产权局"),
    ("Municipal Science and Technology Commission", "科学技术委员会"),
    ("Administration for Market Regulation", "市场监督管理局"),
    ("Development and Reform Commission", "发展和改革委员会"),
    ("Bureau of Finance", "财政局"),
    ("Commission of Economy and Information Technology", "经济和信息化委员会"),
]
ALLIANCE_TYPES = [
    ("Intellectual Property Service Alliance", "知识产权服务联盟"),
    ("Patent Operation Alliance", "专利运营联盟"),
    ("Technology Finance Association", "科技金融协会"),
    ("Industry Innovation Alliance", "产业创新联盟"),
]
PUBLISHERS = [
    ("China Daily", "chinadaily"),
    ("Xinhua", "xinhua"),
    ("Caixin", "caixin"),
    ("People's Daily", "peoples-daily"),
    ("Beijing Daily", "beijing-daily"),
    ("21st Century Business Herald", "21cbh"),
    ("China Intellectual Property News", "cipnews"),
    ("Economic Daily", "economic-daily"),
]
TOPICS = [
    "patent pledge financing",
    "IP-backed loans",
    "technology finance",
    "innovation credit",
    "IP securitization",
    "patent insurance",
    "venture lending",
    "IP service alliances",
]
PATENT_TOPICS = [
    "image recognition",
    "lithium battery electrodes",
    "5G antenna arrays",
    "gene sequencing",
    "drone flight control",
    "power semiconductor packaging",
    "smart grid metering",
    "biodegradable polymers",
    "LED phosphors",
    "industrial robot joints",
    "vaccine adjuvants",
    "optical fibre amplifiers",
    "speech synthesis",
    "wastewater treatment",
    "MEMS sensors",
]
PATENT_FORMS = ["Method for", "Device for", "System and method for", "Apparatus for"]
CREDIT_TYPES = [
    "patent-pledge loan",
    "IP-backed credit line",
    "trademark-pledge loan",
    "technology innovation loan",
    "patent-backed credit",
]
AGREEMENT_TYPES = [
    "strategic cooperation",
    "IP financing cooperation",
    "credit framework",
    "patent licensing",
    "technology transfer",
]
EVENT_TYPES = [
    ("launch ceremony", "Launch ceremony of"),
    ("signing ceremony", "Signing ceremony"),
    ("forum", "Forum on"),
    ("expo", "Expo on"),
    ("award ceremony", "Awards for"),
]
CURRENCIES = [("CNY", 0.90, 0.1632), ("USD", 0.07, 1.0), ("EUR", 0.03, 1.08)]

# --- Shape ----------------------------------------------------------------------------

# Kind -> share of the entities.
SHARES: dict[Kind, float] = {
    Kind.ORGANIZATION: 0.34,
    Kind.BANK: 0.006,
    Kind.PERSON: 0.22,
    Kind.PATENT: 0.20,
    Kind.CREDIT: 0.12,
    Kind.AGREEMENT: 0.04,
    Kind.EVENT: 0.04,
    Kind.GRANT: 0.02,
    Kind.PLACE: 0.014,
}
MIN_COUNT = 5  # of every kind, however small the graph


@dataclass(frozen=True)
class End:
    """Where one end of a relationship type is drawn from: pools of entities, each entity
    weighted 1/rank**alpha within its pool (alpha 0 is uniform), pools by weight."""

    pools: tuple[tuple[str, float], ...]
    alpha: float


def _end(alpha: float, *pools: str | tuple[str, float]) -> End:
    return End(tuple(p if isinstance(p, tuple) else (p, 1.0) for p in pools), alpha)


# Relationship type -> (from, to, weight of the free budget). LENT and BORROWED come one
# per credit, OWNS one per patent, HELD_AT one per event: the rest share what is left of
# the degree budget by weight.
FREE_TYPES: dict[str, tuple[End, End, float]] = {
    "ATTENDED": (_end(0.3, ("company", 4), ("person", 5), ("bank", 1)), _end(1.0, "event"), 2.0),
    "MEMBER_OF": (_end(0.2, "company"), _end(1.2, "alliance"), 1.2),
    "HOLDS_POSITION": (_end(0.0, "person"), _end(0.9, ("company", 5), ("bank", 1)), 1.4),
    "SECURES": (_end(0.2, "patent"), _end(0.4, "credit"), 1.0),
    "PARTY_TO": (
        _end(1.1, ("bank", 3), ("agency", 2), ("company", 1)),
        _end(0.5, "agreement"),
        1.0,
    ),
    "ADMINISTERS": (_end(1.2, "agency"), _end(0.3, ("company", 3), ("place", 1)), 0.8),
    "RECEIVED": (_end(0.5, "company"), _end(0.8, "grant"), 0.7),
    "LOCATED_IN": (_end(0.0, ("company", 8), ("bank", 1), ("event", 1)), _end(1.1, "place"), 0.6),
    "COMMENTED_ON": (
        _end(0.8, "person"),
        _end(1.0, ("bank", 2), ("agency", 2), ("company", 1), ("agreement", 1)),
        0.3,
    ),
    "ORGANIZED": (_end(1.2, ("agency", 3), ("alliance", 1), ("bank", 1)), _end(0.3, "event"), 0.3),
    "UNDER": (_end(0.0, "credit"), _end(1.0, "agreement"), 0.25),
    "PART_OF": (_end(0.3, "company"), _end(1.3, ("company", 3), ("agency", 1)), 0.15),
    "ESTABLISHED": (_end(1.2, ("agency", 2), ("company", 1)), _end(0.0, "company"), 0.12),
    "AWARDED": (_end(1.1, ("agency", 2), ("event", 1)), _end(0.0, "grant"), 0.12),
    "CONTRIBUTED_TO": (_end(0.5, "person"), _end(1.0, "publisher"), 0.05),
    "LAUNCHED": (_end(0.0, "event"), _end(0.5, "alliance"), 0.02),
}
PER_ENTITY_TYPES = ("LENT", "BORROWED", "OWNS", "HELD_AT")

# Share of organizations that are hubs of their own sort (at least a few of each).
AGENCY_SHARE, ALLIANCE_SHARE, PUBLISHER_COUNT = 0.002, 0.003, 8


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48].strip("-") or "x"


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _date(rng: random.Random, first_year: int = 2008, last_year: int = 2024) -> str:
    year = rng.randint(first_year, last_year)
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


@dataclass
class Graph:
    """The generated entities by pool (a role: bank, agency, company ...), in rank order:
    index 0 of a pool is its biggest hub."""

    entities: int
    degree: float
    seed: int
    pools: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, Kind] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class Generator:
    def __init__(self, entities: int, degree: float = 10.0, seed: int = 1) -> None:
        if entities < 100:
            raise ValueError("at least 100 entities")
        self.n = entities
        self.degree = degree
        self.seed = seed
        self.rng = random.Random(seed)
        self.graph = Graph(entities, degree, seed)
        self.serial = itertools.count()
        self.sources: list[dict[str, Any]] = []
        self._credit_ends: list[tuple[str, str, str]] = []  # (credit, lender, borrower)

    # -- entities ------------------------------------------------------------------------
    def _id(self, name: str) -> str:
        return f"{_slug(name)}-{_b36(next(self.serial))}"

    def _prov(self) -> list[dict[str, Any]]:
        rng = self.rng
        # Sources are Zipf-weighted too: a few articles state many facts.
        src = self.sources[min(int(rng.paretovariate(1.2)) - 1, len(self.sources) - 1)]
        entries = [{"source": src["id"], "paragraph": rng.randint(1, 24)}]
        if rng.random() < 0.15:
            other = self.sources[rng.randrange(len(self.sources))]
            if other is not src:
                entries.append({"source": other["id"], "paragraph": rng.randint(1, 24)})
        return entries

    def _entity(
        self, pool: str, kind: Kind, name: str, aliases: list[str], props: dict[str, Any]
    ) -> dict[str, Any]:
        entity_id = self._id(name)
        self.graph.pools.setdefault(pool, []).append(entity_id)
        self.graph.kinds[entity_id] = kind
        return {
            "id": entity_id,
            "kind": kind.value,
            "name": name,
            "aliases": aliases,
            "properties": {k: v for k, v in props.items() if v is not None},
            "provenance": self._prov(),
        }

    def make_sources(self, count: int = 300) -> list[dict[str, Any]]:
        rng = self.rng
        for i in range(count):
            publisher, short = PUBLISHERS[i % len(PUBLISHERS)]
            city = rng.choice(CITIES)[0]
            topic = rng.choice(TOPICS)
            surname, given = rng.choice(SURNAMES)[0], rng.choice(GIVEN)[0]
            self.sources.append(
                {
                    "record": "source",
                    "id": f"src-{short}-{i + 1}",
                    "title": f"{city} expands {topic} for technology firms ({i + 1})",
                    "publisher": publisher,
                    "publishedOn": _date(rng, 2010, 2024),
                    "authors": [f"{surname} {given}{rng.choice(GIVEN)[0].lower()}"],
                    "url": f"https://news.example.org/{short}/{i + 1}",
                }
            )
        return self.sources

    def _count(self, kind: Kind) -> int:
        return max(MIN_COUNT, round(self.n * SHARES[kind]))

    def _company_name(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.03:
            firm = rng.choice(FOREIGN_FIRMS)
            city, city_zh = rng.choice(CITIES)
            return f"{firm} ({city}) Co., Ltd.", f"{firm}（{city_zh}）有限公司"
        city, city_zh = rng.choice(CITIES)
        syl = rng.sample(SYLLABLES, rng.choice((2, 2, 3)))
        brand = "".join(s[0].lower() for s in syl).capitalize()
        brand_zh = "".join(s[1] for s in syl)
        industry, industry_zh = rng.choice(INDUSTRIES)
        return (f"{city} {brand} {industry} Co., Ltd.", f"{city_zh}{brand_zh}{industry_zh}有限公司")

    def _person_name(self) -> tuple[str, list[str]]:
        rng = self.rng
        if rng.random() < 0.04:
            return f"{rng.choice(WESTERN_FIRST)} {rng.choice(WESTERN_LAST)}", []
        surname, surname_zh = rng.choice(SURNAMES)
        given = rng.sample(GIVEN, rng.choice((1, 2, 2)))
        name = f"{surname} {''.join(g[0] for g in given).capitalize()}"
        return name, [surname_zh + "".join(g[1] for g in given)]

    def _money(self, median: float, sigma: float) -> dict[str, Any]:
        rng = self.rng
        amount = round(math.exp(rng.gauss(math.log(median), sigma)), -4) or 10_000.0
        r, acc = rng.random(), 0.0
        for code, share, usd in CURRENCIES:  # noqa: B007 (the one drawn is used below)
            acc += share
            if r <= acc:
                break
        return {"amount": float(amount), "currency": code, "usd": round(amount * usd, 2)}

    def entities(self) -> Iterator[dict[str, Any]]:
        """Every entity, pool by pool; relationships are drawn afterwards."""
        rng = self.rng
        n_places = self._count(Kind.PLACE)
        for i in range(n_places):
            if i < len(CITIES):
                name, zh = CITIES[i]
                props = {"placeType": "city", "country": "China", "nameZh": zh + "市"}
            elif i - len(CITIES) < len(DISTRICTS):
                name, zh = DISTRICTS[i - len(CITIES)]
                props = {"placeType": "district", "country": "China", "nameZh": zh}
            else:
                city, city_zh = rng.choice(CITIES)
                syl = rng.sample(SYLLABLES, 2)
                name = f"{city} {''.join(s[0] for s in syl)} Science Park"
                zh = f"{city_zh}{''.join(s[1] for s in syl)}科技园"
                props = {"placeType": "park", "country": "China", "nameZh": zh}
            yield self._entity("place", Kind.PLACE, name, [zh], props)

        n_banks = self._count(Kind.BANK)
        for i in range(n_banks):
            if i < len(BIG_BANKS):
                name, zh, btype, abbr = BIG_BANKS[i]
                aliases = [abbr, zh]
            else:
                city, city_zh = rng.choice(CITIES)
                syl = rng.choice(SYLLABLES)
                name = f"{city} {syl[0]}{'xin' if i % 2 else 'tong'} Rural Commercial Bank"
                zh = f"{city_zh}{syl[1]}{'信' if i % 2 else '通'}农村商业银行"
                btype, aliases = "rural commercial bank", [zh]
            yield self._entity("bank", Kind.BANK, name, aliases, {"bankType": btype, "nameZh": zh})

        n_orgs = self._count(Kind.ORGANIZATION)
        n_agencies = max(6, round(n_orgs * AGENCY_SHARE / SHARES[Kind.ORGANIZATION]))
        n_alliances = max(4, round(n_orgs * ALLIANCE_SHARE / SHARES[Kind.ORGANIZATION]))
        for i in range(n_agencies):
            city, city_zh = CITIES[i % len(CITIES)]
            what, what_zh = AGENCY_TYPES[(i // len(CITIES)) % len(AGENCY_TYPES)]
            zh = f"{city_zh}市{what_zh}"
            name = f"{city} {what}" + (
                f" ({i // (len(CITIES) * len(AGENCY_TYPES)) + 1})"
                if i >= len(CITIES) * len(AGENCY_TYPES)
                else ""
            )
            yield self._entity(
                "agency",
                Kind.ORGANIZATION,
                name,
                [zh],
                {"orgType": "government agency", "nameZh": zh},
            )
        for i in range(n_alliances):
            district, district_zh = DISTRICTS[i % len(DISTRICTS)]
            what, what_zh = ALLIANCE_TYPES[i % len(ALLIANCE_TYPES)]
            zh = f"{district_zh}{what_zh}"
            name = f"{district} {what}" + (
                f" {i // len(DISTRICTS) + 1}" if i >= len(DISTRICTS) else ""
            )
            yield self._entity(
                "alliance",
                Kind.ORGANIZATION,
                name,
                [zh],
                {"orgType": "alliance", "nameZh": zh, "memberCount": rng.randint(10, 300)},
            )
        for i in range(PUBLISHER_COUNT):
            name = PUBLISHERS[i][0]
            yield self._entity("publisher", Kind.ORGANIZATION, name, [], {"orgType": "publisher"})
        for _ in range(max(MIN_COUNT, n_orgs - n_agencies - n_alliances - PUBLISHER_COUNT)):
            name, zh = self._company_name()
            yield self._entity(
                "company", Kind.ORGANIZATION, name, [zh], {"orgType": "company", "nameZh": zh}
            )

        for _ in range(self._count(Kind.PERSON)):
            name, aliases = self._person_name()
            props = {"role": rng.choice(TITLES)}
            if aliases:
                props["nameZh"] = aliases[0]
            yield self._entity("person", Kind.PERSON, name, aliases, props)

        for _ in range(self._count(Kind.PATENT)):
            topic = rng.choice(PATENT_TOPICS)
            name = f"{rng.choice(PATENT_FORMS)} {topic}"
            number = f"CN{rng.randint(100000000, 119999999)}{rng.choice('AB')}"
            yield self._entity(
                "patent",
                Kind.PATENT,
                f"{name} ({number})",
                [number],
                {"patentNumber": number, "itemised": True},
            )

        # Credits come with their lender and borrower, drawn here so the name can say so.
        lenders = self._sampler(_end(1.1, ("bank", 9), ("company", 1)))
        borrowers = self._sampler(_end(0.6, "company"))
        for _ in range(self._count(Kind.CREDIT)):
            lender, borrower = lenders(), borrowers()
            money = self._money(5e6, 1.3)
            props = {
                "creditType": rng.choice(CREDIT_TYPES),
                "amount": money["amount"],
                "currency": money["currency"],
                "collateral": f"{rng.randint(1, 40)} pledged patents",
            }
            if money["currency"] != "USD":
                props["convertedAmount"] = money["usd"]
                props["convertedCurrency"] = "USD"
            short = _short_name(borrower)
            ent = self._entity(
                "credit", Kind.CREDIT, f"{props['creditType'].capitalize()} to {short}", [], props
            )
            self._credit_ends.append((ent["id"], lender, borrower))
            yield ent

        for _ in range(self._count(Kind.AGREEMENT)):
            money = self._money(2e8, 1.5)
            atype = rng.choice(AGREEMENT_TYPES)
            city = rng.choice(CITIES)[0]
            props = {
                "agreementType": atype,
                "purpose": f"{rng.choice(TOPICS).capitalize()} for {city} technology firms",
                "totalCredit": money["amount"],
                "totalCreditCurrency": money["currency"],
                "bankCount": rng.randint(1, 9),
                "signedOn": _date(rng),
            }
            yield self._entity(
                "agreement",
                Kind.AGREEMENT,
                f"{city} {atype} agreement of {props['signedOn'][:4]}",
                [],
                props,
            )

        for _ in range(self._count(Kind.EVENT)):
            etype, prefix = rng.choice(EVENT_TYPES)
            props = {"eventType": etype, "date": _date(rng), "attendanceMin": rng.randint(20, 800)}
            name = f"{prefix} {rng.choice(TOPICS)}, {rng.choice(CITIES)[0]} {props['date'][:4]}"
            yield self._entity("event", Kind.EVENT, name, [], props)

        for _ in range(self._count(Kind.GRANT)):
            props = {"recipientCount": rng.randint(1, 30), "recipientType": "companies"}
            name = f"{rng.choice(CITIES)[0]} {rng.choice(TOPICS)} grants {_date(rng)[:4]}"
            yield self._entity("grant", Kind.GRANT, name, [], props)

    # -- relationships -------------------------------------------------------------------
    def _sampler(self, end: End):
        """A function drawing one id from `end`'s pools (Zipf within a pool)."""
        rng = self.rng
        pools = [(self.graph.pools.get(name, []), w) for name, w in end.pools]
        pools = [(ids, w) for ids, w in pools if ids]
        cum = list(itertools.accumulate(w for _, w in pools))
        within = []
        for ids, _ in pools:
            weights = (1.0 / (rank + 1) ** end.alpha for rank in range(len(ids)))
            within.append(list(itertools.accumulate(weights)))
        choose = rng.choices

        def draw() -> str:
            k = choose(range(len(pools)), cum_weights=cum)[0] if len(pools) > 1 else 0
            return choose(pools[k][0], cum_weights=within[k])[0]

        return draw

    def relationships(self) -> Iterator[dict[str, Any]]:
        seen: set[tuple[str, str, str]] = set()

        def rel(start: str, rtype: str, end: str, props: dict | None = None) -> dict | None:
            key = (start, rtype, end)
            if start == end or key in seen:
                return None
            seen.add(key)
            return {
                "from": start,
                "type": rtype,
                "to": end,
                "properties": props or {},
                "provenance": self._prov(),
            }

        # One per credit, patent and event.
        for credit, lender, borrower in self._credit_ends:
            for r in (rel(lender, "LENT", credit), rel(borrower, "BORROWED", credit)):
                if r:
                    yield r
        owners = self._sampler(_end(0.8, ("company", 20), ("bank", 1)))
        for patent in self.graph.pools.get("patent", []):
            if r := rel(owners(), "OWNS", patent):
                yield r
        places = self._sampler(_end(1.0, "place"))
        for event in self.graph.pools.get("event", []):
            if r := rel(event, "HELD_AT", places()):
                yield r

        fixed = len(seen)
        budget = max(0, round(self.n * self.degree) - fixed)
        total_weight = sum(w for *_, w in FREE_TYPES.values())
        for rtype, (start_end, end_end, weight) in FREE_TYPES.items():
            want = round(budget * weight / total_weight)
            starts, ends = self._sampler(start_end), self._sampler(end_end)
            made, tries = 0, 0
            while made < want and tries < want * 3:
                tries += 1
                r = rel(starts(), rtype, ends(), self._rel_props(rtype))
                if r:
                    made += 1
                    yield r

    def _rel_props(self, rtype: str) -> dict[str, Any]:
        rng = self.rng
        if rtype == "HOLDS_POSITION":
            return {"title": rng.choice(TITLES)}
        if rtype == "PARTY_TO":
            return {"role": rng.choice(("lender", "government", "borrower", "guarantor"))}
        if rtype == "MEMBER_OF":
            return {"since": _date(rng, 2010, 2024)}
        if rtype == "COMMENTED_ON":
            return {
                "summary": f"Said {rng.choice(TOPICS)} helps smaller firms grow",
                "occasion": "at a press briefing",
            }
        if rtype in ("ORGANIZED", "ATTENDED"):
            return {"role": rng.choice(("host", "co-organizer", "guest", "speaker"))}
        return {}


def _short_name(company_id: str) -> str:
    """A company's name for a credit's name, read back from its id's slug."""
    words = company_id.rsplit("-", 1)[0].replace("-co-ltd", "").split("-")
    return " ".join(w.capitalize() for w in words)


@dataclass
class Written:
    path: Path
    entities: int
    relationships: int
    sources: int
    seconds: float
    meta: dict[str, Any]


def write(path: Path, entities: int, degree: float = 10.0, seed: int = 1) -> Written:
    """Writes the JSON Lines file (sources, then entities, then relationships) and
    `<path>.meta.json`."""
    started = time.monotonic()
    gen = Generator(entities, degree, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = {"entities": 0, "relationships": 0}
    by_type: dict[str, int] = dict.fromkeys(RELATIONSHIP_TYPES, 0)
    degrees: dict[str, int] = {}
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("wb") as out:
        for source in gen.make_sources():
            out.write(orjson.dumps(source) + b"\n")
        for ent in gen.entities():
            counts["entities"] += 1
            out.write(orjson.dumps(ent) + b"\n")
        for r in gen.relationships():
            counts["relationships"] += 1
            by_type[r["type"]] += 1
            degrees[r["from"]] = degrees.get(r["from"], 0) + 1
            degrees[r["to"]] = degrees.get(r["to"], 0) + 1
            out.write(orjson.dumps(r) + b"\n")
    tmp.replace(path)
    pools = gen.graph.pools
    ranked = sorted(degrees.items(), key=lambda kv: (-kv[1], kv[0]))
    top = max(1, len(gen.graph.kinds) // 100)
    meta = {
        "entities": counts["entities"],
        "relationships": counts["relationships"],
        "sources": len(gen.sources),
        "seed": seed,
        "degree": degree,
        "relationshipsByType": by_type,
        "hubBank": pools["bank"][0],
        "hubAgency": pools["agency"][0],
        "topDegrees": ranked[:10],
        "top1PercentEdgeShare": round(
            sum(d for _, d in ranked[:top]) / (2 * max(1, counts["relationships"])), 3
        ),
    }
    Path(str(path) + ".meta.json").write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    return Written(
        path,
        counts["entities"],
        counts["relationships"],
        len(gen.sources),
        time.monotonic() - started,
        meta,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--degree", type=float, default=10.0, help="relationships per entity")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="the JSON Lines file to write")
    args = parser.parse_args()
    done = write(args.out, args.entities, args.degree, args.seed)
    print(
        f"{done.path}: {done.entities:,} entities, {done.relationships:,} relationships, "
        f"{done.sources} sources in {done.seconds:.1f}s; the top 1% of entities hold "
        f"{done.meta['top1PercentEdgeShare']:.0%} of relationship ends"
    )


if __name__ == "__main__":
    main()
