"""The domain of IP finance, declared once: every kind, its properties, its relationship
fields, and the relationship types between kinds. To add a kind, add it here and run
`make schema` (README.md, "Adding a kind")."""

from __future__ import annotations

from graph.domain.model import (
    BOOL,
    DATE,
    INT,
    TEXT,
    TEXTS,
    Direction,
    Domain,
    Interface,
    KindDecl,
    Money,
    Property,
    RelationshipField,
    RelationshipType,
    Wrapper,
)

OUT, IN = Direction.OUT, Direction.IN


def many(name: str, rel: str, direction: Direction, description: str) -> RelationshipField:
    return RelationshipField(name, rel, direction, description, many=True)


def one(name: str, rel: str, direction: Direction, description: str) -> RelationshipField:
    return RelationshipField(name, rel, direction, description, many=False)


ORGS = ("ORGANIZATION", "BANK")
ALL = ("ORGANIZATION", "BANK", "PERSON", "PATENT", "AGREEMENT", "EVENT", "CREDIT", "GRANT", "PLACE")

RELATIONSHIP_TYPES = (
    RelationshipType("PART_OF", "A unit belongs to a larger organization.", ORGS, ORGS),
    RelationshipType(
        "MEMBER_OF",
        "An organization is a member of an alliance or association.",
        ORGS,
        ORGS,
        (Property("since", DATE, "Since when it has been a member."),),
    ),
    RelationshipType(
        "ADMINISTERS",
        "A body administers an organization or place.",
        ORGS,
        ("ORGANIZATION", "PLACE"),
    ),
    RelationshipType(
        "HOLDS_POSITION",
        "A person holds a titled position at an organization.",
        ("PERSON",),
        ORGS,
        (Property("title", TEXT, "The title, e.g. 'President and CEO'."),),
        Wrapper(
            "Position", "A person's titled position at an organization.", "person", "organization"
        ),
    ),
    RelationshipType(
        "CONTRIBUTED_TO",
        "A person wrote or edited for a publisher.",
        ("PERSON",),
        ORGS,
        (
            Property("role", TEXT, "'author' or 'editor'."),
            Property("work", TEXT, "Id of the source they worked on."),
        ),
        Wrapper(
            "Contribution",
            "A person's work for a publisher (author, editor).",
            "person",
            "publisher",
        ),
    ),
    RelationshipType(
        "LOCATED_IN",
        "Something is located in a place or a park.",
        (*ORGS, "EVENT", "PLACE"),
        ("PLACE", "ORGANIZATION"),
    ),
    RelationshipType(
        "HELD_AT",
        "An event took place at a place or a park.",
        ("EVENT",),
        ("PLACE", "ORGANIZATION"),
    ),
    RelationshipType(
        "ORGANIZED",
        "An organization (co-)organized an event.",
        ORGS,
        ("EVENT",),
        (Property("role", TEXT, "Its part, e.g. 'co-organizer'."),),
    ),
    RelationshipType(
        "ATTENDED",
        "An organization's representatives, or a person, attended an event.",
        (*ORGS, "PERSON"),
        ("EVENT",),
        (Property("role", TEXT, "In what capacity."),),
    ),
    RelationshipType(
        "LAUNCHED", "An event launched (founded) an organization.", ("EVENT",), ("ORGANIZATION",)
    ),
    RelationshipType(
        "ESTABLISHED", "An organization established another one.", ORGS, ("ORGANIZATION",)
    ),
    RelationshipType(
        "PARTY_TO",
        "An organization signed an agreement.",
        ORGS,
        ("AGREEMENT",),
        (Property("role", TEXT, "Its role, e.g. 'lender' or 'government'."),),
        Wrapper("AgreementParty", "An organization's part in an agreement.", "party", "agreement"),
    ),
    RelationshipType("LENT", "A lender granted a credit.", ORGS, ("CREDIT",)),
    RelationshipType("BORROWED", "A borrower received a credit.", ORGS, ("CREDIT",)),
    RelationshipType(
        "SECURES", "A patent is pledged as collateral for a credit.", ("PATENT",), ("CREDIT",)
    ),
    RelationshipType("OWNS", "An organization owns a patent.", ORGS, ("PATENT",)),
    RelationshipType(
        "UNDER", "A credit was granted under an agreement.", ("CREDIT",), ("AGREEMENT",)
    ),
    RelationshipType(
        "AWARDED", "An event, or an organization, awarded grants.", ("EVENT", *ORGS), ("GRANT",)
    ),
    RelationshipType("RECEIVED", "An organization received grants.", ORGS, ("GRANT",)),
    RelationshipType(
        "COMMENTED_ON",
        "A person publicly commented on something; the summary paraphrases the remark.",
        ("PERSON",),
        ALL,
        (
            Property("summary", TEXT, "A paraphrase of what was said."),
            Property("occasion", TEXT, "Where or when it was said."),
        ),
        Wrapper("Comment", "A public remark, paraphrased (never quoted at length).", "by", "about"),
    ),
)

