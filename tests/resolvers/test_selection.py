"""The prefetch table must know every typed relationship field of the schema, or those
fields would silently fall back to one query per level."""

from graphql import GraphQLObjectType, get_named_type

from graph.resolvers.selection import RELATIONSHIP_FIELDS
from graph.schema import schema

RELATION_RESULTS = {"Entity", "Position", "AgreementParty", "Comment", "Contribution"}


def _entity_types():
    gschema = schema._schema
    entity = gschema.get_type("Entity")
    return [
        t
        for t in gschema.type_map.values()
        if isinstance(t, GraphQLObjectType) and entity in t.interfaces
    ]


def test_every_typed_relationship_field_is_prefetchable():
    missing = []
    for gtype in _entity_types():
        for name, field in gtype.fields.items():
            if name == "relationships":
                continue
            relation = get_named_type(field.type).name in RELATION_RESULTS
            if relation and (gtype.name, name) not in RELATIONSHIP_FIELDS:
                missing.append(f"{gtype.name}.{name}")
    assert missing == []


def test_table_names_only_real_fields():
    gschema = schema._schema
    for type_name, field_name in RELATIONSHIP_FIELDS:
        assert field_name in gschema.get_type(type_name).fields, (type_name, field_name)
