"""Every element of the public schema is described for a partner developer: the test walks the executable schema
(root fields, arguments, types, fields, input fields, enums and their values) and lists whatever has no
description, an empty one, or a library's placeholder."""

import graphene
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    specified_scalar_types,
)
from graphql.type.introspection import introspection_types

from integrations.graphql.schema import schema

# Python's Enum docstring, which graphene copies onto every enum nobody described.
ENUM_PLACEHOLDER = "An enumeration."
# graphene's own texts for the scalars it adds: right for graphene's users in general, silent about our formats.
GRAPHENE_SCALAR_TEXTS = {
    (scalar._meta.description or "").strip()
    for scalar in (
        graphene.DateTime,
        graphene.Date,
        graphene.Time,
        graphene.JSONString,
        graphene.Decimal,
        graphene.UUID,
        graphene.Base64,
        graphene.BigInt,
    )
}


def schema_elements(graphql_schema: GraphQLSchema) -> list[tuple[str, str | None, bool]]:
    """(schema coordinate, description, is a custom scalar) of every element partners read; the spec's
    introspection types and built-in scalars are the spec's to describe."""
    elements = []
    for name, graphql_type in graphql_schema.type_map.items():
        if name in introspection_types or name in specified_scalar_types:
            continue
        elements.append((name, graphql_type.description, isinstance(graphql_type, GraphQLScalarType)))
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                elements.append((f"{name}.{field_name}", field.description, False))
                for arg_name, arg in field.args.items():
                    elements.append((f"{name}.{field_name}({arg_name}:)", arg.description, False))
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, field in graphql_type.fields.items():
                elements.append((f"{name}.{field_name}", field.description, False))
        elif isinstance(graphql_type, GraphQLEnumType):
            for value_name, value in graphql_type.values.items():
                elements.append((f"{name}.{value_name}", value.description, False))
    return elements


def undescribed(graphql_schema: GraphQLSchema) -> list[str]:
    missing = []
    for coordinate, description, custom_scalar in schema_elements(graphql_schema):
        text = (description or "").strip()
        if not text or text == ENUM_PLACEHOLDER or (custom_scalar and text in GRAPHENE_SCALAR_TEXTS):
            missing.append(f"{coordinate}: {text!r}" if text else coordinate)
    return missing


def test_every_schema_element_is_described_for_partners():
    missing = undescribed(schema.graphql_schema)
    assert not missing, (
        f"{len(missing)} schema elements lack a partner-facing description (give `description=` where each is "
        "declared: the model's graphql_fields, the app's graphql.py, or integrations/graphql/):\n  "
        + "\n  ".join(missing)
    )


def test_the_walk_reaches_every_kind_of_element():
    coordinates = {coordinate for coordinate, _description, _scalar in schema_elements(schema.graphql_schema)}
    # A root field and its argument, an interface field, an enum value, a mutation's input field, a custom scalar.
    assert {"Query.events", "Query.events(topic:)", "Page.slug", "EventStatus.CANCELLED", "DateTime"} <= coordinates
    assert "CreateTaRequestInput.urgency" in coordinates
    assert not any(coordinate.startswith("__") for coordinate in coordinates)
    assert "String" not in coordinates


def test_placeholders_and_gaps_are_reported():
    from graphql import build_schema

    sketch = build_schema(
        '''
        "Reads." type Query { "Described." a(x: Int): Kind  b: String }
        "An enumeration." enum Kind { "One." ONE  TWO }
        """The `DateTime` scalar type represents a DateTime
        value as specified by
        [iso8601](https://en.wikipedia.org/wiki/ISO_8601)."""
        scalar DateTime
        '''
    )
    assert undescribed(sketch) == [
        "Query.a(x:)",
        "Query.b",
        "Kind: 'An enumeration.'",
        "Kind.TWO",
        "DateTime: " + repr(graphene.DateTime._meta.description.strip()),
    ]
