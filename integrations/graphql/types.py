"""GraphQL types for media, snippets and StreamField blocks; page types live in `page_types.py`.

Every relation is resolved through the request's `Loader` (`loaders.py`), which asks `pages.selectors` for the
caller: an image in a private collection, a members-only document or a draft page comes back as null (or is left
out of a list), whichever path leads to it. No type here exposes a user, an owner or a revision.
"""

from dataclasses import dataclass

import graphene
from django.conf import settings
from graphql import GraphQLError
from grapple.models import GraphQLField
from wagtail import blocks

from cms.links import public_url
from events.calendar_links import subscribe_links, topic_feed_path
from integrations.graphql.enums import TopicKindEnum
from integrations.graphql.loaders import get_loader, image_id, list_items
from integrations.graphql.richtext import render_rich_text
from pages import blocks as page_blocks
from pages.models import Person, Topic


def declared(model) -> type:
    """A mixin holding the graphene fields `model.graphql_fields` declares (grapple's GraphQLString & co.)."""
    attrs = {}
    for declaration in model.graphql_fields:
        field = declaration() if callable(declaration) else declaration
        if not isinstance(field, GraphQLField):
            raise TypeError(f"{model.__name__}.graphql_fields: {field!r} is not a grapple GraphQLField")
        attrs[field.field_name] = graphene.Field(
            field.field_type,
            source=field.field_source,
            description=field.description,
            deprecation_reason=field.deprecation_reason,
        )
    return type(f"{model.__name__}Fields", (), attrs)


def absolute(url: str | None) -> str | None:
    """Media URLs are site-relative on local storage and absolute on S3: partners always get absolute ones."""
    if not url:
        return None
    return public_url(url) if url.startswith("/") else url


# --- media -------------------------------------------------------------------------------------------------


class RenditionType(graphene.ObjectType):
    url = graphene.String(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)

    class Meta:
        name = "Rendition"

    @staticmethod
    def resolve_url(rendition, info):
        return absolute(rendition.url)


