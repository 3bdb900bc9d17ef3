"""A model's API fields, declared once on the model and turned here into privacy-aware GraphQL fields.

Models list their API fields in `graphql_fields`, in wagtail-grapple's vocabulary (GraphQLString, GraphQLInt,
GraphQLBoolean, GraphQLField, GraphQLRichText, GraphQLStreamfield, GraphQLImage, GraphQLDocument,
GraphQLCollection). That list is the one place a field is declared: this module reads it, and maps each
declaration to a resolver that goes through the request's `Loader` (loaders.py), so a private image, a
members-only document or a draft page linked from rich text comes back as null or is left out. Grapple's own
registry and generated types stay unused (its foreign keys, `parent`, `children` and root fields read drafts and
private media); only its declaration vocabulary is kept, so a model reads the way grapple documents it.

`ModelType` is the object type of a model: its declared fields, plus what an app's `graphql.py` adds that a
declaration cannot say (a value computed for the caller, like a members-only link or a time in the event's zone).
A field is either declared or computed, never both (`ModelType` refuses a name in both). Computed fields come
after the declared ones, or right after the declared field named with `after()`.
"""

import inspect
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import graphene
from django.apps import apps
from django.conf import settings
from django.db import models
from graphene.types.unmountedtype import UnmountedType
from grapple.models import GraphQLField
from wagtail.models import Page

from integrations.graphql.interfaces import PageInterface, StreamFieldBlockInterface, stream_values
from integrations.graphql.loaders import get_loader
from integrations.graphql.registry import registry
from integrations.graphql.richtext import render_rich_text

RICH_TEXT_DESCRIPTION = "HTML; internal links point at public URLs, links the caller may not follow are removed."
SCALAR_DECLARATIONS = {"GraphQLString", "GraphQLInt", "GraphQLBoolean", "GraphQLFloat"}


@cache
def choices_enum(choices: type[models.Choices]) -> type[graphene.Enum]:
    """The GraphQL enum of a model's choices, named after them ("EventStatus", Topic.Kind -> "TopicKind"); one
    per choices class, so filters, declared fields and computed ones share it. The choices' docstring describes
    the enum, each choice's label its value (graphene asks with None for the enum itself)."""

    def describe(member):
        if member is None:
            return inspect.cleandoc(choices.__doc__) if choices.__doc__ else None
        return member.label

    return graphene.Enum.from_enum(choices, name=choices.__qualname__.replace(".", ""), description=describe)


def after(anchor: str, field):
    """Place computed `field` right after the declared field `anchor` (the schema lists fields in this order)."""
    field._graphql_after = anchor
    return field


# --- reading declarations ----------------------------------------------------------------------------------


@dataclass
class Declaration:
    kind: str  # the grapple helper's name, e.g. "GraphQLRichText"; "GraphQLField" for a typed scalar
    name: str
    source: str
    required: bool = False
    description: str | None = None
    deprecation_reason: str | None = None
    field: GraphQLField | None = None  # scalars: grapple's own field (type, NonNull wrapping)
    item_required: bool = False  # collections: [Item!] rather than [Item]


def read(declaration) -> Declaration:
    """What a `graphql_fields` entry declares. Grapple's helpers return closures that build grapple types; their
    arguments are read instead (`inspect.getclosurevars`), so no grapple type is ever created."""
    if isinstance(declaration, GraphQLField):
        return Declaration("GraphQLField", declaration.field_name, declaration.field_source, field=declaration)
    kind = declaration.__qualname__.partition(".")[0]
    if kind in SCALAR_DECLARATIONS:
        return read(declaration())
    given = inspect.getclosurevars(declaration).nonlocals
    kwargs = given.get("kwargs", {})
    name = given["field_name"]
    if kind == "GraphQLCollection":
        return Declaration(
            f"GraphQLCollection({given['nested_type'].__name__})",
            name,
            kwargs.get("source", name),
            required=bool(given["required"]),
            description=given["description"],
            deprecation_reason=given["deprecation_reason"],
            item_required=bool(given["item_required"]),
        )
    return Declaration(
        kind,
        name,
        kwargs.get("source", name),
        bool(kwargs.get("required")),
        kwargs.get("description"),
        kwargs.get("deprecation_reason"),
    )


def declared_fields(model) -> list[tuple[str, graphene.Field]]:
    """(name, field) for each of `model.graphql_fields`, in the declared order."""
    fields = []
    for entry in model.graphql_fields:
        declaration = read(entry)
        build = FIELD_BUILDERS.get(declaration.kind)
        if build is None:
            raise TypeError(
                f"{model.__name__}.graphql_fields: {declaration.kind} ({declaration.name}) has no privacy-aware "
                "resolver in integrations/graphql/fields.py; add one there before declaring it."
            )
        fields.append((declaration.name, build(model, declaration)))
    return fields


def scalar(model, declaration: Declaration) -> graphene.Field:
    field = declaration.field
    field_type = field.field_type
    base = field_type.of_type if isinstance(field_type, graphene.NonNull) else field_type
    if isinstance(base, type) and issubclass(base, models.Choices):
        enum = choices_enum(base)
        field_type = graphene.NonNull(enum) if isinstance(field_type, graphene.NonNull) else enum
    return graphene.Field(
        field_type,
        source=field.field_source,
        description=field.description,
        deprecation_reason=field.deprecation_reason,
    )


