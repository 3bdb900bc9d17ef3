"""The media library's partner API: image, rendition and document types, the publication and recording page types,
and the `publications`, `publication`, `recordings`, `recording` root fields with their orderings.

The pages' API fields are declared on the models (`graphql_fields`, read by integrations/graphql/fields.py); the
types here add only what a declaration cannot say: URL shortcuts that go through the caller's access to the file,
and the related event, which the selectors prefetch through the privacy rule. Images and documents are typed here
and registered for their models, so every app's image and document fields (declared or in blocks) use them.
"""

import graphene
from django.conf import settings
from graphql import GraphQLError
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from cms.links import public_url
from integrations.graphql import cache
from integrations.graphql.fields import ModelType, after
from integrations.graphql.loaders import get_loader, viewer
from integrations.graphql.pagination import paginated_type, pagination_arguments
from integrations.graphql.registry import registry
from integrations.graphql.resolvers import list_resolver, lookup_arguments, lookup_resolver, order_argument
from media_library import selectors
from media_library.models import PublicationPage, RecordingPage
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
    captions_url = after("captions", graphene.String())
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


PaginatedPublicationsType = paginated_type(PublicationPageType, "PaginatedPublications")
PaginatedRecordingsType = paginated_type(RecordingPageType, "PaginatedRecordings")


def prepare_publications(rows: list, loader) -> list:
    """Batch what a page of publications points at: their PDFs, cover images and authors' photos."""
    loader.load_documents(row.document_id for row in rows)
    loader.load_images(
        [row.cover_image_id for row in rows if row.cover_image_id]
        + [person.photo_id for row in rows for person in row.authors.all() if person.photo_id]
    )
    return loader.register(rows)


def prepare_recordings(rows: list, loader) -> list:
    """Batch what a page of recordings points at: video and caption files, presenters' photos."""
    loader.load_documents(pk for row in rows for pk in (row.video_id, row.captions_id) if pk)
    loader.load_images(person.photo_id for row in rows for person in row.presenters.all() if person.photo_id)
    return loader.register(rows)


class MediaQuery(graphene.ObjectType):
    publications = graphene.Field(
        PaginatedPublicationsType,
        required=True,
        topic=graphene.String(),
        search=graphene.String(description="Words to look for in titles, abstracts and authors."),
        year=graphene.Int(),
        order=order_argument(PUBLICATION_ORDERS),
        resolver=list_resolver(selectors.publications, prepare_publications, PUBLICATION_ORDERS),
        **pagination_arguments(),
    )
    publication = graphene.Field(
        PublicationPageType,
        resolver=lookup_resolver(selectors.publication, prepare_publications),
        **lookup_arguments(),
    )
    recordings = graphene.Field(
        PaginatedRecordingsType,
        required=True,
        topic=graphene.String(),
        year=graphene.Int(),
        order=order_argument(RECORDING_ORDERS),
        resolver=list_resolver(selectors.recordings, prepare_recordings, RECORDING_ORDERS),
        **pagination_arguments(),
    )
    recording = graphene.Field(
        RecordingPageType,
        resolver=lookup_resolver(selectors.recording, prepare_recordings),
        **lookup_arguments(),
    )


# After the events app's fields and the topics (registry.py explains `order`).
registry.register_query(MediaQuery, order=50)
cache.declare_roots(shared=["publications", "publication", "recordings", "recording"])
