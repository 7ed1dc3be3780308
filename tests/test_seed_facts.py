"""Every fact group of the seed article, asserted through GraphQL over HTTP.

The expected values are written from the article itself (China Daily, 2013-08-02, "China's
first intellectual property service alliance established in Zhongguancun", by Guo Yiming), never
read from seed/article.json. Body paragraphs are numbered from 1 at "A launching ceremony"
(see seed/README.md).
"""

from __future__ import annotations

import pytest

# --- ids (the API's stable slugs) -------------------------------------------------------------

ALLIANCE = "zhongguancun-ip-service-alliance"
BUREAU = "beijing-intellectual-property-bureau"
SIPO = "state-intellectual-property-office"
PLANNING = "sipo-department-of-planning"
PARK = "zhongguancun-science-park"
COMMITTEE = "zhongguancun-science-park-administrative-committee"
INTELLECTUAL_COMMITTEE = "beijing-intellectual-committee"
POTEVIO = "potevio"
FOUNDATION = "zhongguancun-public-patent-foundation"
CHINA_DAILY = "china-daily"
BMDRC = "bmdrc"
MINOR_CENTER = "bmdrc-minor-enterprise-service-center"
ZGC_GROUP = "zhongguancun-development-group"
ANALYSYS = "analysys-international"
BOC = "bank-of-china"
BOB = "bank-of-beijing"
BEIJING = "beijing"
AGREEMENT = "beijing-ip-bureau-banks-ip-financing-agreement"
CREDIT = "potevio-credit-bank-of-beijing"
PATENTS = "potevio-pledged-patents"
CEREMONY = "zhongguancun-ip-service-alliance-launch-ceremony"
GRANTS = "zhongguancun-ip-service-alliance-launch-grants"
SIPO_DIRECTOR = "sipo-department-of-planning-director"
BUREAU_OFFICIAL = "beijing-intellectual-property-bureau-official"
PARK_DIRECTOR = "zhongguancun-science-park-administrative-committee-director"

# --- the article's own words ------------------------------------------------------------------

HEADLINE = "China\u2019s first intellectual property service alliance established in Zhongguancun"
PUBLISHED_ON = "2013-08-02"
CEREMONY_DATE = "2013-07-30"

# Phrases the article quotes or states; a paraphrase must not copy them.
ARTICLE_PHRASES = [
    "valuable attempt for Zhongguancun to vitalize existing resources",
    "another giant step to realize a cluster effect",
    "facilitate the development of emerging industries with strategic importance",
    "play an essential role for innovation",
    "continue to promote comprehensive development of IPR matters",
]

# Personal names the article gives; an unnamed actor must not carry any of them.
NAMED_PEOPLE = [
    "Guo Yiming",
    "Wang Yifei",
    "Niva Whyman",
    "Zhang Yiping",
    "Yu Jun",
    "Yu Yang",
]

PROV = "provenance { paragraph locator source { id title } }"
REF = "id kind name"


# --- helpers ----------------------------------------------------------------------------------


def entity(gql, entity_id: str, selection: str = "") -> dict:
    """One entity by id with its common fields plus `selection`; fails if missing."""
    data = gql(
        "query($id: ID!) { entity(id: $id) { id kind name aliases properties "
        f"{PROV} {selection} }} }}",
        {"id": entity_id},
    )
    found = data["entity"]
    assert found is not None, f"no entity {entity_id!r}"
    return found


def ids(items: list[dict]) -> set[str]:
    return {item["id"] for item in items}


def paragraphs(provenance: list[dict]) -> set[int]:
    return {p["paragraph"] for p in provenance if p["paragraph"] is not None}


def locators(provenance: list[dict]) -> set[str]:
    return {p["locator"] for p in provenance if p["locator"] is not None}


def relationships(gql, entity_id: str, rel_type: str, direction: str = "OUT") -> list[dict]:
    data = gql(
        "query($id: ID!, $types: [String!], $dir: Direction!) { entity(id: $id) {"
        " relationships(types: $types, direction: $dir) {"
        f" type direction properties other {{ {REF} }} {PROV} }} }} }}",
        {"id": entity_id, "types": [rel_type], "dir": direction},
    )
    return data["entity"]["relationships"]


