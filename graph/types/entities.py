"""The Entity interface, one concrete type per kind, and the typed relationships between
them (positions, parties, comments...). Types hold a node's properties; relationship
fields load through the request's batch loader (`graph.resolvers.context`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph.cypher.common import INTERNAL_PROPERTIES
from graph.cypher.plan import DEFAULT_LIST, MAX_LIST, rel_key
from graph.domain import Kind
from graph.resolvers.arguments import check_range, check_relationship_types
from graph.types.values import Direction, EntityKind, Money, Provenance, Source

_CORE = {"id", "kind", "name", "aliases"}


def public_properties(props: dict[str, Any]) -> dict[str, Any]:
    """Every property the client may see, JSON-ready (dates as ISO strings)."""
    out = {}
    for key, value in sorted(props.items()):
        if key.startswith("_") or key in INTERNAL_PROPERTIES or key in _CORE:
            continue
        out[key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return out


async def provenance_of(
    info: Info, entries: list[str] | None, prefetched: list[dict] | None = None
) -> list[Provenance]:
    """Provenance entries are stored as `source|paragraph|locator` strings; their sources
    come prefetched with the node (`__src`) or through the request's loader."""
    parsed = [entry.split("|", 2) for entry in entries or []]
    if prefetched is not None:
        by_id = {s["id"]: s for s in prefetched}
        sources = [by_id.get(p[0]) for p in parsed]
    else:
        sources = await info.context.sources.load_many([p[0] for p in parsed])
    out = []
    for (_, paragraph, locator), source in zip(parsed, sources, strict=True):
        if source is None:
            continue
        out.append(
            Provenance(
                source=Source.from_node(source),
                paragraph=int(paragraph) if paragraph else None,
                locator=locator or None,
            )
        )
    return out


