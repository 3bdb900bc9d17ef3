"""Factories for images, documents, publications and recordings (real files: PNG images and one-page PDFs)."""

from datetime import date

import factory
import wagtail_factories
from django.core.files.base import ContentFile

from media_library.models import (
    CustomDocument,
    CustomImage,
    PublicationIndexPage,
    PublicationPage,
    PublicationType,
    RecordingIndexPage,
    RecordingKind,
    RecordingPage,
)
from media_library.pdf import make_pdf

WEBVTT_SAMPLE = "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nWelcome to the Community of Practice meeting.\n"


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Image {n}")
    description = "Officers and clinicians in a CIT training session"
    file = factory.django.ImageField(width=64, height=48, color="navy")

    class Meta:
        model = CustomImage


class DocumentFactory(wagtail_factories.DocumentFactory):
    title = factory.Sequence(lambda n: f"Document {n}")
    file = factory.LazyAttribute(
        lambda doc: ContentFile(make_pdf(doc.title, ["CIT ASSIST resource library."]), name="resource.pdf")
    )

    class Meta:
        model = CustomDocument


class CaptionsFactory(DocumentFactory):
    title = factory.Sequence(lambda n: f"Captions {n}")
    file = factory.LazyFunction(lambda: ContentFile(WEBVTT_SAMPLE.encode(), name="captions.vtt"))


class PublicationIndexPageFactory(wagtail_factories.PageFactory):
    title = "Resource library"

    class Meta:
        model = PublicationIndexPage


class PublicationPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Publication {n}")
    publication_date = date(2025, 6, 1)
    publication_type = PublicationType.REPORT
    abstract = "<p>A practical brief for CIT coordinators.</p>"
    document = factory.SubFactory(DocumentFactory)

    class Meta:
        model = PublicationPage


class RecordingIndexPageFactory(wagtail_factories.PageFactory):
    title = "Meeting and webinar recordings"

    class Meta:
        model = RecordingIndexPage


class RecordingPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Recording {n}")
    summary = "Agencies shared how they built co-responder programs."
    recording_kind = RecordingKind.WEBINAR
    recorded_on = date(2025, 9, 18)
    duration_minutes = 60
    embed_url = "https://vimeo.com/000000000"
    captions = factory.SubFactory(CaptionsFactory)
    transcript = "<p>Welcome to the Community of Practice meeting.</p>"

    class Meta:
        model = RecordingPage