def one_relationship(gql, from_id: str, rel_type: str, to_id: str) -> dict:
    found = [r for r in relationships(gql, from_id, rel_type) if r["other"]["id"] == to_id]
    assert len(found) == 1, f"{from_id} -{rel_type}-> {to_id}: {found}"
    return found[0]


def search(gql, text: str, kinds: list[str] | None = None, first: int = 10) -> list[dict]:
    data = gql(
        "query($t: String!, $k: [EntityKind!], $n: Int!) {"
        f" search(text: $t, kinds: $k, first: $n) {{ score entity {{ {REF} }} }} }}",
        {"t": text, "k": kinds, "n": first},
    )
    return data["search"]


def shortest_path(gql, from_id: str, to_id: str, max_hops: int = 6) -> dict | None:
    data = gql(
        "query($a: ID!, $b: ID!, $h: Int!) { shortestPath(fromId: $a, toId: $b, maxHops: $h) {"
        f" length nodes {{ {REF} }} edges {{ type from to }} }} }}",
        {"a": from_id, "b": to_id, "h": max_hops},
    )
    return data["shortestPath"]


def straight(text: str) -> str:
    return text.replace("\u2019", "'")


# --- organizations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entity_id", "kind", "name"),
    [
        (BUREAU, "ORGANIZATION", "Beijing Intellectual Property Bureau"),
        (SIPO, "ORGANIZATION", "State Intellectual Property Office"),
        (PLANNING, "ORGANIZATION", "Department of Planning"),
        (PARK, "ORGANIZATION", "Zhongguancun Science Park"),
        (INTELLECTUAL_COMMITTEE, "ORGANIZATION", "Beijing Intellectual Committee"),
        (POTEVIO, "ORGANIZATION", "Potevio"),
        (CHINA_DAILY, "ORGANIZATION", "China Daily"),
        (BMDRC, "ORGANIZATION", "BMDRC"),
        (MINOR_CENTER, "ORGANIZATION", "Minor Enterprise Service Center"),
        (ZGC_GROUP, "ORGANIZATION", "Zhongguancun Development Group"),
        (ANALYSYS, "ORGANIZATION", "Analysys International"),
        (BOC, "BANK", "Bank of China"),
        (BOB, "BANK", "Bank of Beijing"),
    ],
)
def test_named_organization(gql, entity_id, kind, name):
    found = entity(gql, entity_id)
    assert (found["kind"], found["name"]) == (kind, name)


@pytest.mark.parametrize(
    ("entity_id", "alias"),
    [(BOC, "BOC"), (BOB, "BOB"), (SIPO, "SIPO"), (PARK, "Zhongguancun")],
)
def test_abbreviation_is_an_alias(gql, entity_id, alias):
    assert alias in entity(gql, entity_id)["aliases"]


def test_alliance_has_53_members_and_is_the_first_of_its_kind(gql):
    alliance = entity(
        gql,
        ALLIANCE,
        "... on Organization { memberCount memberType firstOfItsKind orgType"
        f" launchedAt {{ {REF} }} locatedIn {{ id }} }}",
    )
    assert alliance["kind"] == "ORGANIZATION"
    assert "alliance" in alliance["name"].lower()
    assert alliance["orgType"] == "alliance"
    assert alliance["memberCount"] == 53
    assert "intellectual property service compan" in alliance["memberType"]
    assert "first" in alliance["firstOfItsKind"].lower()
    assert "China's first intellectual property service alliance" in {
        straight(a) for a in alliance["aliases"]
    }
    assert alliance["launchedAt"]["id"] == CEREMONY
    assert alliance["launchedAt"]["kind"] == "EVENT"
    assert ids(alliance["locatedIn"]) == {PARK}


@pytest.mark.parametrize("entity_id", [BUREAU, SIPO])
def test_government_body(gql, entity_id):
    assert entity(gql, entity_id, "... on Organization { orgType }")["orgType"] == (
        "government agency"
    )


def test_department_of_planning_is_part_of_sipo(gql):
    department = entity(gql, PLANNING, f"... on Organization {{ parent {{ {REF} }} }}")
    assert department["parent"]["id"] == SIPO
    sipo = entity(gql, SIPO, "... on Organization { units { id } }")
    assert ids(sipo["units"]) == {PLANNING}


