"""Every type, field, argument and enum value carries a description, so the playground's
docs pane explains the domain."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from graph.schema import schema

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed() -> list[str]:
    missing = []
    for name, gtype in schema._schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not gtype.description:
            missing.append(name)
        if isinstance(gtype, GraphQLScalarType):
            continue
        if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in gtype.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(gtype, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in gtype.values.items() if not value.description]
    return missing


def test_everything_is_described():
    assert undescribed() == []
