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


def test_declared_descriptions_and_deprecations_reach_the_schema_for_every_kind_of_declaration():
    from grapple.models import (
        GraphQLCollection,
        GraphQLDocument,
        GraphQLForeignKey,
        GraphQLImage,
        GraphQLRichText,
        GraphQLStreamfield,
    )

    from media_library.models import PublicationPage

    declarations = [
        GraphQLString("subtitle", description="A scalar.", deprecation_reason="Use `title`."),
        GraphQLRichText("abstract", description="Rich text.", deprecation_reason="Use `body`."),
        GraphQLStreamfield("body", description="Blocks.", deprecation_reason="Use `content`."),
        GraphQLImage("cover_image", description="An image.", deprecation_reason="Use `cover`."),
        GraphQLDocument("document", description="A document.", deprecation_reason="Use `files`."),
        GraphQLCollection(
            GraphQLForeignKey, "authors", "pages.Person", description="A list.", deprecation_reason="Use `people`."
        ),
    ]
    model = Declares(*declarations)
    model._meta = PublicationPage._meta  # the image, document and list builders read the model's relations
    # Declared lists and strings come back unmounted (graphene.List, graphene.String): mounted as the type does.
    fields = {
        name: field if isinstance(field, graphene.Field) else field.Field() for name, field in declared_fields(model)
    }
    assert {name: (field.description, field.deprecation_reason) for name, field in fields.items()} == {
        "subtitle": ("A scalar.", "Use `title`."),
        "abstract": ("Rich text.", "Use `body`."),
        "body": ("Blocks.", "Use `content`."),
        "cover_image": ("An image.", "Use `cover`."),
        "document": ("A document.", "Use `files`."),
        "authors": ("A list.", "Use `people`."),
    }


def test_a_model_type_is_described_by_the_models_graphql_description():
    from integrations.graphql.schema import schema

    assert schema.graphql_schema.type_map["Person"].description == Person.graphql_description


def test_a_choices_enum_is_described_by_the_choices_docstring_and_its_values_by_their_labels():
    from events.models import EventStatus
    from integrations.graphql.schema import schema

    enum = schema.graphql_schema.type_map["EventStatus"]
    assert enum.description.startswith("Whether an event (or one session) goes ahead. Cancelled events stay")
    assert "\n    " not in enum.description  # the docstring's indentation is not the partner's concern
    assert {name: value.description for name, value in enum.values.items()} == {
        member.name: member.label for member in EventStatus
    }