def test_administrative_committee_administers_the_park(gql):
    committee = entity(gql, COMMITTEE, "... on Organization { administers { id } }")
    assert "administrative committee" in committee["name"].lower()
    assert "Zhongguancun Science Park" in committee["name"]
    assert ids(committee["administers"]) == {PARK}
    park = entity(gql, PARK, "... on Organization { administeredBy { id } orgType }")
    assert ids(park["administeredBy"]) == {COMMITTEE}
    assert park["orgType"] == "science park"


def test_park_is_in_beijing(gql):
    park = entity(gql, PARK, "... on Organization { locatedIn { id name } }")
    assert ids(park["locatedIn"]) == {BEIJING}


@pytest.mark.parametrize("organizer", [INTELLECTUAL_COMMITTEE, COMMITTEE])
def test_co_organizer(gql, organizer):
    org = entity(gql, organizer, "... on Organization { organized { id } attended { id } }")
    assert ids(org["organized"]) == {CEREMONY}
    assert ids(org["attended"]) == {CEREMONY}
    edge = one_relationship(gql, organizer, "ORGANIZED", CEREMONY)
    assert edge["properties"]["role"] == "co-organizer"


def test_potevio_is_in_beijing_borrowed_and_owns_the_patents(gql):
    potevio = entity(
        gql,
        POTEVIO,
        "... on Organization { locatedIn { id } creditsReceived { id } patents { id } }",
    )
    assert "Potevio Company" in potevio["aliases"]
    assert ids(potevio["locatedIn"]) == {BEIJING}
    assert ids(potevio["creditsReceived"]) == {CREDIT}
    assert ids(potevio["patents"]) == {PATENTS}


def test_public_patent_foundation_established_by_the_park(gql):
    foundation = entity(gql, FOUNDATION, "... on Organization { establishedBy { id } orgType }")
    assert "public patent foundation" in (
        [foundation["name"].lower()] + [a.lower() for a in foundation["aliases"]]
    )
    assert foundation["orgType"] == "foundation"
    assert ids(foundation["establishedBy"]) == {PARK}
    park = entity(gql, PARK, "... on Organization { established { id } }")
    assert ids(park["established"]) == {FOUNDATION}


def test_minor_enterprise_service_center_is_part_of_bmdrc(gql):
    center = entity(gql, MINOR_CENTER, "... on Organization { parent { id name } }")
    assert center["parent"] == {"id": BMDRC, "name": "BMDRC"}
    bmdrc = entity(gql, BMDRC, "... on Organization { units { id } }")
    assert ids(bmdrc["units"]) == {MINOR_CENTER}


def test_banks_are_the_named_lenders(gql):
    data = gql('{ search(text: "bank", kinds: [BANK], first: 100) { entity { id kind } } }')
    assert {hit["entity"]["id"] for hit in data["search"]} == {BOC, BOB}
    bob = entity(gql, BOB, "... on Bank { creditsGranted { id } credits { id } }")
    assert ids(bob["creditsGranted"]) == {CREDIT}
    assert ids(bob["credits"]) == {CREDIT}


# --- people -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person_id", "name", "role"),
    [
        ("guo-yiming", "Guo Yiming", "author"),
        ("wang-yifei", "Wang Yifei", "editor"),
        ("niva-whyman", "Niva Whyman", "editor"),
    ],
)
def test_contribution_to_china_daily(gql, person_id, name, role):
    person = entity(
        gql,
        person_id,
        "... on Person { anonymous contributions { role work publisher { id name } } }",
    )
    assert (person["kind"], person["name"], person["anonymous"]) == ("PERSON", name, False)
    assert len(person["contributions"]) == 1
    contribution = person["contributions"][0]
    assert contribution["role"] == role
    assert contribution["publisher"] == {"id": CHINA_DAILY, "name": "China Daily"}
    assert contribution["work"] == gql("{ sources { id } }")["sources"][0]["id"]