def rich_text(model, declaration: Declaration) -> graphene.String:
    def resolve(instance, info):
        return render_rich_text(getattr(instance, declaration.source), get_loader(info))

    return graphene.String(
        required=declaration.required,
        description=declaration.description or RICH_TEXT_DESCRIPTION,
        deprecation_reason=declaration.deprecation_reason,
        resolver=resolve,
    )


def streamfield(model, declaration: Declaration) -> graphene.List:
    """A StreamField as typed blocks, read from the stored data (the live version's): always a list."""

    def resolve(instance, info):
        value = getattr(instance, declaration.source)
        return stream_values(value.stream_block, value.raw_data)

    return graphene.List(
        graphene.NonNull(StreamFieldBlockInterface),
        required=True,
        description=declaration.description,
        deprecation_reason=declaration.deprecation_reason,
        resolver=resolve,
    )


def foreign_key(load: str, model_setting: str):
    """A document or image foreign key: null when there is none or the caller may not see it (private collection)."""

    def build(model, declaration: Declaration) -> graphene.Field:
        attname = model._meta.get_field(declaration.source).attname

        def resolve(instance, info):
            pk = getattr(instance, attname)
            return getattr(get_loader(info), load)(pk) if pk else None

        target = registry.lazy(getattr(settings, model_setting))
        return graphene.Field(
            target,
            description=declaration.description,
            deprecation_reason=declaration.deprecation_reason,
            resolver=resolve,
        )

    return build


def related_list(model, declaration: Declaration) -> graphene.List:
    """A many-to-many list (topics, people: snippets, no privacy of their own), fetched once for every row of the
    result that has it (Loader.related)."""
    relation = declaration.source
    item = registry.lazy(model._meta.get_field(relation).related_model)

    def resolve(instance, info):
        return get_loader(info).related(instance, relation)

    return graphene.List(
        graphene.NonNull(item) if declaration.item_required else item,
        required=declaration.required,
        description=declaration.description,
        deprecation_reason=declaration.deprecation_reason,
        resolver=resolve,
    )


FIELD_BUILDERS = {
    "GraphQLField": scalar,
    "GraphQLRichText": rich_text,
    "GraphQLStreamfield": streamfield,
    "GraphQLImage": foreign_key("image", "WAGTAILIMAGES_IMAGE_MODEL"),
    "GraphQLDocument": foreign_key("document", "WAGTAILDOCS_DOCUMENT_MODEL"),
    "GraphQLCollection(GraphQLForeignKey)": related_list,
    "GraphQLCollection(GraphQLSnippet)": related_list,
}


# --- object types ------------------------------------------------------------------------------------------


class ModelType(graphene.ObjectType):
    """Base of a model's object type: `class Meta: model = ...` (name: the model's; pages get the Page
    interface; description: the model's `graphql_description`, next to its `graphql_fields`). Registers itself,
    so `registry.lazy(model)` finds it."""

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, model=None, name=None, interfaces=None, **options):
        if model is None:
            raise TypeError(f"{cls.__name__}: give Meta.model")
        order_fields(cls, declared_fields(model))
        if interfaces is None:
            interfaces = (PageInterface,) if issubclass(model, Page) else ()
        options.setdefault("description", getattr(model, "graphql_description", None))
        super().__init_subclass_with_meta__(name=name or model.__name__, interfaces=interfaces, **options)
        registry.register_type(model, cls)


def order_fields(cls, declared: list[tuple[str, graphene.Field]]) -> None:
    """Set the declared fields on `cls` and order them with its computed ones (see the module docstring).

    Graphene orders a class's own fields by their creation counter; they are renumbered here in the wanted order.
    """
    names = {name for name, _field in declared}
    computed = sorted(
        ((name, value) for name, value in vars(cls).items() if isinstance(value, graphene.Field | UnmountedType)),
        key=lambda item: item[1],
    )
    if both := names & {name for name, _value in computed}:
        raise TypeError(f"{cls.__name__}: {', '.join(sorted(both))} declared on the model and computed here")
    anchored, tail = defaultdict(list), []
    for name, value in computed:
        anchor = getattr(value, "_graphql_after", None)
        (anchored[anchor] if anchor else tail).append((name, value))
    ordered = []
    for name, field in declared:
        ordered.append((name, field))
        ordered.extend(anchored.pop(name, []))
    if anchored:
        raise TypeError(f"{cls.__name__}: after() names no declared field: {', '.join(anchored)}")
    for name, value in [*ordered, *tail]:
        value.reset_counter()
        setattr(cls, name, value)


def build_declared_types() -> list[type]:
    """Build a type for every model that declares `graphql_fields` and registered none (from its declarations
    and the fields other apps `extend` it with); return the page types, in model order (INSTALLED_APPS, then
    definition order), for the schema's `types`."""
    page_types = []
    for model in apps.get_models():
        if not hasattr(model, "graphql_fields"):
            continue
        if model in registry.types:
            if registry.extensions(model):
                raise TypeError(f"{registry.types[model].__name__} is registered: extend it in its own module")
        else:
            meta = type("Meta", (), {"model": model})
            bases = (*reversed(registry.extensions(model)), ModelType)
            type(f"{model.__name__}Type", bases, {"Meta": meta, "__doc__": None, "__module__": __name__})
        if issubclass(model, Page):
            page_types.append(registry.types[model])
    return page_types
