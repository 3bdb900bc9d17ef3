"""Object types of the StreamField blocks: Wagtail's rich text and image blocks and those of `pages.blocks`.

They live in the framework rather than in `pages`, which stays a leaf (it imports no other app, the API included),
and every content app's StreamFields use them. Blocks hold bare ids (choosers never store loaded objects): each id
is resolved through the request's `Loader`, so an image or document the caller may not see comes back as null
and a topic list leaves out what is gone. Document, image and topic types are looked up in the registry.
"""

import graphene
from django.conf import settings
from wagtail import blocks

from integrations.graphql.interfaces import StreamFieldBlockInterface, stream_values
from integrations.graphql.loaders import get_loader, image_id, list_items
from integrations.graphql.registry import registry
from integrations.graphql.richtext import render_rich_text
from pages import blocks as page_blocks
from pages.blocks import chapter_slug
from pages.models import Topic


def struct_field(name: str, required: bool = False):
    """A String field read from the block's stored value."""
    return graphene.String(
        required=required, resolver=lambda value, info: value.get(name) or ("" if required else None)
    )


def block_meta(name: str) -> type:
    return type("Meta", (), {"name": name, "interfaces": (StreamFieldBlockInterface,)})


@registry.register_block(page_blocks.HeadingBlock)
class HeadingBlockType(graphene.ObjectType):
    text = struct_field("text", required=True)
    level = struct_field("level", required=True)
    Meta = block_meta("HeadingBlock")


@registry.register_block(blocks.RichTextBlock)
class RichTextBlockType(graphene.ObjectType):
    html = graphene.String(required=True, description="HTML; internal links point at public URLs.")
    Meta = block_meta("RichTextBlock")

    @staticmethod
    def resolve_html(value, info):
        return render_rich_text(value.raw, get_loader(info))


@registry.register_block(page_blocks.ImageBlock)
class ImageBlockType(graphene.ObjectType):
    image = graphene.Field(
        registry.lazy(settings.WAGTAILIMAGES_IMAGE_MODEL), description="Null when the image is gone or private."
    )
    alt = graphene.String(required=True)
    decorative = graphene.Boolean(required=True)
    Meta = block_meta("ImageBlock")

    @staticmethod
    def resolve_image(value, info):
        pk = image_id(value.raw)
        return get_loader(info).image(pk) if pk is not None else None

    @staticmethod
    def resolve_alt(value, info):
        if value.get("decorative"):
            return ""
        image = ImageBlockType.resolve_image(value, info)
        return value.get("alt_text") or (image.description if image else "")

    @staticmethod
    def resolve_decorative(value, info):
        return bool(value.get("decorative"))


@registry.register_block(page_blocks.QuoteBlock)
class QuoteBlockType(graphene.ObjectType):
    quote = struct_field("quote", required=True)
    attribution = struct_field("attribution")
    Meta = block_meta("QuoteBlock")


@registry.register_block(page_blocks.CallToActionBlock)
class CallToActionBlockType(graphene.ObjectType):
    label = struct_field("label", required=True)
    url = struct_field("url", required=True)
    Meta = block_meta("CallToActionBlock")


@registry.register_block(page_blocks.DocumentLinkBlock)
class DocumentLinkBlockType(graphene.ObjectType):
    document = graphene.Field(
        registry.lazy(settings.WAGTAILDOCS_DOCUMENT_MODEL), description="Null when the document is gone or private."
    )
    label = graphene.String(required=True, description="The label, or the document's title.")
    Meta = block_meta("DocumentLinkBlock")

    @staticmethod
    def resolve_document(value, info):
        pk = value.get("document")
        return get_loader(info).document(pk) if isinstance(pk, int) else None

    @staticmethod
    def resolve_label(value, info):
        document = DocumentLinkBlockType.resolve_document(value, info)
        return value.get("label") or (document.title if document else "")


@registry.register_block(page_blocks.TopicListBlock)
class TopicListBlockType(graphene.ObjectType):
    heading = struct_field("heading", required=True)
    topics = graphene.List(graphene.NonNull(registry.lazy(Topic)), required=True)
    Meta = block_meta("TopicListBlock")

    @staticmethod
    def resolve_topics(value, info):
        loader = get_loader(info)
        topics = (loader.topic(pk) for pk in list_items(value.get("topics")) if isinstance(pk, int))
        return [topic for topic in topics if topic is not None]


@registry.register_block(page_blocks.ChapterBlock)
class ChapterBlockType(graphene.ObjectType):
    title = struct_field("title", required=True)
    slug = graphene.String(
        required=True,
        description="The chapter's address within its guide, e.g. building-partnerships: pass it to "
        "guide { chapter(slug:) }.",
        resolver=lambda value, info: chapter_slug(value),
    )
    summary = struct_field("summary")
    body = graphene.List(graphene.NonNull(StreamFieldBlockInterface), required=True)
    Meta = block_meta("ChapterBlock")

    @staticmethod
    def resolve_body(value, info):
        return stream_values(value.block.child_blocks["body"], value.get("body"))
