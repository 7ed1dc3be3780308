"""The declared schema of the domain: kinds, their properties, and relationship types.

Everything that varies in a Cypher query (labels, relationship types) comes from here:
this module is the allow-list. The seed loader validates its data against it, and the
GraphQL layer exposes the same names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    ORGANIZATION = "ORGANIZATION"
    BANK = "BANK"
    PERSON = "PERSON"
    PATENT = "PATENT"
    AGREEMENT = "AGREEMENT"
    EVENT = "EVENT"
    CREDIT = "CREDIT"
    GRANT = "GRANT"
    PLACE = "PLACE"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[Kind, str] = {
    Kind.ORGANIZATION: "Organization",
    Kind.BANK: "Bank",
    Kind.PERSON: "Person",
    Kind.PATENT: "Patent",
    Kind.AGREEMENT: "Agreement",
    Kind.EVENT: "Event",
    Kind.CREDIT: "Credit",
    Kind.GRANT: "Grant",
    Kind.PLACE: "Place",
}

KIND_DESCRIPTIONS: dict[Kind, str] = {
    Kind.ORGANIZATION: "A company, government body, department, park, alliance, foundation "
    "or publisher.",
    Kind.BANK: "A commercial bank.",
    Kind.PERSON: "A person; one whose name the source does not give is marked anonymous "
    "and named after the position they hold.",
    Kind.PATENT: "A patent, or a group of patents the source does not itemise.",
    Kind.AGREEMENT: "A signed agreement, with its purpose and committed amounts.",
    Kind.EVENT: "A dated happening: a ceremony, a launch, a signing.",
    Kind.CREDIT: "A credit or loan granted by a lender to a borrower, with its amount and "
    "collateral.",
    Kind.GRANT: "Grants (subsidies or awards) given to recipients.",
    Kind.PLACE: "A city, district or country.",
}

ENTITY_LABEL = "Entity"
SOURCE_LABEL = "Source"

# Property types a kind may carry (besides id, kind, name, aliases). "date" values are
# ISO dates stored as Neo4j DATE; "money" is a pair of properties <name> (number) and
# <name>Currency (ISO 4217 code).
STRING, INT, FLOAT, BOOL, DATE, STRINGS = "string", "int", "float", "bool", "date", "string[]"

COMMON_PROPERTIES: dict[str, str] = {
    "description": STRING,
    "nameZh": STRING,
    "note": STRING,
}

KIND_PROPERTIES: dict[Kind, dict[str, str]] = {
    Kind.ORGANIZATION: {
        "orgType": STRING,
        "memberCount": INT,
        "memberType": STRING,
        "firstOfItsKind": STRING,
        "website": STRING,
        "purpose": STRING,
    },
    Kind.BANK: {"bankType": STRING},
    Kind.PERSON: {"anonymous": BOOL, "role": STRING},
    Kind.PATENT: {"patentNumber": STRING, "count": INT, "itemised": BOOL},
    Kind.AGREEMENT: {
        "agreementType": STRING,
        "purpose": STRING,
        "beneficiaries": STRING,
        "obligations": STRING,
        "totalCredit": FLOAT,
        "totalCreditCurrency": STRING,
        "totalCreditConverted": FLOAT,
        "totalCreditConvertedCurrency": STRING,
        "partyCount": INT,
        "bankCount": INT,
        "namedBankCount": INT,
        "unnamedBankCount": INT,
        "signedOn": DATE,
    },
    Kind.EVENT: {
        "eventType": STRING,
        "date": DATE,
        "attendanceMin": INT,
        "attendanceNote": STRING,
        "attendeeGroups": STRINGS,
    },
    Kind.CREDIT: {
        "creditType": STRING,
        "amount": FLOAT,
        "currency": STRING,
        "convertedAmount": FLOAT,
        "convertedCurrency": STRING,
        "collateral": STRING,
    },
    Kind.GRANT: {"recipientCount": INT, "recipientType": STRING},
    Kind.PLACE: {"placeType": STRING, "country": STRING},
}

ORGS = (Kind.ORGANIZATION, Kind.BANK)
ANY = tuple(Kind)


@dataclass(frozen=True)
class RelationshipType:
    name: str
    description: str
    sources: tuple[Kind, ...]
    targets: tuple[Kind, ...]
    properties: dict[str, str] = field(default_factory=dict)


RELATIONSHIP_TYPES: dict[str, RelationshipType] = {
    r.name: r
    for r in (
        RelationshipType("PART_OF", "A unit belongs to a larger organization.", ORGS, ORGS),
        RelationshipType(
            "MEMBER_OF",
            "An organization is a member of an alliance or association.",
            ORGS,
            ORGS,
            {"since": DATE},
        ),
        RelationshipType(
            "ADMINISTERS",
            "A body administers an organization or place.",
            ORGS,
            (Kind.ORGANIZATION, Kind.PLACE),
        ),
        RelationshipType(
            "HOLDS_POSITION",
            "A person holds a titled position at an organization.",
            (Kind.PERSON,),
            ORGS,
            {"title": STRING},
        ),
        RelationshipType(
            "CONTRIBUTED_TO",
            "A person wrote or edited for a publisher.",
            (Kind.PERSON,),
            ORGS,
            {"role": STRING, "work": STRING},
        ),
        RelationshipType(
            "LOCATED_IN",
            "Something is located in a place or a park.",
            (*ORGS, Kind.EVENT, Kind.PLACE),
            (Kind.PLACE, Kind.ORGANIZATION),
        ),
        RelationshipType(
            "HELD_AT",
            "An event took place at a place or a park.",
            (Kind.EVENT,),
            (Kind.PLACE, Kind.ORGANIZATION),
        ),
        RelationshipType(
            "ORGANIZED",
            "An organization (co-)organized an event.",
            ORGS,
            (Kind.EVENT,),
            {"role": STRING},
        ),
        RelationshipType(
            "ATTENDED",
            "An organization's representatives, or a person, attended an event.",
            (*ORGS, Kind.PERSON),
            (Kind.EVENT,),
            {"role": STRING},
        ),
        RelationshipType(
            "LAUNCHED",
            "An event launched (founded) an organization.",
            (Kind.EVENT,),
            (Kind.ORGANIZATION,),
        ),
        RelationshipType(
            "ESTABLISHED",
            "An organization established another one.",
            ORGS,
            (Kind.ORGANIZATION,),
        ),
        RelationshipType(
            "PARTY_TO",
            "An organization signed an agreement.",
            ORGS,
            (Kind.AGREEMENT,),
            {"role": STRING},
        ),
        RelationshipType(
            "LENT",
            "A lender granted a credit.",
            ORGS,
            (Kind.CREDIT,),
        ),
        RelationshipType(
            "BORROWED",
            "A borrower received a credit.",
            ORGS,
            (Kind.CREDIT,),
        ),
        RelationshipType(
            "SECURES",
            "A patent is pledged as collateral for a credit.",
            (Kind.PATENT,),
            (Kind.CREDIT,),
        ),
        RelationshipType(
            "OWNS",
            "An organization owns a patent.",
            ORGS,
            (Kind.PATENT,),
        ),
        RelationshipType(
            "UNDER",
            "A credit was granted under an agreement.",
            (Kind.CREDIT,),
            (Kind.AGREEMENT,),
        ),
        RelationshipType(
            "AWARDED",
            "An event, or an organization, awarded grants.",
            (Kind.EVENT, *ORGS),
            (Kind.GRANT,),
        ),
        RelationshipType(
            "RECEIVED",
            "An organization received grants.",
            ORGS,
            (Kind.GRANT,),
        ),
        RelationshipType(
            "COMMENTED_ON",
            "A person publicly commented on something; the summary paraphrases the remark.",
            (Kind.PERSON,),
            ANY,
            {"summary": STRING, "occasion": STRING},
        ),
    )
}


def label_for(kind: str | Kind) -> str:
    """The Neo4j label of a kind; raises KeyError for anything not declared."""
    return LABELS[Kind(kind)]


def is_relationship_type(name: str) -> bool:
    return name in RELATIONSHIP_TYPES