def test_china_daily_contributors(gql):
    china_daily = entity(
        gql,
        CHINA_DAILY,
        "... on Organization { orgType contributors { role person { name } } }",
    )
    assert china_daily["orgType"] == "publisher"
    assert "chinadaily.com.cn" in china_daily["aliases"]
    assert sorted((c["person"]["name"], c["role"]) for c in china_daily["contributors"]) == [
        ("Guo Yiming", "author"),
        ("Niva Whyman", "editor"),
        ("Wang Yifei", "editor"),
    ]


@pytest.mark.parametrize(
    ("person_id", "name", "title", "org_id", "org_name"),
    [
        (
            "zhang-yiping",
            "Zhang Yiping",
            "Director",
            MINOR_CENTER,
            "Minor Enterprise Service Center",
        ),
        ("yu-jun", "Yu Jun", "President", ZGC_GROUP, "Zhongguancun Development Group"),
        ("yu-yang", "Yu Yang", "President and CEO", ANALYSYS, "Analysys International"),
    ],
)
def test_listed_person_title(gql, person_id, name, title, org_id, org_name):
    person = entity(
        gql,
        person_id,
        f"... on Person {{ anonymous positions {{ title organization {{ {REF} }} }} }}",
    )
    assert (person["name"], person["anonymous"]) == (name, False)
    assert [
        (p["title"], p["organization"]["id"], p["organization"]["name"])
        for p in person["positions"]
    ] == [(title, org_id, org_name)]
    org = entity(gql, org_id, "... on Organization { people { title person { id } } }")
    assert [(p["title"], p["person"]["id"]) for p in org["people"]] == [(title, person_id)]


@pytest.mark.parametrize(
    ("person_id", "title", "org_id", "about_ids"),
    [
        (SIPO_DIRECTOR, "Director", PLANNING, {ALLIANCE}),
        (BUREAU_OFFICIAL, "Official", BUREAU, {ALLIANCE}),
        (PARK_DIRECTOR, "Director", COMMITTEE, {PARK, COMMITTEE}),
    ],
)
def test_unnamed_actor(gql, person_id, title, org_id, about_ids):
    person = entity(
        gql,
        person_id,
        "... on Person { anonymous positions { title organization { id } }"
        " comments { summary occasion about { id } by { id } } }",
    )
    assert person["kind"] == "PERSON"
    assert person["anonymous"] is True
    # Named after the position held, with no made-up personal name.
    assert person["name"].startswith(title)
    assert person["aliases"] == []
    assert not any(named in person["name"] for named in NAMED_PEOPLE)
    assert [(p["title"], p["organization"]["id"]) for p in person["positions"]] == [(title, org_id)]
    assert {c["about"]["id"] for c in person["comments"]} == about_ids
    for comment in person["comments"]:
        assert comment["by"]["id"] == person_id
        assert comment["summary"]
        assert not any(phrase.lower() in comment["summary"].lower() for phrase in ARTICLE_PHRASES)


def test_alliance_comments_come_from_the_two_officials(gql):
    alliance = entity(gql, ALLIANCE, "... on Organization { comments { by { id } } }")
    assert sorted(c["by"]["id"] for c in alliance["comments"]) == sorted(
        [SIPO_DIRECTOR, BUREAU_OFFICIAL]
    )


# --- the agreement ----------------------------------------------------------------------------


AGREEMENT_FIELDS = """... on Agreement {
    agreementType purpose beneficiaries signedOn bankCount unnamedBankCount
    totalCredit { amount currency } totalCreditConverted { amount currency }
    parties { role party { id kind } agreement { id } provenance { paragraph } }
    credits { id }
}"""


def test_agreement_terms(gql):
    agreement = entity(gql, AGREEMENT, AGREEMENT_FIELDS)
    assert agreement["kind"] == "AGREEMENT"
    assert "strategic cooperation" in agreement["agreementType"]
    assert agreement["purpose"] == "intellectual property financing"
    assert "Zhongguancun companies" in agreement["beneficiaries"]
    assert agreement["totalCredit"] == {"amount": 26000000000, "currency": "CNY"}
    assert agreement["totalCreditConverted"] == {"amount": 4200000000, "currency": "USD"}
    assert agreement["bankCount"] == 7
    assert agreement["unnamedBankCount"] == 5
    # The article gives no signing date and does not tie Potevio's credit to the agreement.
    assert agreement["signedOn"] is None
    assert agreement["credits"] == []


