"""A graph with planted duplicates, and how well `duplicateCandidates` finds them.

    .venv/bin/python -m bench.duplicates                      # 20,000 entities
    .venv/bin/python -m bench.duplicates --entities 100000    # and how long it takes

The base graph is bench/generate.py's (seeded, bilingual names, heavy-tailed degrees),
made distinct where its generator repeats a name by chance (organizations, banks,
places, patent numbers: the later one is left out); people, credits, agreements,
events and grants keep their repeated names, as real graphs do, told apart by their
properties and relationships. Then:

- **duplicates**: for a share of organizations, banks, people, places and patents, a
  second entity as another source would write it: the name spelt another way (legal
  form, case and punctuation; a misspelt word; words in another order or spaced
  differently; initials; the Chinese name alone, linked through the first's Chinese
  name or alias), some of the first's properties, and 0 to 3 of its relationships;
- **look-alikes**: distinct entities that resemble existing ones ("Bank of Nanjing"
  and "Bank of Beijing" are in the base already): a company of the same brand in
  another industry or city, a brand one letter apart, a person of the same name, each
  with a Chinese name and relationships of its own.

It loads the graph into a Neo4j of its own (data/duplicates, port DUPLICATES_NEO4J_PORT,
7693 by default; wiped first), asks `duplicateCandidates` through the GraphQL schema for
every page at a low threshold, and prints precision and recall of the planted pairs at
the default threshold and others, and how long the ranking took.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from bench.generate import BIG_BANKS, CITIES, INDUSTRIES, SYLLABLES, Generator
from graph.db import Database
from graph.local_neo4j import LocalNeo4j, build_launcher
from graph.matching.names import initials, read
from graph.matching.scoring import DEFAULT_THRESHOLD
from graph.matching.similarity import edit_distance
from graph.settings import ROOT, Settings

DATA = ROOT / "data" / "duplicates"
DEFAULT_PORT = 7693
SECOND_SOURCE = {
    "record": "source",
    "id": "src-second-source",
    "title": "A second source, spelling names its own way",
    "publisher": "Planted",
    "publishedOn": "2024-01-01",
}
# Kinds whose repeated names the base generator makes by chance (left out of the base).
DISTINCT_KINDS = ("ORGANIZATION", "BANK", "PLACE", "PATENT")
# Shares of each kind that get a planted duplicate, and the ways their names vary.
PLANTED = {
    "ORGANIZATION": ("legal", "typo", "spacing", "chinese", "order", "abbreviation", "subset"),
    "BANK": ("legal", "typo", "chinese", "abbreviation"),
    "PERSON": ("order", "chinese", "case", "hyphen"),
    "PLACE": ("chinese", "typo"),
    "PATENT": ("wording",),
}
SYLLABLES_LONGEST = sorted(SYLLABLES, key=lambda s: len(s[0]), reverse=True)
SYLLABLE_NAMES = [s for s, _ in SYLLABLES_LONGEST]
LEGAL_FORMS = (" Co., Ltd.", " Company Limited", " CO LTD", " Corporation", " Group")


@dataclass
class Planted:
    records: list[dict[str, Any]]
    duplicates: dict[tuple[str, str], str] = field(default_factory=dict)  # pair -> variation
    lookalikes: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def entities(self) -> int:
        return sum(1 for r in self.records if "kind" in r)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _typo(rng: random.Random, name: str) -> str | None:
    words = [w for w in name.split() if len(w) >= 6 and w.isalpha()]
    if not words:
        return None
    word = rng.choice(words)
    i = rng.randrange(1, len(word) - 2)
    how = rng.choice(("drop", "double", "swap"))
    if how == "drop":
        typo = word[:i] + word[i + 1 :]
    elif how == "double":
        typo = word[:i] + word[i] + word[i:]
    else:
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return name.replace(word, typo, 1)


def _strip_legal(name: str) -> str:
    for form in (" Co., Ltd.", " Co. Ltd.", " Ltd."):
        if name.endswith(form):
            return name[: -len(form)]
    return name


def variant(
    rng: random.Random, ent: dict[str, Any], how: str, taken: set[str]
) -> dict[str, Any] | None:
    """The entity's name (and aliases, Chinese name) as a second source might give them;
    None when this variation does not apply to it. `taken`: abbreviations planted so far."""
    name, kind = ent["name"], ent["kind"]
    zh = ent["properties"].get("nameZh")
    aliases: list[str] = []
    new_zh = zh if zh and rng.random() < 0.5 else None
    if how == "legal":
        base = _strip_legal(name)
        new = base + rng.choice(LEGAL_FORMS)
        if rng.random() < 0.3:
            new = new.upper()
    elif how == "case":
        surname, _, given = name.partition(" ")
        new = f"{surname.upper()} {given}"
    elif how == "typo":
        new = _typo(rng, name)
        if new is None:
            return None
    elif how == "spacing":
        words = name.split()
        brand = words[1] if len(words) > 2 else ""
        cut = next(
            (len(s) for s in SYLLABLE_NAMES if brand.startswith(s) and len(brand) > len(s)), None
        )
        if cut is None:
            return None
        words[1] = brand[:cut] + " " + brand[cut].upper() + brand[cut + 1 :]
        new = " ".join(words)
    elif how == "chinese":
        if not zh:
            return None
        new, new_zh = zh.removesuffix("市") if kind == "PLACE" else zh, zh
    elif how == "order":
        if kind == "PERSON":
            surname, _, given = name.partition(" ")
            if not given:
                return None
            new = f"{given} {surname}"
        else:
            words = _strip_legal(name).split()
            if len(words) < 3:
                return None
            new = " ".join(words[1:]) + f" ({words[0]}) Co., Ltd."
    elif how == "hyphen":
        surname, _, given = name.partition(" ")
        syllables = [
            g
            for g in (
                "jian",
                "guo",
                "wei",
                "fang",
                "min",
                "jing",
                "qiang",
                "jun",
                "yang",
                "yong",
                "tao",
                "ming",
                "chao",
                "hua",
                "ping",
                "hui",
                "bin",
                "lan",
                "hai",
                "xia",
                "peng",
                "hong",
                "ling",
                "feng",
                "lei",
                "yan",
                "jie",
                "xiu",
                "li",
                "yi",
            )
            if given.lower().startswith(g) and len(given) > len(g)
        ]
        if not syllables:
            return None
        first = syllables[0]
        new = f"{surname} {given[: len(first)]}-{given[len(first) :].lower()}"
    elif how == "abbreviation":
        abbr = next((b[3] for b in BIG_BANKS if b[0] == name), None)
        if abbr is None:
            letters = initials(read(name).tokens).upper()
            if len(letters) < 3 or any(c.isdigit() for c in name):
                return None
            abbr = letters
        if abbr in taken:  # one planted abbreviation per name: two would be look-alikes
            return None
        taken.add(abbr)
        new = abbr
    elif how == "subset":
        words = _strip_legal(name).split()
        if len(words) < 3:
            return None
        new = " ".join(words[1:]) + " Co., Ltd."
    elif how == "wording":
        title, _, number = name.rpartition(" (")
        form = next(
            (
                f
                for f in ("System and method for", "Method for", "Device for", "Apparatus for")
                if title.startswith(f)
            ),
            None,
        )
        if form is None:
            return None
        other = rng.choice([f for f in ("Method for", "Device for", "Apparatus for") if f != form])
        new = f"{other}{title[len(form) :]} ({number}"
        aliases = [number.rstrip(")")]
    else:
        raise ValueError(how)
    if new == name:
        return None
    props = {k: v for k, v in ent["properties"].items() if k != "nameZh" and rng.random() < 0.6}
    if new_zh:
        props["nameZh"] = new_zh
    if how != "chinese" and zh and rng.random() < 0.3:
        aliases.append(zh)
    return {"name": new, "aliases": aliases, "properties": props}


def _company_parts(
    name: str, zh: str
) -> tuple[tuple[str, str], list[tuple[str, str]], tuple[str, str]] | None:
    """(city, brand syllables, industry) of a generated company, each with its Chinese."""
    city = next((c for c in CITIES if name.startswith(c[0] + " ") and zh.startswith(c[1])), None)
    industry = next((i for i in INDUSTRIES if name.endswith(f" {i[0]} Co., Ltd.")), None)
    if city is None or industry is None:
        return None
    brand = name[len(city[0]) + 1 : -len(f" {industry[0]} Co., Ltd.")]
    syllables: list[tuple[str, str]] = []
    rest = brand.lower()
    while rest:
        found = next((x for x in SYLLABLES_LONGEST if rest.startswith(x[0].lower())), None)
        if found is None:
            return None
        syllables.append(found)
        rest = rest[len(found[0]) :]
    return city, syllables, industry


def _company(city: tuple[str, str], syllables: list[tuple[str, str]], industry: tuple[str, str]):
    brand = "".join(s[0].lower() for s in syllables).capitalize()
    return (
        f"{city[0]} {brand} {industry[0]} Co., Ltd.",
        f"{city[1]}{''.join(s[1] for s in syllables)}{industry[1]}有限公司",
    )


def _lookalike(rng: random.Random, ent: dict[str, Any], names: set[str]) -> dict[str, Any] | None:
    """A distinct entity resembling `ent`, with a Chinese name of its own that goes with its
    English one; None when none can be made or it would repeat a name in `names`."""
    kind, name = ent["kind"], ent["name"]
    if kind == "ORGANIZATION" and ent["properties"].get("orgType") == "company":
        parts = _company_parts(name, ent["properties"].get("nameZh") or "")
        if parts is None:
            return None
        city, syllables, industry = parts
        how = rng.choice(("industry", "city", "letter"))
        if how == "industry":
            industry = rng.choice([i for i in INDUSTRIES if i != industry])
        elif how == "city":
            city = rng.choice([c for c in CITIES if c != city])
        else:  # one syllable of the brand changed, a letter apart where one is
            i = rng.randrange(len(syllables))
            near = [
                x
                for x in SYLLABLES
                if x != syllables[i]
                and edit_distance(x[0].lower(), syllables[i][0].lower(), 1) == 1
            ]
            syllables = [*syllables]
            syllables[i] = rng.choice(near or [x for x in SYLLABLES if x != syllables[i]])
        new, zh = _company(city, syllables, industry)
        if new in names or zh in names:
            return None
        names |= {new, zh}
        props = {**ent["properties"], "nameZh": zh}
        return {"name": new, "aliases": [zh], "properties": props, "how": f"company-{how}"}
    if kind == "PERSON" and ent["properties"].get("nameZh"):
        props = {
            "role": rng.choice(["Director", "Chairman", "Patent Attorney", "President"]),
            "nameZh": ent["properties"]["nameZh"],
        }
        return {"name": name, "aliases": [], "properties": props, "how": "person-same-name"}
    return None


def _distinct_base(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    """The base records without the later of two entities of a DISTINCT_KINDS kind whose
    names (or patent numbers) read the same, and without their relationships."""
    seen: set[tuple[str, str]] = set()
    dropped: set[str] = set()
    for rec in records:
        if rec.get("kind") not in DISTINCT_KINDS:
            continue
        keys = {
            (rec["kind"], "=" + " ".join(sorted(read(t).words)) + read(t).cjk)
            for t in [rec["name"], *rec.get("aliases", [])]
        }
        if keys & seen:
            dropped.add(rec["id"])
        seen |= keys
    kept = [
        r
        for r in records
        if r.get("id") not in dropped
        and r.get("from") not in dropped
        and r.get("to") not in dropped
    ]
    return kept, dropped


def plant(
    entities: int,
    seed: int = 1,
    share: float = 0.02,
    lookalikes: float = 0.01,
    degree: float = 6.0,
    prefix: str = "",
) -> Planted:
    """The base graph of `entities` with duplicates planted for `share` of the entities
    of the kinds in PLANTED and look-alikes for `lookalikes` of companies and people.
    `prefix` starts every id (a test's graph shares its Neo4j with others)."""
    gen = Generator(entities, degree, seed)
    rng = random.Random(seed * 7919 + 1)
    base = [*gen.make_sources(), *gen.entities(), *gen.relationships()]
    base, _ = _distinct_base(base)
    second = {**SECOND_SOURCE, "id": prefix + SECOND_SOURCE["id"]}
    if prefix:
        for rec in base:
            for key in ("id", "from", "to"):
                if key in rec:
                    rec[key] = prefix + rec[key]
            for entry in rec.get("provenance", []):
                entry["source"] = prefix + entry["source"]
    ents = [r for r in base if "kind" in r]
    rels_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in base:
        if "type" in rec:
            rels_of[rec["from"]].append(rec)
            rels_of[rec["to"]].append(rec)
    planted = Planted(base + [second])
    serial = 0

    def add(ent: dict[str, Any], made: dict[str, Any], copy_from: dict[str, Any], k: int) -> str:
        nonlocal serial
        serial += 1
        new_id = f"{prefix}planted-{serial}"
        planted.records.append(
            {
                "id": new_id,
                "kind": ent["kind"],
                "name": made["name"],
                "aliases": made["aliases"],
                "properties": made["properties"],
                "provenance": [{"source": second["id"], "paragraph": rng.randint(1, 20)}],
            }
        )
        mine = rels_of.get(copy_from["id"], [])
        for rel in rng.sample(mine, min(k, len(mine))):
            moved = {**rel, "provenance": [{"source": second["id"], "paragraph": 1}]}
            end = "from" if rel["from"] == copy_from["id"] else "to"
            moved[end] = new_id
            if moved["from"] != moved["to"]:
                planted.records.append(moved)
        return new_id

    taken: set[str] = set()
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ent in ents:
        by_kind[ent["kind"]].append(ent)
    for kind, ways in PLANTED.items():
        pool = by_kind.get(kind, [])
        wanted = round(len(pool) * share * (0.3 if kind == "PATENT" else 1.0))
        chosen = rng.sample(pool, max(1, wanted)) if pool else []
        for ent in chosen:
            for how in rng.sample(ways, len(ways)):
                made = variant(rng, ent, how, taken)
                if made is not None:
                    break
            else:
                continue
            k = rng.choices((0, 1, 2, 3), weights=(2, 3, 3, 2))[0]
            new_id = add(ent, made, ent, k)
            planted.duplicates[_pair(ent["id"], new_id)] = how
    names = {t for e in ents for t in (e["name"], *e.get("aliases", []))}
    for kind in ("ORGANIZATION", "PERSON"):
        pool = by_kind.get(kind, [])
        for ent in rng.sample(pool, max(1, round(len(pool) * lookalikes))) if pool else []:
            made = _lookalike(rng, ent, names)
            if made is None:
                continue
            other = rng.choice(pool)  # the shape of someone else's relationships
            new_id = add(ent, made, other, rng.choice((1, 2, 3)))
            planted.lookalikes[_pair(ent["id"], new_id)] = made["how"]
    return planted


def write(planted: Planted, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for rec in planted.records:
            out.write(orjson.dumps(rec) + b"\n")


# --- Measuring ---------------------------------------------------------------------------

QUERY = """query($t: Float!, $after: String) {
  duplicateCandidates(threshold: $t, first: 100, after: $after) {
    totalCount compared crowded pageInfo { hasNextPage endCursor }
    edges { node { score a { id } b { id } } }
  }
}"""


async def candidates(db: Database, threshold: float) -> tuple[list[tuple[float, str, str]], dict]:
    """Every candidate at `threshold`, through the GraphQL schema, and the counts."""
    from graph.resolvers.context import Context
    from graph.schema import schema

    out: list[tuple[float, str, str]] = []
    after = None
    while True:
        result = await schema.execute(
            QUERY, variable_values={"t": threshold, "after": after}, context_value=Context(db=db)
        )
        if result.errors:
            raise SystemExit(f"duplicateCandidates failed: {result.errors}")
        page = result.data["duplicateCandidates"]
        out += [
            (e["node"]["score"], e["node"]["a"]["id"], e["node"]["b"]["id"]) for e in page["edges"]
        ]
        if not page["pageInfo"]["hasNextPage"]:
            return out, {k: page[k] for k in ("totalCount", "compared", "crowded")}
        after = page["pageInfo"]["endCursor"]


@dataclass(frozen=True)
class Figures:
    threshold: float
    proposed: int
    found: int
    planted: int

    @property
    def precision(self) -> float:
        return self.found / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0


def figures(
    found: list[tuple[float, str, str]], truth: set[tuple[str, str]], threshold: float
) -> Figures:
    chosen = {(a, b) for score, a, b in found if score >= threshold}
    return Figures(threshold, len(chosen), len(chosen & truth), len(truth))


def settings() -> Settings:
    env = dict(os.environ)
    env["DATA_DIR"] = str(DATA)
    env["LOCAL_NEO4J_PORT"] = env.get("DUPLICATES_NEO4J_PORT", str(DEFAULT_PORT))
    env.setdefault("LOCAL_NEO4J_HEAP", "2g")
    env.setdefault("LOCAL_NEO4J_PAGECACHE", "2g")
    env.pop("NEO4J_URI", None)
    return replace(Settings.from_env(env), query_timeout_s=120.0)


async def load(cfg: Settings, path: Path) -> float:
    from graph.bulk.command import file_input
    from graph.bulk.ingestion import ingest

    db, source = Database(cfg), file_input(path)
    try:
        started = time.monotonic()
        report = await ingest(db, [source], by="bench", via="ingest")
        if report.invalid or report.rejected:
            raise SystemExit(
                f"the planted graph was refused: {report.invalid[:3]}{report.rejected[:3]}"
            )
        return time.monotonic() - started
    finally:
        source.close()
        await db.close()


async def measure(cfg: Settings, planted: Planted, low: float, wrong: int = 0) -> None:
    from graph.bulk.ingestion import ensure_schema

    db = Database(cfg)
    try:
        await ensure_schema(db)  # keys made by older rules are made again
        started = time.monotonic()
        default, _ = await candidates(db, DEFAULT_THRESHOLD)
        took_default = time.monotonic() - started
        started = time.monotonic()
        found, counts = await candidates(db, low)
        took = time.monotonic() - started
        if wrong:
            await show_wrong(db, planted, wrong)
    finally:
        await db.close()
    truth = set(planted.duplicates)
    print(
        f"ranked at the default threshold {DEFAULT_THRESHOLD}: {len(default):,} candidates "
        f"in {took_default:.1f}s; at {low}: {counts['totalCount']:,} of "
        f"{counts['compared']:,} pairs compared ({counts['crowded']} crowded keys) in {took:.1f}s"
    )
    print("\n| threshold | proposed | planted found | precision | recall |")
    print("|---|---|---|---|---|")
    for t in sorted({low, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, DEFAULT_THRESHOLD}):
        if t < low:
            continue
        f = figures(found, truth, t)
        mark = " (default)" if t == DEFAULT_THRESHOLD else ""
        print(
            f"| {t:.2f}{mark} | {f.proposed:,} | {f.found:,} of {f.planted:,} | "
            f"{f.precision:.3f} | {f.recall:.3f} |"
        )
    chosen = {(a, b) for s, a, b in found if s >= DEFAULT_THRESHOLD}
    by_way = Counter(planted.duplicates.values())
    hit = Counter(how for pair, how in planted.duplicates.items() if pair in chosen)
    print(
        "\nrecall at the default threshold by variation: "
        + ", ".join(f"{how} {hit[how]}/{n}" for how, n in sorted(by_way.items()))
    )
    fooled = Counter(how for pair, how in planted.lookalikes.items() if pair in chosen)
    print(
        f"planted look-alikes proposed: {sum(fooled.values())} of {len(planted.lookalikes)} "
        f"({dict(fooled)})"
    )


async def show_wrong(db: Database, planted: Planted, count: int) -> None:
    """The best-scored proposals that are not planted duplicates, and the planted ones
    missed, with their signals (for tuning)."""
    from graph.resolvers.duplicates import rank

    ranked = await rank(db, None, 0.3)
    truth = set(planted.duplicates)
    names = {r["id"]: r["name"] for r in planted.records if "kind" in r}
    shown = 0
    print("\nwrong proposals, best first:")
    for value, a, b, result, kind in ranked.candidates:
        if (a, b) in truth or value < DEFAULT_THRESHOLD:
            continue
        print(f"  {value} {kind} {names.get(a)!r} | {names.get(b)!r}")
        for s in result.signals:
            print(f"      {s.name} {s.contribution}: {s.detail[:160]}")
        shown += 1
        if shown >= count:
            break
    found = {(a, b): value for value, a, b, _, _ in ranked.candidates}
    print("\nplanted duplicates missed at the default threshold:")
    missed = [(found.get(p, 0.0), p) for p in truth if found.get(p, 0.0) < DEFAULT_THRESHOLD]
    for value, (a, b) in sorted(missed, reverse=True)[:count]:
        entry = next((c for c in ranked.candidates if (c[1], c[2]) == (a, b)), None)
        print(f"  {value} {planted.duplicates[(a, b)]} {names.get(a)!r} | {names.get(b)!r}")
        for s in entry[3].signals if entry else ():
            print(f"      {s.name} {s.contribution}: {s.detail[:160]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--share",
        type=float,
        default=0.02,
        help="share of organizations, banks, people, places (and a third of it of patents) "
        "duplicated",
    )
    parser.add_argument("--low", type=float, default=0.3, help="the lowest threshold reported")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave Neo4j running with the graph loaded; the next run with the same "
        "arguments then measures without loading it again",
    )
    parser.add_argument("--wrong", type=int, default=0, help="print this many wrong proposals")
    args = parser.parse_args()
    planted = plant(args.entities, args.seed, args.share)
    path = DATA / f"planted-{args.entities}-s{args.seed}-{args.share:g}.jsonl"
    cfg = settings()
    build_launcher(print)
    neo = LocalNeo4j(cfg)
    write(planted, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    note = DATA / "loaded.txt"
    loaded = note.exists() and note.read_text() == digest and neo.running_pid() is not None
    try:
        if not loaded:
            neo.stop()
            note.unlink(missing_ok=True)
            if neo.home.exists():
                shutil.rmtree(neo.home)
            neo.start(log=print)
            took = asyncio.run(load(cfg, path))
            note.write_text(digest)
            print(f"loaded in {took:.0f}s")
        print(
            f"{path.name}: {planted.entities:,} entities, {len(planted.duplicates)} planted "
            f"duplicates, {len(planted.lookalikes)} planted look-alikes"
        )
        asyncio.run(measure(cfg, planted, args.low, args.wrong))
    finally:
        if not args.keep:
            neo.stop()
            note.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
