"""The field-declaration framework's own rules (integrations/graphql/fields.py): a field is declared on the model or
computed by the app, never both; computed fields are placed where `after()` says; unknown declarations fail."""

import graphene
import pytest
from grapple.models import GraphQLEmbed, GraphQLString

from integrations.graphql.fields import ModelType, after, declared_fields
from integrations.graphql.registry import registry
from pages.models import Person


class Declares:
    def __init__(self, *fields):
        self.graphql_fields = list(fields)
        self.__name__ = "Declares"


def test_a_field_both_declared_and_computed_is_refused():
    with pytest.raises(TypeError, match="name declared on the model and computed here"):

        class TwiceType(ModelType):
            name = graphene.String()

            class Meta:
                model = Person


def test_after_places_a_computed_field_and_must_name_a_declared_one():
    previous = registry.types.pop(Person, None)  # the schema's own Person type, when it is built already
    try:

        class PlacedType(ModelType):
            first = after("name", graphene.String())
            last = graphene.String()

            class Meta:
                model = Person
                name = "PlacedPerson"

        assert list(PlacedType._meta.fields)[:3] == ["name", "first", "role"]
        assert list(PlacedType._meta.fields)[-1] == "last"
        with pytest.raises(TypeError, match="after\\(\\) names no declared field: nope"):

            class MisplacedType(ModelType):
                lost = after("nope", graphene.String())

                class Meta:
                    model = Person
                    name = "MisplacedPerson"

    finally:
        registry.types.pop(Person)
        if previous is not None:
            registry.types[Person] = previous


def test_a_declaration_without_a_privacy_aware_resolver_is_refused():
    assert [name for name, _field in declared_fields(Declares(GraphQLString("title")))] == ["title"]
    with pytest.raises(TypeError, match="GraphQLEmbed \\(video\\) has no privacy-aware resolver"):
        declared_fields(Declares(GraphQLEmbed("video")))