def test_agreement_parties_and_roles(gql):
    parties = entity(gql, AGREEMENT, AGREEMENT_FIELDS)["parties"]
    assert {(p["party"]["id"], p["party"]["kind"], p["role"]) for p in parties} == {
        (BUREAU, "ORGANIZATION", "government"),
        (BOC, "BANK", "lender"),
        (BOB, "BANK", "lender"),
    }
    assert all(p["agreement"]["id"] == AGREEMENT for p in parties)
    by_party = {p["party"]["id"]: paragraphs(p["provenance"]) for p in parties}
    assert by_party == {BUREAU: {2, 5}, BOC: {5}, BOB: {5}}


@pytest.mark.parametrize(
    ("org_id", "role"), [(BUREAU, "government"), (BOC, "lender"), (BOB, "lender")]
)
def test_party_sees_its_agreement(gql, org_id, role):
    org = entity(gql, org_id, "... on Organizational { agreements { role agreement { id } } }")
    assert [(a["role"], a["agreement"]["id"]) for a in org["agreements"]] == [(role, AGREEMENT)]


# --- the credit -------------------------------------------------------------------------------


def test_potevio_credit(gql):
    credit = entity(
        gql,
        CREDIT,
        "... on Credit { collateral lender { id name } borrower { id name }"
        " amount { amount currency } convertedAmount { amount currency }"
        " securedBy { id kind ... on Patent { owner { id } secures { id } } }"
        " agreement { id } }",
    )
    assert credit["kind"] == "CREDIT"
    assert credit["lender"] == {"id": BOB, "name": "Bank of Beijing"}
    assert credit["borrower"] == {"id": POTEVIO, "name": "Potevio"}
    assert credit["amount"] == {"amount": 200000000, "currency": "CNY"}
    assert credit["convertedAmount"] == {"amount": 32640000, "currency": "USD"}
    assert "patent" in credit["collateral"].lower()
    assert len(credit["securedBy"]) == 1
    patents = credit["securedBy"][0]
    assert (patents["id"], patents["kind"]) == (PATENTS, "PATENT")
    assert patents["owner"]["id"] == POTEVIO
    assert ids(patents["secures"]) == {CREDIT}
    assert credit["agreement"] is None


# --- the ceremony -----------------------------------------------------------------------------


def test_launch_ceremony(gql):
    ceremony = entity(
        gql,
        CEREMONY,
        "... on Event { date attendanceMin attendeeGroups place { id }"
        " organizers { id } attendees { id } launched { id }"
        " grants { id kind ... on Grant { recipientCount awardedBy { id } } } }",
    )
    assert ceremony["kind"] == "EVENT"
    assert ceremony["date"] == CEREMONY_DATE
    assert ceremony["place"]["id"] == PARK
    assert ids(ceremony["organizers"]) == {INTELLECTUAL_COMMITTEE, COMMITTEE}
    assert ids(ceremony["attendees"]) == {INTELLECTUAL_COMMITTEE, COMMITTEE}
    assert ceremony["attendanceMin"] == 400
    assert {"commercial banks", "intellectual property service companies"} <= set(
        ceremony["attendeeGroups"]
    )
    assert ids(ceremony["launched"]) == {ALLIANCE}
    assert len(ceremony["grants"]) == 1
    grants = ceremony["grants"][0]
    assert (grants["id"], grants["kind"], grants["recipientCount"]) == (GRANTS, "GRANT", 10)
    assert ids(grants["awardedBy"]) == {CEREMONY}


def test_park_hosted_the_ceremony(gql):
    park = entity(gql, PARK, "... on Organization { eventsHeldHere { id } }")
    assert ids(park["eventsHeldHere"]) == {CEREMONY}


# --- provenance -------------------------------------------------------------------------------


