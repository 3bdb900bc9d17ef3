"""The two interfaces every app's types share: `Page` (what every page has) and `StreamFieldBlock`.

Grapple's own page interface is not used: its `parent`, `children`, `draftTitle` and owner fields read drafts and
private pages. The `Page` interface here has only fields that are safe for any caller, and every relation goes
through the privacy rule (`selectors`, directly or through the request's `Loader`). Which object type a page or a
block resolves to is looked up in the registry, so neither interface names a model.
"""

import enum
import inspect
from dataclasses import dataclass
from functools import cache

import graphene
from wagtail import blocks

from cms.links import public_url
from integrations.graphql import selectors
from integrations.graphql.loaders import get_loader, viewer
from integrations.graphql.pagination import paginate, paginated_type, pagination_arguments
from integrations.graphql.registry import registry


@cache
def content_kind_enum() -> type[graphene.Enum]:
    """`ContentKind`: one value per page type the API serves, from each model's `content_kind` (stable: partners
    route and filter by it) and described by the model's docstring. Built when the schema is, once every app has
    registered its page types."""
    models = sorted(registry.page_models(), key=lambda model: getattr(model, "content_kind", ""))
    if missing := [model.__name__ for model in models if "content_kind" not in vars(model)]:
        raise TypeError(f"Page types without a content_kind: {', '.join(missing)}")
    kinds = enum.Enum("ContentKind", {model.content_kind.upper(): model.content_kind for model in models}, type=str)
    described = {model.content_kind: " ".join(inspect.cleandoc(model.__doc__).split()) for model in models}

    def description(value):
        if value is None:
            return (
                "What kind of page a page is: stable names a partner front end can route by (with the page's slug "
                "and urlPath) and `searchResults(kinds:)` filters by."
            )
        return described[value.value]

    meta = type("Meta", (), {"enum": kinds, "description": description})
    return type("ContentKind", (graphene.Enum,), {"Meta": meta})


class PageInterface(graphene.Interface):
    """What every page has. Always the live version: drafts never reach the API (preview aside)."""

    id = graphene.ID(required=True, description="The page's id: stable for its lifetime, e.g. for `page(id:)`.")
    title = graphene.String(required=True, description="The page's title as editors wrote it (plain text).")
    slug = graphene.String(
        required=True,
        description="The last part of the page's path, unique among its siblings, e.g. cit-basics; lookups such as "
        "`event(slug:)` take it.",
    )
    url = graphene.String(description="The page's public URL on the CMS's origin.")
    url_path = graphene.String(description="The page's path on the site, e.g. /events/cit-basics/.")
    page_type = graphene.String(required=True, description="The page model, e.g. TrainingEventPage.")
    content_kind = graphene.Field(
        lambda: content_kind_enum(),
        required=True,
        description="What kind of page this is (EVENT, PUBLICATION, GUIDE...): stable, to route by in a front end.",
    )
    seo_title = graphene.String(
        required=True, description="A title for the HTML <title> tag and search engines; empty: use `title`."
    )
    search_description = graphene.String(
        required=True, description="A sentence for the meta description tag and link previews; may be empty."
    )
    first_published_at = graphene.DateTime(
        description="When the page first went live (UTC, ISO 8601); null for a page never published."
    )
    last_published_at = graphene.DateTime(
        description="When the live version was last published (UTC, ISO 8601): changes when editors republish."
    )
    parent = graphene.Field(lambda: PageInterface, description="Null when the parent is not visible to the caller.")
    children = graphene.Field(
        lambda: PaginatedPagesType,
        required=True,
        description="The children the caller may see.",
        **pagination_arguments(),
    )

    class Meta:
        name = "Page"

    @classmethod
    def resolve_type(cls, instance, info):
        return registry.types[type(instance)]

    @staticmethod
    def resolve_url_path(page, info):
        return get_loader(info).path_for(page.url_path)

    @staticmethod
    def resolve_url(page, info):
        path = get_loader(info).path_for(page.url_path)
        return public_url(path) if path else None

    @staticmethod
    def resolve_page_type(page, info):
        return type(page).__name__

    @staticmethod
    def resolve_content_kind(page, info):
        return type(page).content_kind

    @staticmethod
    def resolve_parent(page, info):
        parent = selectors.parent(page, user=viewer(info))
        return get_loader(info).register([parent])[0] if parent else None

    @staticmethod
    def resolve_children(node, info, page=1, per_page=None):
        children = selectors.children(node, user=viewer(info))
        return paginate(children, page=page, per_page=per_page, prepare=get_loader(info).register)


PaginatedPagesType = paginated_type(
    PageInterface, "PaginatedPages", "One page of pages of any type (e.g. a page's children)."
)


# --- StreamField -------------------------------------------------------------------------------------------


@dataclass
class BlockValue:
    """One block as stored: its definition, raw value and stable id (choosers hold ids, never loaded objects)."""

    block: blocks.Block
    raw: object
    id: str | None = None

    def get(self, name, default=None):
        return self.raw.get(name, default) if isinstance(self.raw, dict) else default


def stream_values(stream_block: blocks.StreamBlock, raw) -> list[BlockValue]:
    return [
        BlockValue(block=stream_block.child_blocks[child["type"]], raw=child.get("value"), id=child.get("id"))
        for child in raw or []
        if child.get("type") in stream_block.child_blocks
    ]


class StreamFieldBlockInterface(graphene.Interface):
    """One block of a page's body, in the order editors placed them. Ask for the fields of each kind with
    fragments (`... on HeadingBlock { text level }`); `blockType` names the kind."""

    id = graphene.String(description="Stable id of the block within its page.")
    block_type = graphene.String(required=True, description="The block's name in the stream, e.g. 'paragraph'.")

    class Meta:
        name = "StreamFieldBlock"

    @staticmethod
    def resolve_block_type(value, info):
        return value.block.name

    @classmethod
    def resolve_type(cls, value, info):
        return registry.block_types[type(value.block)]