ORGANIZATIONAL = Interface(
    "Organizational",
    "Fields shared by organizations and banks: structure, people, agreements, credits, "
    "patents and events.",
    properties=(
        Property(
            "orgType", TEXT, "The organization's type, e.g. 'government agency'.", label="Type"
        ),
        Property("description", TEXT, "A short description in the sources' terms."),
    ),
    relationships=(
        one("parent", "PART_OF", OUT, "The larger organization this one is part of."),
        many("units", "PART_OF", IN, "Units (departments, centres) that are part of it."),
        many("members", "MEMBER_OF", IN, "Known members (for an alliance or association)."),
        many("memberOf", "MEMBER_OF", OUT, "Alliances or associations it is a member of."),
        many("people", "HOLDS_POSITION", IN, "People holding positions here, with their titles."),
        many("agreements", "PARTY_TO", OUT, "Agreements it signed, with its role in each."),
        many("creditsGranted", "LENT", OUT, "Credits it granted as lender."),
        many("creditsReceived", "BORROWED", OUT, "Credits it received as borrower."),
        many("patents", "OWNS", OUT, "Patents it owns."),
        many("organized", "ORGANIZED", OUT, "Events it organized or co-organized."),
        many("attended", "ATTENDED", OUT, "Events its representatives attended."),
        many("established", "ESTABLISHED", OUT, "Organizations it established."),
        many("establishedBy", "ESTABLISHED", IN, "Who established it."),
        many(
            "administers",
            "ADMINISTERS",
            OUT,
            "What it administers (e.g. a committee and its park).",
        ),
        many("administeredBy", "ADMINISTERS", IN, "Who administers it."),
        many("locatedIn", "LOCATED_IN", OUT, "Where it is located."),
        many("locatedHere", "LOCATED_IN", IN, "What is located in it (for a park)."),
        many("eventsHeldHere", "HELD_AT", IN, "Events held here (for a park or venue)."),
        one("launchedAt", "LAUNCHED", IN, "The event that launched it, if any."),
        many("comments", "COMMENTED_ON", IN, "Public remarks made about it."),
        many(
            "contributors",
            "CONTRIBUTED_TO",
            IN,
            "People who wrote or edited for it (for a publisher).",
        ),
        many("grantsAwarded", "AWARDED", OUT, "Grants it awarded."),
        many("grantsReceived", "RECEIVED", OUT, "Grants it received."),
    ),
)

TOTAL_CREDIT = Money(
    "totalCredit",
    "Total credit committed under the agreement, by all lenders together.",
    "totalCredit",
    "totalCreditCurrency",
    converted=Money(
        "totalCreditConverted",
        "The total credit converted, as the source gives it.",
        "totalCreditConverted",
        "totalCreditConvertedCurrency",
        label="Total credit (converted)",
    ),
)
CREDIT_AMOUNT = Money(
    "amount",
    "The amount granted.",
    "amount",
    "currency",
    converted=Money(
        "convertedAmount",
        "The amount converted, as the source gives it.",
        "convertedAmount",
        "convertedCurrency",
        label="Amount (converted)",
    ),
)