def test_the_one_source(gql):
    sources = gql("{ sources { id title publisher publishedOn authors editors } }")["sources"]
    assert len(sources) == 1
    source = sources[0]
    assert source["title"] == HEADLINE
    assert source["publisher"] == "China Daily"
    assert source["publishedOn"] == PUBLISHED_ON
    assert source["authors"] == ["Guo Yiming"]
    assert source["editors"] == ["Wang Yifei", "Niva Whyman"]
    by_id = gql("query($id: ID!) { source(id: $id) { id title } }", {"id": source["id"]})
    assert by_id["source"] == {"id": source["id"], "title": HEADLINE}


@pytest.mark.parametrize(
    ("entity_id", "expected_paragraphs", "expected_locators"),
    [
        (ALLIANCE, {1, 3, 4}, {"headline"}),
        (CEREMONY, {1, 7, 8}, set()),
        (BUREAU, {2, 4, 5}, set()),
        (AGREEMENT, {2, 5}, set()),
        (SIPO, {3}, set()),
        (SIPO_DIRECTOR, {3}, set()),
        (BUREAU_OFFICIAL, {4}, set()),
        (BOC, {5}, set()),
        (BOB, {5}, set()),
        (POTEVIO, {5}, set()),
        (CREDIT, {5}, set()),
        (PATENTS, {5}, set()),
        (PARK_DIRECTOR, {6}, set()),
        (COMMITTEE, {6, 8}, set()),
        (FOUNDATION, {7}, set()),
        (GRANTS, {7}, set()),
        (INTELLECTUAL_COMMITTEE, {8}, set()),
        ("wang-yifei", {9}, set()),
        ("niva-whyman", {9}, set()),
        ("zhang-yiping", {10, 11}, set()),
        (MINOR_CENTER, {11}, set()),
        ("yu-jun", {12, 13}, set()),
        (ZGC_GROUP, {13}, set()),
        ("yu-yang", {14, 15}, set()),
        (ANALYSYS, {15}, set()),
        ("guo-yiming", set(), {"byline"}),
        (CHINA_DAILY, set(), {"byline"}),
    ],
)
def test_entity_provenance(gql, entity_id, expected_paragraphs, expected_locators):
    provenance = entity(gql, entity_id)["provenance"]
    assert paragraphs(provenance) == expected_paragraphs
    assert locators(provenance) == expected_locators
    assert {p["source"]["title"] for p in provenance} == {HEADLINE}


def test_park_provenance_spans_the_article(gql):
    provenance = entity(gql, PARK)["provenance"]
    assert "headline" in locators(provenance)
    assert {1, 6, 7, 8, 16} <= paragraphs(provenance)


@pytest.mark.parametrize(
    ("from_id", "rel_type", "to_id", "expected_paragraphs", "expected_locators"),
    [
        (CEREMONY, "HELD_AT", PARK, {1}, set()),
        (CEREMONY, "LAUNCHED", ALLIANCE, {1}, set()),
        (BUREAU, "PARTY_TO", AGREEMENT, {2, 5}, set()),
        (PLANNING, "PART_OF", SIPO, {3}, set()),
        (SIPO_DIRECTOR, "COMMENTED_ON", ALLIANCE, {3}, set()),
        (BUREAU_OFFICIAL, "HOLDS_POSITION", BUREAU, {4}, set()),
        (BOB, "LENT", CREDIT, {5}, set()),
        (POTEVIO, "BORROWED", CREDIT, {5}, set()),
        (PATENTS, "SECURES", CREDIT, {5}, set()),
        (COMMITTEE, "ADMINISTERS", PARK, {6, 8}, set()),
        (PARK, "ESTABLISHED", FOUNDATION, {7}, set()),
        (CEREMONY, "AWARDED", GRANTS, {7}, set()),
        (INTELLECTUAL_COMMITTEE, "ORGANIZED", CEREMONY, {8}, set()),
        ("niva-whyman", "CONTRIBUTED_TO", CHINA_DAILY, {9}, set()),
        ("yu-jun", "HOLDS_POSITION", ZGC_GROUP, {12, 13}, set()),
        ("guo-yiming", "CONTRIBUTED_TO", CHINA_DAILY, set(), {"byline"}),
    ],
)
def test_relationship_provenance(
    gql, from_id, rel_type, to_id, expected_paragraphs, expected_locators
):
    provenance = one_relationship(gql, from_id, rel_type, to_id)["provenance"]
    assert paragraphs(provenance) == expected_paragraphs
    assert locators(provenance) == expected_locators
    assert {p["source"]["title"] for p in provenance} == {HEADLINE}