class ImageType(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    alt = graphene.String(required=True, description="Alternative text (required on every image).")
    credit = graphene.String(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)
    rendition = graphene.Field(
        RenditionType,
        required=True,
        spec=graphene.String(required=True, description="One of the allowed specs, e.g. fill-400x300, width-800."),
        description="A resized copy of the image. Only specs in the allow-list are served.",
    )

    class Meta:
        name = "Image"

    @staticmethod
    def resolve_alt(image, info):
        return image.description

    @staticmethod
    def resolve_rendition(image, info, spec):
        if spec not in settings.GRAPHQL_RENDITION_SPECS:
            allowed = ", ".join(settings.GRAPHQL_RENDITION_SPECS)
            raise GraphQLError(f"Rendition spec “{spec[:40]}” is not allowed. Use one of: {allowed}.")
        return image.get_rendition(spec)


class DocumentType(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    url = graphene.String(required=True, description="Served through the CMS, which checks who may download it.")
    file_size = graphene.Int(description="Size in bytes.")
    content_type = graphene.String(required=True, description="MIME type detected from the file's content.")
    file_extension = graphene.String(required=True)
    sha256 = graphene.String(description="SHA-256 checksum of the file (hex).")
    page_count = graphene.Int(description="Number of pages, for PDFs.")

    class Meta:
        name = "Document"

    @staticmethod
    def resolve_url(document, info):
        return public_url(document.url)

    @staticmethod
    def resolve_content_type(document, info):
        return document.mime_type or document.content_type

    @staticmethod
    def resolve_sha256(document, info):
        return document.sha256 or None

    @staticmethod
    def resolve_file_extension(document, info):
        return document.extension


# --- snippets ----------------------------------------------------------------------------------------------


def calendar_links(feed_path) -> type:
    """A mixin with `icalUrl`, `webcalUrl`, `googleCalendarUrl` for the feed at `feed_path(instance)`."""

    def link(kind):
        return lambda instance, info: subscribe_links(feed_path(instance))[kind]

    return type(
        "CalendarLinks",
        (),
        {
            "ical_url": graphene.String(required=True, description="The iCal feed (https).", resolver=link("https")),
            "webcal_url": graphene.String(
                required=True, description="The same feed for desktop calendars (webcal://).", resolver=link("webcal")
            ),
            "google_calendar_url": graphene.String(
                required=True, description="Subscribe in Google Calendar.", resolver=link("google")
            ),
        },
    )


class TopicType(declared(Topic), calendar_links(lambda topic: topic_feed_path(topic.slug)), graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.Field(TopicKindEnum, required=True)

    class Meta:
        name = "Topic"


class PersonType(declared(Person), graphene.ObjectType):
    id = graphene.ID(required=True)
    bio = graphene.String(required=True, description="HTML.")
    photo = graphene.Field(ImageType)

    class Meta:
        name = "Person"

    @staticmethod
    def resolve_bio(person, info):
        return render_rich_text(person.bio, get_loader(info))

    @staticmethod
    def resolve_photo(person, info):
        return get_loader(info).image(person.photo_id) if person.photo_id else None


# --- StreamField blocks ------------------------------------------------------------------------------------


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


class StreamFieldBlock(graphene.Interface):
    id = graphene.String(description="Stable id of the block within its page.")
    block_type = graphene.String(required=True, description="The block's name in the stream, e.g. 'paragraph'.")

    @staticmethod
    def resolve_block_type(value, info):
        return value.block.name

    @classmethod
    def resolve_type(cls, value, info):
        return BLOCK_TYPES[type(value.block)]


def struct_field(name: str, required: bool = False):
    """A String field read from the block's stored value."""
    return graphene.String(
        required=required, resolver=lambda value, info: value.get(name) or ("" if required else None)
    )


class HeadingBlock(graphene.ObjectType):
    text = struct_field("text", required=True)
    level = struct_field("level", required=True)

    class Meta:
        interfaces = (StreamFieldBlock,)


class RichTextBlock(graphene.ObjectType):
    html = graphene.String(required=True, description="HTML; internal links point at public URLs.")

    class Meta:
        interfaces = (StreamFieldBlock,)

    @staticmethod
    def resolve_html(value, info):
        return render_rich_text(value.raw, get_loader(info))


class ImageBlock(graphene.ObjectType):
    image = graphene.Field(ImageType, description="Null when the image is gone or private.")
    alt = graphene.String(required=True)
    decorative = graphene.Boolean(required=True)

    class Meta:
        interfaces = (StreamFieldBlock,)

    @staticmethod
    def resolve_image(value, info):
        pk = image_id(value.raw)
        return get_loader(info).image(pk) if pk is not None else None

    @staticmethod
    def resolve_alt(value, info):
        if value.get("decorative"):
            return ""
        image = ImageBlock.resolve_image(value, info)
        return value.get("alt_text") or (image.description if image else "")

    @staticmethod
    def resolve_decorative(value, info):
        return bool(value.get("decorative"))


class QuoteBlock(graphene.ObjectType):
    quote = struct_field("quote", required=True)
    attribution = struct_field("attribution")

    class Meta:
        interfaces = (StreamFieldBlock,)


class CallToActionBlock(graphene.ObjectType):
    label = struct_field("label", required=True)
    url = struct_field("url", required=True)

    class Meta:
        interfaces = (StreamFieldBlock,)


class DocumentLinkBlock(graphene.ObjectType):
    document = graphene.Field(DocumentType, description="Null when the document is gone or private.")
    label = graphene.String(required=True, description="The label, or the document's title.")

    class Meta:
        interfaces = (StreamFieldBlock,)

    @staticmethod
    def resolve_document(value, info):
        pk = value.get("document")
        return get_loader(info).document(pk) if isinstance(pk, int) else None

    @staticmethod
    def resolve_label(value, info):
        document = DocumentLinkBlock.resolve_document(value, info)
        return value.get("label") or (document.title if document else "")


class TopicListBlock(graphene.ObjectType):
    heading = struct_field("heading", required=True)
    topics = graphene.List(graphene.NonNull(TopicType), required=True)

    class Meta:
        interfaces = (StreamFieldBlock,)

    @staticmethod
    def resolve_topics(value, info):
        loader = get_loader(info)
        topics = (loader.topic(pk) for pk in list_items(value.get("topics")) if isinstance(pk, int))
        return [topic for topic in topics if topic is not None]


class ChapterBlock(graphene.ObjectType):
    title = struct_field("title", required=True)
    summary = struct_field("summary")
    body = graphene.List(graphene.NonNull(StreamFieldBlock), required=True)

    class Meta:
        interfaces = (StreamFieldBlock,)

    @staticmethod
    def resolve_body(value, info):
        return stream_values(value.block.child_blocks["body"], value.get("body"))


BLOCK_TYPES = {
    page_blocks.HeadingBlock: HeadingBlock,
    blocks.RichTextBlock: RichTextBlock,
    page_blocks.ImageBlock: ImageBlock,
    page_blocks.QuoteBlock: QuoteBlock,
    page_blocks.CallToActionBlock: CallToActionBlock,
    page_blocks.DocumentLinkBlock: DocumentLinkBlock,
    page_blocks.TopicListBlock: TopicListBlock,
    page_blocks.ChapterBlock: ChapterBlock,
}


def stream_field(field_name: str, description: str = ""):
    """A page's StreamField as typed blocks, read from the stored data (the live version's)."""

    def resolve(page, info):
        value = getattr(page, field_name)
        return stream_values(value.stream_block, value.raw_data)

    return graphene.List(
        graphene.NonNull(StreamFieldBlock), required=True, description=description or None, resolver=resolve
    )
