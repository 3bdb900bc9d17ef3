"""How the apps plug into the partner API, so the framework never names a content model.

Each app keeps its API adapter in its own `graphql.py` (`events/graphql.py`, `media_library/graphql.py`,
`community/graphql.py`, `community/forum/graphql.py`); `schema.py` imports every installed app's `graphql` module
(`autodiscover`, the way Wagtail finds `wagtail_hooks`) and then composes what they registered here:

- object types for models: a `fields.ModelType` subclass registers itself for its `Meta.model`; a model that
  declares `graphql_fields` and registers nothing gets a type built from its declarations alone (`fields.py`);
- `extend(target, mixin)`: fields an app adds to a type another app owns (the events app adds calendar links to
  `Topic` and the member's calendar to `Viewer`; community adds the member's agency to `Viewer`), in
  registration order (INSTALLED_APPS);
- StreamField block types, keyed by block class;
- root query and mutation mixins, with an `order` that places their fields in the root types.

`order` exists because schema.graphql is what partners read and is compared byte for byte with the served schema
(tests/integrations/graphql/test_schema_file.py): the root fields keep the order partners have always seen
(forum, directory, events, topics, media, pages), which is not INSTALLED_APPS order.
"""

from collections import defaultdict

import graphene
from django.apps import apps
from django.utils.module_loading import autodiscover_modules


class Registry:
    def __init__(self):
        self.types: dict[type, type] = {}  # model -> its object type
        self.block_types: dict[type, type] = {}  # StreamField block class -> its object type
        self._extensions: dict[object, list[type]] = defaultdict(list)
        self._queries: list[tuple[int, type]] = []
        self._mutations: list[tuple[int, type]] = []
        self._composed: dict[str, type] = {}

    # --- registration (from the apps' graphql.py) --------------------------------------------------------------

    def register_type(self, model: type, object_type: type) -> None:
        if model in self.types and self.types[model] is not object_type:
            raise ValueError(f"{model.__name__} already has the GraphQL type {self.types[model].__name__}")
        self.types[model] = object_type

    def register_block(self, block_class: type):
        """Class decorator: the object type of a StreamField block class."""

        def register(object_type):
            self.block_types[block_class] = object_type
            return object_type

        return register

    def extend(self, target, mixin: type) -> None:
        """Add `mixin`'s fields to the type of `target` (a model, or the name of a composed type like "Viewer")."""
        self._extensions[target].append(mixin)

    def extensions(self, target) -> list[type]:
        """The mixins extending `target`, in INSTALLED_APPS order of their apps (whatever the import order)."""
        positions = {config.name: index for index, config in enumerate(apps.get_app_configs())}

        def position(mixin):
            config = apps.get_containing_app_config(mixin.__module__)
            return positions[config.name] if config else len(positions)

        return sorted(self._extensions[target], key=position)

    def register_query(self, mixin: type, *, order: int) -> type:
        self._queries.append((order, mixin))
        return mixin

    def register_mutation(self, mixin: type, *, order: int) -> type:
        self._mutations.append((order, mixin))
        return mixin

    # --- lookups -----------------------------------------------------------------------------------------------

    def lazy(self, model):
        """The object type of `model` (a model or "app_label.Model"), looked up when the schema is built: the
        type may belong to an app this module must not import, or be built from declarations later."""

        def object_type():
            target = apps.get_model(model) if isinstance(model, str) else model
            try:
                return self.types[target]
            except KeyError:
                raise LookupError(f"No GraphQL type for {target.__name__}: declare graphql_fields on it") from None

        return object_type

    def page_models(self) -> tuple[type, ...]:
        """The page models the API has types for; any other page in the tree (e.g. the tree root) is never
        returned."""
        from wagtail.models import Page

        return tuple(model for model in self.types if issubclass(model, Page))

    # --- composition (schema.py) -------------------------------------------------------------------------------

    @staticmethod
    def autodiscover() -> None:
        autodiscover_modules("graphql")

    def root(self, name: str, *, mutations: bool = False, description: str | None = None) -> type:
        """The root type composed of the registered mixins, their fields in `order`."""
        mixins = [mixin for _order, mixin in sorted(self._mutations if mutations else self._queries, key=order_key)]
        # Graphene takes the fields of the bases last to first: reversed, the first mixin's fields come first.
        meta = type("Meta", (), {"name": name, "description": description})
        return type(name, (*reversed(mixins), graphene.ObjectType), {"Meta": meta, "__doc__": None})

    def composed(self, name: str, base: type, *, description: str | None = None) -> type:
        """The object type `name` (built once): `base`'s fields, then those `extend(name, ...)` added."""
        if name not in self._composed:
            meta = type("Meta", (), {"name": name, "description": description})
            bases = (*reversed(self.extensions(name)), base, graphene.ObjectType)
            self._composed[name] = type(f"{name}Type", bases, {"Meta": meta, "__doc__": None})
        return self._composed[name]


def order_key(entry: tuple[int, type]) -> int:
    return entry[0]


registry = Registry()