def test_neighborhood_of_the_park_is_all_sourced(gql):
    data = gql(
        # Sizes within the default MAX_QUERY_COST (graph/extensions/limits.py): the park's 3-hop
        # neighbourhood has fewer than 200 entities, none with 20 relationships.
        "query($id: ID!) { neighborhood(id: $id, hops: 3, limit: 200) { truncated"
        f" nodes {{ id kind {PROV} relationships(first: 20) {{ type other {{ id }} {PROV} }} }}"
        " edges { type from to } } }",
        {"id": PARK},
    )["neighborhood"]
    assert data["truncated"] is False
    nodes = {node["id"]: node for node in data["nodes"]}
    assert {PARK, COMMITTEE, ALLIANCE, CEREMONY, FOUNDATION, BEIJING, POTEVIO} <= set(nodes)
    for node in data["nodes"]:
        assert node["kind"], node["id"]
        assert node["provenance"], f"{node['id']} has no provenance"
        assert {p["source"]["title"] for p in node["provenance"]} == {HEADLINE}
        for rel in node["relationships"]:
            assert rel["provenance"], f"{node['id']} {rel['type']} {rel['other']['id']}"
    for edge in data["edges"]:
        assert edge["from"] in nodes, edge
        assert edge["to"] in nodes, edge


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected_first"),
    [
        ("BOB", BOB),
        ("Bank of China", BOC),
        ("北京银行", BOB),
        ("Bank of Beijing", BOB),
        ("Potevio", POTEVIO),
        ("SIPO", SIPO),
        ("中关村", PARK),
        ("Bank of Bejing", BOB),  # typo
        ("Potevo", POTEVIO),  # typo
    ],
)
def test_search_best_match_first(gql, text, expected_first):
    hits = search(gql, text)
    assert hits, f"nothing found for {text!r}"
    assert hits[0]["entity"]["id"] == expected_first
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("text", "kinds", "expected_id"),
    [
        ("Beijing", ["BANK"], BOB),
        ("Beijing", ["PLACE"], BEIJING),
        ("Beijing", ["ORGANIZATION"], BUREAU),
        ("Zhongguancun", ["EVENT"], CEREMONY),
    ],
)
def test_search_kinds_filter(gql, text, kinds, expected_id):
    hits = search(gql, text, kinds=kinds, first=100)
    assert expected_id in {hit["entity"]["id"] for hit in hits}
    assert {hit["entity"]["kind"] for hit in hits} == set(kinds)


# --- paths ------------------------------------------------------------------------------------


def test_bank_of_beijing_to_bureau_goes_through_the_agreement(gql):
    path = shortest_path(gql, BOB, BUREAU)
    assert path is not None
    assert path["length"] == 2
    assert [n["id"] for n in path["nodes"]] == [BOB, AGREEMENT, BUREAU]
    assert [e["type"] for e in path["edges"]] == ["PARTY_TO", "PARTY_TO"]
    assert all(n["kind"] for n in path["nodes"])


@pytest.mark.parametrize(
    ("from_id", "to_id", "middle"),
    [
        (POTEVIO, BOB, CREDIT),
        ("guo-yiming", "wang-yifei", CHINA_DAILY),
        (BOC, BOB, AGREEMENT),
    ],
)
def test_two_hop_paths_use_facts_not_the_source(gql, from_id, to_id, middle):
    path = shortest_path(gql, from_id, to_id)
    assert path["length"] == 2
    assert [n["id"] for n in path["nodes"]] == [from_id, middle, to_id]
    source_ids = {s["id"] for s in gql("{ sources { id } }")["sources"]}
    assert not source_ids & {n["id"] for n in path["nodes"]}
    assert all(n["kind"] for n in path["nodes"])


def test_no_path_through_provenance_alone(gql):
    # Analysys International and China Daily share only their source, not a fact.
    assert shortest_path(gql, ANALYSYS, CHINA_DAILY, max_hops=10) is None