@strawberry.type(description="A relationship seen from one of its ends.")
class Relationship:
    type: str = strawberry.field(description="Relationship type, e.g. LENT or PARTY_TO.")
    direction: Direction = strawberry.field(
        description="OUT when it points from the entity asked to `other`, IN otherwise."
    )
    other: Entity = strawberry.field(description="The entity at the other end.")
    props: strawberry.Private[dict]

    @strawberry.field(description="All properties of the relationship.")
    def properties(self) -> JSON:
        return public_properties(self.props)

    @strawberry.field(description="Where the relationship was asserted.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.props.get("_prov"), self.props.get("__src"))


@strawberry.interface(description="Anything in the graph: organization, bank, person, ...")
class Entity:
    node: strawberry.Private[dict]

    @strawberry.field(description="Stable, readable id (a slug such as `bank-of-beijing`).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.node["id"])

    @strawberry.field(description="What the entity is.")
    def kind(self) -> EntityKind:
        return EntityKind(self.node["kind"])

    @strawberry.field(description="The entity's name as most sources give it.")
    def name(self) -> str:
        return self.node["name"]

    @strawberry.field(description="Other names: abbreviations, Chinese names, variants.")
    def aliases(self) -> list[str]:
        return list(self.node.get("aliases") or [])

    @strawberry.field(description="All other properties of the entity, as a JSON object.")
    def properties(self) -> JSON:
        return public_properties(self.node)

    @strawberry.field(description="Every source and paragraph that asserts this entity.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.node.get("_prov"), self.node.get("__src"))

    @strawberry.field(
        description="Relationships of any declared type, optionally filtered by type and "
        "direction, ordered by type then by the other end's name."
    )
    async def relationships(
        self,
        info: Info,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description='Only these relationship types (e.g. ["LENT"]).'),
        ] = None,
        direction: Annotated[
            Direction, strawberry.argument(description="Which way the relationships point.")
        ] = Direction.BOTH,
        first: Annotated[
            int, strawberry.argument(description=f"At most this many (1 to {MAX_LIST}).")
        ] = 50,
    ) -> list[Relationship]:
        check_range("first", first, 1, MAX_LIST)
        chosen = check_relationship_types(types)
        rows = await self._rows(info, tuple(chosen) if chosen else None, direction.value, first)
        return [
            Relationship(
                type=row["type"],
                direction=Direction.OUT if row["outgoing"] else Direction.IN,
                other=to_entity(row["other"]),
                props=row["props"],
            )
            for row in rows
        ]

    async def _rows(
        self, info: Info, types: tuple[str, ...] | None, direction: str, first: int
    ) -> list[dict]:
        """Relationship rows: prefetched by the root field's query when its plan covered
        this field, else through the request's batch loader."""
        prefetched = self.node.get("__pf")
        if prefetched is not None:
            rows = prefetched.get(rel_key(types, direction, first))
            if rows is not None:
                return rows
        return await info.context.relationships.load((self.node["id"], types, direction, first))

    async def _related(
        self, info: Info, rel_type: str, direction: str, first: int = DEFAULT_LIST
    ) -> list[tuple[dict, Entity]]:
        rows = await self._rows(info, (rel_type,), direction, first)
        return [(row["props"], to_entity(row["other"])) for row in rows]

    async def _others(self, info: Info, rel_type: str, direction: str) -> list[Entity]:
        return [other for _, other in await self._related(info, rel_type, direction)]

    async def _one(self, info: Info, rel_type: str, direction: str) -> Entity | None:
        others = await self._others(info, rel_type, direction)
        return others[0] if others else None

    def _prop(self, name: str) -> Any:
        return self.node.get(name)


# --- Relationship types with a meaning of their own ---------------------------------


@strawberry.type(description="A person's titled position at an organization.")
class Position:
    title: str | None = strawberry.field(description="The title, e.g. 'President and CEO'.")
    person: Entity = strawberry.field(description="Who holds the position.")
    organization: Entity = strawberry.field(description="Where the position is held.")
    props: strawberry.Private[dict]

    @strawberry.field(description="Where the position was asserted.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.props.get("_prov"), self.props.get("__src"))


@strawberry.type(description="An organization's part in an agreement.")
class AgreementParty:
    role: str | None = strawberry.field(description="Its role, e.g. 'lender' or 'government'.")
    party: Entity = strawberry.field(description="The signing organization.")
    agreement: Entity = strawberry.field(description="The agreement.")
    props: strawberry.Private[dict]

    @strawberry.field(description="Where the party's signature was asserted.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.props.get("_prov"), self.props.get("__src"))


@strawberry.type(description="A public remark, paraphrased (never quoted at length).")
class Comment:
    summary: str | None = strawberry.field(description="A paraphrase of what was said.")
    occasion: str | None = strawberry.field(description="Where or when it was said.")
    by: Entity = strawberry.field(description="Who said it.")
    about: Entity = strawberry.field(description="What it was about.")
    props: strawberry.Private[dict]

    @strawberry.field(description="Where the remark was reported.")
    async def provenance(self, info: Info) -> list[Provenance]:
        return await provenance_of(info, self.props.get("_prov"), self.props.get("__src"))


@strawberry.type(description="A person's work for a publisher (author, editor).")
class Contribution:
    role: str | None = strawberry.field(description="'author' or 'editor'.")
    work: str | None = strawberry.field(description="Id of the source they worked on.")
    person: Entity = strawberry.field(description="The contributor.")
    publisher: Entity = strawberry.field(description="The publisher.")
    props: strawberry.Private[dict]


# --- Organizations and banks -------------------------------------------------------


@strawberry.interface(
    description="Fields shared by organizations and banks: structure, people, agreements, "
    "credits, patents and events."
)
class Organizational(Entity):
    @strawberry.field(description="The organization's type, e.g. 'government agency'.")
    def org_type(self) -> str | None:
        return self._prop("orgType") or self._prop("bankType")

    @strawberry.field(description="A short description in the sources' terms.")
    def description(self) -> str | None:
        return self._prop("description")

    @strawberry.field(description="The larger organization this one is part of.")
    async def parent(self, info: Info) -> Entity | None:
        return await self._one(info, "PART_OF", "OUT")

    @strawberry.field(description="Units (departments, centres) that are part of it.")
    async def units(self, info: Info) -> list[Entity]:
        return await self._others(info, "PART_OF", "IN")

    @strawberry.field(description="Known members (for an alliance or association).")
    async def members(self, info: Info) -> list[Entity]:
        return await self._others(info, "MEMBER_OF", "IN")

    @strawberry.field(description="Alliances or associations it is a member of.")
    async def member_of(self, info: Info) -> list[Entity]:
        return await self._others(info, "MEMBER_OF", "OUT")

    @strawberry.field(description="People holding positions here, with their titles.")
    async def people(self, info: Info) -> list[Position]:
        return [
            Position(title=p.get("title"), person=other, organization=self, props=p)
            for p, other in await self._related(info, "HOLDS_POSITION", "IN")
        ]

    @strawberry.field(description="Agreements it signed, with its role in each.")
    async def agreements(self, info: Info) -> list[AgreementParty]:
        return [
            AgreementParty(role=p.get("role"), party=self, agreement=other, props=p)
            for p, other in await self._related(info, "PARTY_TO", "OUT")
        ]

    @strawberry.field(description="Credits it granted as lender.")
    async def credits_granted(self, info: Info) -> list[Entity]:
        return await self._others(info, "LENT", "OUT")

    @strawberry.field(description="Credits it received as borrower.")
    async def credits_received(self, info: Info) -> list[Entity]:
        return await self._others(info, "BORROWED", "OUT")

    @strawberry.field(description="Patents it owns.")
    async def patents(self, info: Info) -> list[Entity]:
        return await self._others(info, "OWNS", "OUT")

    @strawberry.field(description="Events it organized or co-organized.")
    async def organized(self, info: Info) -> list[Entity]:
        return await self._others(info, "ORGANIZED", "OUT")

    @strawberry.field(description="Events its representatives attended.")
    async def attended(self, info: Info) -> list[Entity]:
        return await self._others(info, "ATTENDED", "OUT")

    @strawberry.field(description="Organizations it established.")
    async def established(self, info: Info) -> list[Entity]:
        return await self._others(info, "ESTABLISHED", "OUT")

    @strawberry.field(description="Who established it.")
    async def established_by(self, info: Info) -> list[Entity]:
        return await self._others(info, "ESTABLISHED", "IN")

    @strawberry.field(description="What it administers (e.g. a committee and its park).")
    async def administers(self, info: Info) -> list[Entity]:
        return await self._others(info, "ADMINISTERS", "OUT")

    @strawberry.field(description="Who administers it.")
    async def administered_by(self, info: Info) -> list[Entity]:
        return await self._others(info, "ADMINISTERS", "IN")

    @strawberry.field(description="Where it is located.")
    async def located_in(self, info: Info) -> list[Entity]:
        return await self._others(info, "LOCATED_IN", "OUT")

    @strawberry.field(description="What is located in it (for a park).")
    async def located_here(self, info: Info) -> list[Entity]:
        return await self._others(info, "LOCATED_IN", "IN")

    @strawberry.field(description="Events held here (for a park or venue).")
    async def events_held_here(self, info: Info) -> list[Entity]:
        return await self._others(info, "HELD_AT", "IN")

    @strawberry.field(description="The event that launched it, if any.")
    async def launched_at(self, info: Info) -> Entity | None:
        return await self._one(info, "LAUNCHED", "IN")

    @strawberry.field(description="Public remarks made about it.")
    async def comments(self, info: Info) -> list[Comment]:
        return [
            Comment(
                summary=p.get("summary"),
                occasion=p.get("occasion"),
                by=other,
                about=self,
                props=p,
            )
            for p, other in await self._related(info, "COMMENTED_ON", "IN")
        ]

    @strawberry.field(description="People who wrote or edited for it (for a publisher).")
    async def contributors(self, info: Info) -> list[Contribution]:
        return [
            Contribution(
                role=p.get("role"), work=p.get("work"), person=other, publisher=self, props=p
            )
            for p, other in await self._related(info, "CONTRIBUTED_TO", "IN")
        ]


@strawberry.type(
    description="A company, government body, department, park, alliance, foundation or publisher."
)
class Organization(Organizational):
    @strawberry.field(description="Number of members, where the source gives a count.")
    def member_count(self) -> int | None:
        return self._prop("memberCount")

    @strawberry.field(description="What kind of organizations the members are.")
    def member_type(self) -> str | None:
        return self._prop("memberType")

    @strawberry.field(description="Whether the source calls it the first of its kind.")
    def first_of_its_kind(self) -> str | None:
        return self._prop("firstOfItsKind")


@strawberry.type(description="A commercial bank: its credits and its agreements.")
class Bank(Organizational):
    @strawberry.field(description="Credits this bank granted (alias of creditsGranted).")
    async def credits(self, info: Info) -> list[Entity]:
        return await self._others(info, "LENT", "OUT")


# --- People --------------------------------------------------------------------------


@strawberry.type(
    description="A person. One the source does not name is `anonymous` and "
    "named after the position they hold."
)
class Person(Entity):
    @strawberry.field(description="True when the source does not give the person's name.")
    def anonymous(self) -> bool:
        return bool(self._prop("anonymous"))

    @strawberry.field(description="Positions held, with titles and organizations.")
    async def positions(self, info: Info) -> list[Position]:
        return [
            Position(title=p.get("title"), person=self, organization=other, props=p)
            for p, other in await self._related(info, "HOLDS_POSITION", "OUT")
        ]

    @strawberry.field(description="Public remarks by this person, paraphrased.")
    async def comments(self, info: Info) -> list[Comment]:
        return [
            Comment(
                summary=p.get("summary"),
                occasion=p.get("occasion"),
                by=self,
                about=other,
                props=p,
            )
            for p, other in await self._related(info, "COMMENTED_ON", "OUT")
        ]

    @strawberry.field(description="Work for publishers (as author or editor).")
    async def contributions(self, info: Info) -> list[Contribution]:
        return [
            Contribution(
                role=p.get("role"), work=p.get("work"), person=self, publisher=other, props=p
            )
            for p, other in await self._related(info, "CONTRIBUTED_TO", "OUT")
        ]


# --- Finance ---------------------------------------------------------------------------


@strawberry.type(description="An agreement: its parties, purpose and committed amounts.")
class Agreement(Entity):
    @strawberry.field(description="The kind of agreement, e.g. 'strategic cooperation'.")
    def agreement_type(self) -> str | None:
        return self._prop("agreementType")

    @strawberry.field(description="What the agreement is for.")
    def purpose(self) -> str | None:
        return self._prop("purpose")

    @strawberry.field(description="What the parties committed to, paraphrased.")
    def obligations(self) -> str | None:
        return self._prop("obligations")

    @strawberry.field(description="Who the agreement is meant to benefit.")
    def beneficiaries(self) -> str | None:
        return self._prop("beneficiaries")

    @strawberry.field(description="Total credit committed under the agreement.")
    def total_credit(self) -> Money | None:
        return Money.of(self._prop("totalCredit"), self._prop("totalCreditCurrency"))

    @strawberry.field(description="The total credit converted, as the source gives it.")
    def total_credit_converted(self) -> Money | None:
        return Money.of(
            self._prop("totalCreditConverted"), self._prop("totalCreditConvertedCurrency")
        )

    @strawberry.field(description="Number of banks party to it, named or not.")
    def bank_count(self) -> int | None:
        return self._prop("bankCount")

    @strawberry.field(description="Number of banks party to it that the source does not name.")
    def unnamed_bank_count(self) -> int | None:
        return self._prop("unnamedBankCount")

    @strawberry.field(description="When it was signed, if the source says.")
    def signed_on(self) -> dt.date | None:
        return self._prop("signedOn")

    @strawberry.field(description="The signing parties, with their roles.")
    async def parties(self, info: Info) -> list[AgreementParty]:
        return [
            AgreementParty(role=p.get("role"), party=other, agreement=self, props=p)
            for p, other in await self._related(info, "PARTY_TO", "IN")
        ]

    @strawberry.field(description="Credits granted under this agreement.")
    async def credits(self, info: Info) -> list[Entity]:
        return await self._others(info, "UNDER", "IN")


@strawberry.type(description="A credit or loan: lender, borrower, amount and collateral.")
class Credit(Entity):
    @strawberry.field(description="The kind of credit, e.g. 'patent-backed credit'.")
    def credit_type(self) -> str | None:
        return self._prop("creditType")

    @strawberry.field(description="The amount granted.")
    def amount(self) -> Money | None:
        return Money.of(self._prop("amount"), self._prop("currency"))

    @strawberry.field(description="The amount converted, as the source gives it.")
    def converted_amount(self) -> Money | None:
        return Money.of(self._prop("convertedAmount"), self._prop("convertedCurrency"))

    @strawberry.field(description="What secures the credit, in words.")
    def collateral(self) -> str | None:
        return self._prop("collateral")

    @strawberry.field(description="Who granted the credit.")
    async def lender(self, info: Info) -> Entity | None:
        return await self._one(info, "LENT", "IN")

    @strawberry.field(description="Who received the credit.")
    async def borrower(self, info: Info) -> Entity | None:
        return await self._one(info, "BORROWED", "IN")

    @strawberry.field(description="Patents pledged as collateral.")
    async def secured_by(self, info: Info) -> list[Entity]:
        return await self._others(info, "SECURES", "IN")

    @strawberry.field(description="The agreement it was granted under, if the source says.")
    async def agreement(self, info: Info) -> Entity | None:
        return await self._one(info, "UNDER", "OUT")


@strawberry.type(description="A patent, or a group of patents a source does not itemise.")
class Patent(Entity):
    @strawberry.field(description="The patent number, when known.")
    def patent_number(self) -> str | None:
        return self._prop("patentNumber")

    @strawberry.field(description="How many patents this entity stands for, when known.")
    def count(self) -> int | None:
        return self._prop("count")

    @strawberry.field(description="Who owns it.")
    async def owner(self, info: Info) -> Entity | None:
        return await self._one(info, "OWNS", "IN")

    @strawberry.field(description="Credits it secures as collateral.")
    async def secures(self, info: Info) -> list[Entity]:
        return await self._others(info, "SECURES", "OUT")


# --- Events, grants, places -------------------------------------------------------


@strawberry.type(description="A dated happening: organizers, place, attendance, outcomes.")
class Event(Entity):
    @strawberry.field(description="The kind of event, e.g. 'launch ceremony'.")
    def event_type(self) -> str | None:
        return self._prop("eventType")

    @strawberry.field(description="When it took place.")
    def date(self) -> dt.date | None:
        return self._prop("date")

    @strawberry.field(description="Lower bound of attendance the source gives.")
    def attendance_min(self) -> int | None:
        return self._prop("attendanceMin")

    @strawberry.field(description="Who attended, as groups, in words.")
    def attendee_groups(self) -> list[str]:
        return list(self._prop("attendeeGroups") or [])

    @strawberry.field(description="Where it was held.")
    async def place(self, info: Info) -> Entity | None:
        return await self._one(info, "HELD_AT", "OUT")

    @strawberry.field(description="Organizers and co-organizers.")
    async def organizers(self, info: Info) -> list[Entity]:
        return await self._others(info, "ORGANIZED", "IN")

    @strawberry.field(description="Organizations or people that attended.")
    async def attendees(self, info: Info) -> list[Entity]:
        return await self._others(info, "ATTENDED", "IN")

    @strawberry.field(description="What it launched (founded).")
    async def launched(self, info: Info) -> list[Entity]:
        return await self._others(info, "LAUNCHED", "OUT")

    @strawberry.field(description="Grants awarded there.")
    async def grants(self, info: Info) -> list[Entity]:
        return await self._others(info, "AWARDED", "OUT")


@strawberry.type(description="Grants awarded to recipients, often counted, not named.")
class Grant(Entity):
    @strawberry.field(description="How many recipients received grants.")
    def recipient_count(self) -> int | None:
        return self._prop("recipientCount")

    @strawberry.field(description="What the recipients are, in words.")
    def recipient_type(self) -> str | None:
        return self._prop("recipientType")

    @strawberry.field(description="The event or organization that awarded them.")
    async def awarded_by(self, info: Info) -> list[Entity]:
        return await self._others(info, "AWARDED", "IN")

    @strawberry.field(description="Named recipients, where known.")
    async def recipients(self, info: Info) -> list[Entity]:
        return await self._others(info, "RECEIVED", "IN")


@strawberry.type(description="A city, district or country.")
class Place(Entity):
    @strawberry.field(description="What kind of place, e.g. 'city'.")
    def place_type(self) -> str | None:
        return self._prop("placeType")

    @strawberry.field(description="What is located here.")
    async def located_here(self, info: Info) -> list[Entity]:
        return await self._others(info, "LOCATED_IN", "IN")

    @strawberry.field(description="The larger place it lies in.")
    async def located_in(self, info: Info) -> list[Entity]:
        return await self._others(info, "LOCATED_IN", "OUT")

    @strawberry.field(description="Events held here.")
    async def events_held_here(self, info: Info) -> list[Entity]:
        return await self._others(info, "HELD_AT", "IN")


TYPES: dict[Kind, type[Entity]] = {
    Kind.ORGANIZATION: Organization,
    Kind.BANK: Bank,
    Kind.PERSON: Person,
    Kind.PATENT: Patent,
    Kind.AGREEMENT: Agreement,
    Kind.EVENT: Event,
    Kind.CREDIT: Credit,
    Kind.GRANT: Grant,
    Kind.PLACE: Place,
}


def to_entity(node: dict) -> Entity:
    return TYPES[Kind(node["kind"])](node=node)