KINDS = (
    KindDecl(
        "ORGANIZATION",
        "Organization",
        "A company, government body, department, park, alliance, foundation or publisher.",
        "organizations",
        "Organizations (not banks), paginated.",
        interfaces=(ORGANIZATIONAL,),
        properties=(
            Property(
                "memberCount",
                INT,
                "Number of members, where the source gives a count.",
                label="Members",
            ),
            Property("memberType", TEXT, "What kind of organizations the members are."),
            Property("firstOfItsKind", TEXT, "Whether the source calls it the first of its kind."),
            Property("website", TEXT, "Its website, as the source gives it."),
            Property("purpose", TEXT, "What it was set up to do."),
        ),
    ),
    KindDecl(
        "BANK",
        "Bank",
        "A commercial bank.",
        "banks",
        "Banks, paginated.",
        interfaces=(ORGANIZATIONAL,),
        properties=(
            Property(
                "orgType",
                TEXT,
                "The bank's type, e.g. 'commercial bank'.",
                column="bankType",
                label="Type",
            ),
        ),
        relationships=(
            many("credits", "LENT", OUT, "Credits this bank granted (alias of creditsGranted)."),
        ),
    ),
    KindDecl(
        "PERSON",
        "Person",
        "A person; one whose name the source does not give is marked anonymous and named "
        "after the position they hold.",
        "people",
        "People, paginated.",
        properties=(
            Property(
                "anonymous",
                BOOL,
                "True when the source does not give the person's name.",
                default=False,
            ),
            Property("role", TEXT, "The role the source gives the person, in words."),
        ),
        relationships=(
            many(
                "positions", "HOLDS_POSITION", OUT, "Positions held, with titles and organizations."
            ),
            many("comments", "COMMENTED_ON", OUT, "Public remarks by this person, paraphrased."),
            many(
                "contributions", "CONTRIBUTED_TO", OUT, "Work for publishers (as author or editor)."
            ),
            many("attended", "ATTENDED", OUT, "Events the person attended."),
        ),
    ),
    KindDecl(
        "PATENT",
        "Patent",
        "A patent, or a group of patents the source does not itemise.",
        "patents",
        "Patents, paginated.",
        properties=(
            Property("patentNumber", TEXT, "The patent number, when known."),
            Property("count", INT, "How many patents this entity stands for, when known."),
            Property("itemised", BOOL, "Whether the source lists the patents one by one."),
        ),
        relationships=(
            one("owner", "OWNS", IN, "Who owns it."),
            many("secures", "SECURES", OUT, "Credits it secures as collateral."),
        ),
    ),
    KindDecl(
        "AGREEMENT",
        "Agreement",
        "A signed agreement, with its purpose and committed amounts.",
        "agreements",
        "Agreements, paginated.",
        properties=(
            Property("agreementType", TEXT, "The kind of agreement, e.g. 'strategic cooperation'."),
            Property("purpose", TEXT, "What the agreement is for."),
            Property("beneficiaries", TEXT, "Who the agreement is meant to benefit."),
            Property("obligations", TEXT, "What the parties committed to, paraphrased."),
            TOTAL_CREDIT,
            Property(
                "partyCount", INT, "Number of parties, as the source counts them.", label="Parties"
            ),
            Property("bankCount", INT, "Number of banks party to it, named or not.", label="Banks"),
            Property(
                "namedBankCount",
                INT,
                "Number of banks party to it that the source names.",
                label="Banks named",
            ),
            Property(
                "unnamedBankCount",
                INT,
                "Number of banks party to it that the source does not name.",
                label="Banks not named",
            ),
            Property("signedOn", DATE, "When it was signed, if the source says."),
        ),
        relationships=(
            many("parties", "PARTY_TO", IN, "The signing parties, with their roles."),
            many("credits", "UNDER", IN, "Credits granted under this agreement."),
        ),
        date="signedOn",
        date_meaning="agreement signed",
        totals="totalCredit",
    ),
    KindDecl(
        "EVENT",
        "Event",
        "A dated happening: a ceremony, a launch, a signing.",
        "events",
        "Events, paginated.",
        properties=(
            Property("eventType", TEXT, "The kind of event, e.g. 'launch ceremony'."),
            Property("date", DATE, "When it took place."),
            Property(
                "attendanceMin",
                INT,
                "Lower bound of attendance the source gives.",
                label="Attendance (at least)",
            ),
            Property("attendanceNote", TEXT, "What the source says about attendance, in words."),
            Property("attendeeGroups", TEXTS, "Who attended, as groups, in words.", default=()),
        ),
        relationships=(
            one("place", "HELD_AT", OUT, "Where it was held."),
            many("organizers", "ORGANIZED", IN, "Organizers and co-organizers."),
            many("attendees", "ATTENDED", IN, "Organizations or people that attended."),
            many("launched", "LAUNCHED", OUT, "What it launched (founded)."),
            many("grants", "AWARDED", OUT, "Grants awarded there."),
            many("locatedIn", "LOCATED_IN", OUT, "Where it is located."),
        ),
        date="date",
        date_meaning="event",
    ),
    KindDecl(
        "CREDIT",
        "Credit",
        "A credit or loan granted by a lender to a borrower, with its amount and collateral.",
        "credits",
        "Credits and loans, paginated.",
        properties=(
            Property("creditType", TEXT, "The kind of credit, e.g. 'patent-backed credit'."),
            CREDIT_AMOUNT,
            Property("collateral", TEXT, "What secures the credit, in words."),
        ),
        relationships=(
            one("lender", "LENT", IN, "Who granted the credit."),
            one("borrower", "BORROWED", IN, "Who received the credit."),
            many("securedBy", "SECURES", IN, "Patents pledged as collateral."),
            one(
                "agreement", "UNDER", OUT, "The agreement it was granted under, if the source says."
            ),
        ),
        totals="amount",
    ),
    KindDecl(
        "GRANT",
        "Grant",
        "Grants (subsidies or awards) given to recipients.",
        "grants",
        "Grants, paginated.",
        properties=(
            Property(
                "recipientCount", INT, "How many recipients received grants.", label="Recipients"
            ),
            Property("recipientType", TEXT, "What the recipients are, in words."),
        ),
        relationships=(
            many("awardedBy", "AWARDED", IN, "The event or organization that awarded them."),
            many("recipients", "RECEIVED", IN, "Named recipients, where known."),
        ),
    ),
    KindDecl(
        "PLACE",
        "Place",
        "A city, district or country.",
        "places",
        "Places, paginated.",
        properties=(
            Property("placeType", TEXT, "What kind of place, e.g. 'city'."),
            Property("country", TEXT, "The country it lies in."),
        ),
        relationships=(
            many("locatedHere", "LOCATED_IN", IN, "What is located here."),
            many("locatedIn", "LOCATED_IN", OUT, "The larger place it lies in."),
            many("eventsHeldHere", "HELD_AT", IN, "Events held here."),
            many("administeredBy", "ADMINISTERS", IN, "Who administers it."),
        ),
    ),
)

COMMON = (
    Property("description", TEXT, "A short description in the sources' terms."),
    Property(
        "nameZh", TEXT, "The name in Chinese, when the source gives it.", label="Chinese name"
    ),
    Property("note", TEXT, "A note on how the source puts it."),
)

DOMAIN = Domain(
    KINDS,
    RELATIONSHIP_TYPES,
    COMMON,
    "Anything in the graph: organization, bank, person, ...",
)
