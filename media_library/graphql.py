"""The media library's partner API: image, rendition and document types, the publication and recording page types,
and the `publications`, `publication`, `recordings`, `recording` root fields with their orderings.

The pages' API fields are declared on the models (`graphql_fields`, read by integrations/graphql/fields.py); the
types here add only what a declaration cannot say: URL shortcuts that go through the caller's access to the file,
and the related event, which the selectors prefetch through the privacy rule. Images and documents are typed here
and registered for their models, so every app's image and document fields (declared or in blocks) use them.
"""

import graphene
from django.conf import settings
from django.core.exceptions import ValidationError
from graphql import GraphQLError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from cms.links import public_url
from integrations.graphql import cache
from integrations.graphql.fields import ModelType, after, choices_enum
from integrations.graphql.loaders import get_loader, viewer
from integrations.graphql.pagination import paginated_type, pagination_arguments
from integrations.graphql.registry import registry
from integrations.graphql.resolvers import (
    list_resolver,
    lookup_arguments,
    lookup_resolver,
    order_argument,
    topic_arguments,
)
from media_library import selectors
from media_library.models import PublicationPage, PublicationType, RecordingKind, RecordingPage
from media_library.renditions import RenditionBudget, allowed_widths, responsive_specs
from pages.access import visible_pages

# Ordering keys partners may ask for, each mapped to fixed columns (the first is the default).
PUBLICATION_ORDERS = {
    "-publishedOn": ("-publication_date", "-pk"),
    "publishedOn": ("publication_date", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}
RECORDING_ORDERS = {
    "-recordedOn": ("-recorded_on", "-pk"),
    "recordedOn": ("recorded_on", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
}


def absolute(url: str | None) -> str | None:
    """Media URLs are site-relative on local storage and absolute on S3: partners always get absolute ones."""
    if not url:
        return None
    return public_url(url) if url.startswith("/") else url


def file_url(document) -> str | None:
    return public_url(document.url) if document else None


# --- images and documents ----------------------------------------------------------------------------------


class ImageFormat(graphene.Enum):
    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    AVIF = "avif"

    class Meta:
        description = "The file format of a rendition."

    @property
    def description(self):
        return {
            ImageFormat.JPEG: "JPEG: every browser; best for photographs.",
            ImageFormat.PNG: "PNG: lossless, keeps transparency; large for photographs.",
            ImageFormat.WEBP: "WebP: smaller than JPEG at the same quality; every current browser.",
            ImageFormat.AVIF: "AVIF: smaller than WebP; offer it in a <picture> <source> with a JPEG fallback.",
        }[self]


class ImageCrop(graphene.Enum):
    ORIGINAL = "original"
    RATIO_16_9 = "16:9"
    RATIO_4_3 = "4:3"
    RATIO_1_1 = "1:1"

    class Meta:
        description = (
            "The shape of a rendition. Crops keep the image's focal point (set by editors) in the picture; "
            "ORIGINAL keeps the whole image."
        )

    @property
    def description(self):
        return {
            ImageCrop.ORIGINAL: "The whole image, its own proportions (no crop).",
            ImageCrop.RATIO_16_9: "Cropped to 16:9 (wide: banners, video-style cards).",
            ImageCrop.RATIO_4_3: "Cropped to 4:3 (cards).",
            ImageCrop.RATIO_1_1: "Cropped to a square (avatars, thumbnails).",
        }[self]


def responsive_arguments() -> dict:
    widths = ", ".join(str(width) for width in allowed_widths())
    return {
        "widths": graphene.List(
            graphene.NonNull(graphene.Int),
            required=True,
            description=f"Widths in pixels, each one of: {widths}. Wider than the image gives its full width.",
        ),
        "format": ImageFormat(default_value=ImageFormat.JPEG, description="The file format (default JPEG)."),
        "crop": ImageCrop(default_value=ImageCrop.ORIGINAL, description="The shape (default ORIGINAL: no crop)."),
    }


def rendition_budget(info) -> RenditionBudget:
    """The request's budget, shared by every image field of every image in it."""
    return get_loader(info).once("rendition_budget", lambda: RenditionBudget(settings.GRAPHQL_RENDITION_BUDGET))


def responsive_renditions(image, info, widths, format, crop) -> list:
    try:
        specs = responsive_specs(image, widths=widths, image_format=format.value, crop=crop.value)
        return rendition_budget(info).renditions(image, specs)
    except ValidationError as error:
        raise GraphQLError(" ".join(error.messages)) from None


class RenditionType(graphene.ObjectType):
    """A resized copy of an image, made once and then served from storage."""

    url = graphene.String(required=True, description="The resized file's absolute URL.")
    width = graphene.Int(required=True, description="Width in pixels, for the <img> width attribute.")
    height = graphene.Int(required=True, description="Height in pixels, for the <img> height attribute.")
    alt = graphene.String(required=True, description="The image's alternative text.")

    class Meta:
        name = "Rendition"
        description = "A resized (and possibly cropped and converted) copy of an image."

    @staticmethod
    def resolve_url(rendition, info):
        return absolute(rendition.url)

    @staticmethod
    def resolve_alt(rendition, info):
        return rendition.image.description


class ImageType(graphene.ObjectType):
    """An image the caller may see; show it through `rendition(spec:)` (the original file is not exposed)."""

    id = graphene.ID(required=True, description="The image's id.")
    title = graphene.String(required=True, description="The image's title in the media library (not alt text).")
    alt = graphene.String(required=True, description="Alternative text (required on every image).")
    credit = graphene.String(required=True, description="Photographer or source to credit; may be empty.")
    width = graphene.Int(required=True, description="The original's width in pixels.")
    height = graphene.Int(required=True, description="The original's height in pixels.")
    rendition = graphene.Field(
        RenditionType,
        required=True,
        spec=graphene.String(required=True, description="One of the allowed specs, e.g. fill-400x300, width-800."),
        description="A resized copy of the image. Only specs in the allow-list are served.",
    )
    src_set = graphene.String(
        description=(
            'A ready-made `srcset` attribute ("url 400w, url 800w") for <img> or <source>. Null with an error when a '
            "width is not allowed or the request's rendition budget is spent."
        ),
        **responsive_arguments(),
    )
    renditions = graphene.List(
        graphene.NonNull(RenditionType),
        description=(
            "The same renditions as srcSet, one per useful width (smallest first), with their sizes. Null with an "
            "error when a width is not allowed or the request's rendition budget is spent."
        ),
        **responsive_arguments(),
    )

    class Meta:
        name = "Image"
        description = "An image from the media library, with its alternative text and resized copies."

    @staticmethod
    def resolve_alt(image, info):
        return image.description

    @staticmethod
    def resolve_rendition(image, info, spec):
        if spec not in settings.GRAPHQL_RENDITION_SPECS:
            allowed = ", ".join(settings.GRAPHQL_RENDITION_SPECS)
            raise GraphQLError(f"Rendition spec “{spec[:40]}” is not allowed. Use one of: {allowed}.")
        try:
            return rendition_budget(info).renditions(image, [spec])[0]
        except ValidationError as error:
            raise GraphQLError(" ".join(error.messages)) from None

    @staticmethod
    def resolve_src_set(image, info, widths, format, crop):
        found = responsive_renditions(image, info, widths, format, crop)
        return ", ".join(f"{absolute(rendition.url)} {rendition.width}w" for rendition in found)

    @staticmethod
    def resolve_renditions(image, info, widths, format, crop):
        return responsive_renditions(image, info, widths, format, crop)


class DocumentType(graphene.ObjectType):
    """A file (PDF, captions, video...) the caller may download; members-only files come back null to others."""

    id = graphene.ID(required=True, description="The document's id.")
    title = graphene.String(required=True, description="The document's title, for link text.")
    description = graphene.String(required=True, description="A plain-language description of the file; may be empty.")
    url = graphene.String(required=True, description="Served through the CMS, which checks who may download it.")
    file_size = graphene.Int(description="Size in bytes.")
    content_type = graphene.String(required=True, description="MIME type detected from the file's content.")
    file_extension = graphene.String(required=True, description="The file's extension without the dot, e.g. pdf.")
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


registry.register_type(get_image_model(), ImageType)
registry.register_type(get_document_model(), DocumentType)


# --- publications and recordings ---------------------------------------------------------------------------


class PublicationPageType(ModelType):
    document_url = after("document", graphene.String(description="Shortcut for document.url."))

    class Meta:
        model = PublicationPage

    @staticmethod
    def resolve_document_url(page, info):
        return file_url(get_loader(info).document(page.document_id))


class RecordingPageType(ModelType):
    video_url = after("video", graphene.String(description="The video file's URL, or the embed link."))
    captions_url = after("captions", graphene.String(description="Shortcut for captions.url (WebVTT); null if none."))
    related_event = graphene.Field(
        registry.lazy(RecordingPage._meta.get_field("related_event").related_model),
        description="Null when the event is not visible.",
    )

    class Meta:
        model = RecordingPage

    @staticmethod
    def resolve_video_url(page, info):
        if page.video_id:
            return file_url(get_loader(info).document(page.video_id))
        return page.embed_url or None

    @staticmethod
    def resolve_captions_url(page, info):
        return file_url(get_loader(info).document(page.captions_id) if page.captions_id else None)

    @staticmethod
    def resolve_related_event(page, info):
        # Prefetched through the privacy rule by the recording selectors (None when not visible).
        if hasattr(page, "visible_related_event"):
            return page.visible_related_event
        if not page.related_event_id:
            return None
        event_model = type(page)._meta.get_field("related_event").related_model
        return visible_pages(event_model.objects.filter(pk=page.related_event_id), user=viewer(info)).first()


PaginatedPublicationsType = paginated_type(
    PublicationPageType, "PaginatedPublications", "One page of the publications library."
)
PaginatedRecordingsType = paginated_type(RecordingPageType, "PaginatedRecordings", "One page of session recordings.")


class MediaQuery(graphene.ObjectType):
    publications = graphene.Field(
        PaginatedPublicationsType,
        required=True,
        **topic_arguments(),
        type=choices_enum(PublicationType)(description="Only publications of this type, e.g. TOOLKIT."),
        search=graphene.String(description="Words to look for in titles, abstracts and authors."),
        year=graphene.Int(description="Only publications dated in this year, e.g. 2025."),
        order=order_argument(PUBLICATION_ORDERS),
        description="The publications library as the caller may see it (members also see members-only ones), "
        "newest first by default.",
        resolver=list_resolver(selectors.publications, orders=PUBLICATION_ORDERS),
        **pagination_arguments(),
    )
    publication = graphene.Field(
        PublicationPageType,
        description="One publication by id or slug; null when there is none or the caller may not see it.",
        resolver=lookup_resolver(selectors.publication),
        **lookup_arguments(),
    )
    recordings = graphene.Field(
        PaginatedRecordingsType,
        required=True,
        **topic_arguments(),
        kind=choices_enum(RecordingKind)(description="Only recordings of this kind, e.g. COP_MEETING."),
        search=graphene.String(
            description="Words to look for in titles, summaries, transcripts and topics (at most 200 characters)."
        ),
        year=graphene.Int(description="Only recordings made in this year, e.g. 2025."),
        order=order_argument(RECORDING_ORDERS),
        description="Session recordings the caller may see (members also see members-only ones), newest first by "
        "default.",
        resolver=list_resolver(selectors.recordings, orders=RECORDING_ORDERS),
        **pagination_arguments(),
    )
    recording = graphene.Field(
        RecordingPageType,
        description="One recording by id or slug; null when there is none or the caller may not see it.",
        resolver=lookup_resolver(selectors.recording),
        **lookup_arguments(),
    )


# After the events app's fields and the topics (registry.py explains `order`).
registry.register_query(MediaQuery, order=50)
cache.declare_roots(shared=["publications", "publication", "recordings", "recording"])
