"""Images, documents, the resource library (publications) and the meeting and webinar recordings."""

import graphene
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from grapple.models import (
    GraphQLCollection,
    GraphQLDocument,
    GraphQLField,
    GraphQLForeignKey,
    GraphQLImage,
    GraphQLInt,
    GraphQLRichText,
    GraphQLString,
)
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.documents.models import AbstractDocument, Document
from wagtail.fields import RichTextField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Page
from wagtail.search import index

from media_library.files import pdf_page_count, read_head, safe_filename, sha256_of, sniff_kind
from media_library.validation import RULES, extension_of
from media_library.webvtt import validate_webvtt
from pages.access import restricted_pages, visible_documents
from pages.audience import AUDIENCE_PANEL, MEMBERS, AudienceForm, AudiencePageMixin
from pages.models import (
    CARD_IMAGE_FIELD,
    INTRO_DESCRIPTION,
    SUMMARY_DESCRIPTION,
    TOPICS_FIELD,
    Person,
    Topic,
    card_image_field,
)
from pages.preview import PartnerPreviewMixin
from pages.queries import DescribedChoices
from pages.validators import validate_web_url

VIDEO_EXTENSIONS = {"mp4", "webm", "mov"}
RECORDING_EXTENSIONS = {*VIDEO_EXTENSIONS, "mp3", "vtt"}


def document_upload_to(instance, filename: str) -> str:
    """documents/<name>, or recordings/<name> for video, audio and captions; always a sanitised file name."""
    filename = safe_filename(filename)
    folder = "recordings" if extension_of(filename) in RECORDING_EXTENSIONS else "documents"
    return f"{folder}/{filename}"


class CustomImage(AbstractImage):
    """An image whose alternative text is required before it is shown anywhere: every image reaches partner sites with
    a description. The multiple upload saves the file first and asks for alt text next to it (media_library/views.py);
    until it is given the image is left out of every channel (`pages.access.visible_images`) and of the choosers. The
    field's blank=False keeps it required for full_clean() and every other form."""

    description = models.CharField(
        "alt text",
        max_length=255,
        help_text="Describe the image for people using screen readers, e.g. 'Officers in a CIT training class'.",
    )
    credit = models.CharField(max_length=255, blank=True, help_text="Photographer or source, if required.")

    admin_form_fields = (*Image.admin_form_fields, "credit")

    def get_upload_to(self, filename):
        return super().get_upload_to(safe_filename(filename))

    class Meta(AbstractImage.Meta):
        verbose_name = "image"
        # Wagtail's choosers check this codename whatever the image model is called.
        permissions = [("choose_image", "Can choose image")]

    def clean(self):
        super().clean()
        # blank=False refuses an empty value; spaces alone are no alt text either.
        if self.description and not self.description.strip():
            raise ValidationError({"description": "Alt text is required."})

    @property
    def has_alt_text(self) -> bool:
        return bool(self.description.strip())


class CustomRendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class CustomDocument(AbstractDocument):
    """A document with a plain-language description and metadata read from the file itself on upload.

    `file_size` and `file_hash` (SHA-1) come from Wagtail; `mime_type` is sniffed from the content (never the
    name), `sha256` is the checksum partners and `copy_media` verify, `page_count` is set for PDFs.
    """

    file = models.FileField(upload_to=document_upload_to, max_length=255, verbose_name="file")
    description = models.TextField(blank=True)
    mime_type = models.CharField(max_length=100, blank=True, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)
    page_count = models.PositiveIntegerField(null=True, blank=True, editable=False)

    admin_form_fields = (*Document.admin_form_fields, "description")

    class Meta(AbstractDocument.Meta):
        verbose_name = "document"
        permissions = [("choose_document", "Can choose document")]

    @property
    def extension(self) -> str:
        return self.file_extension.lower()

    def clean(self):
        # Wagtail's extension check; skipped when the upload was already refused (it would add a confusing
        # 'File extension "" is not allowed' next to the real reason).
        if self.file:
            super().clean()

    def _set_document_file_metadata(self):
        """Wagtail's hook on every admin upload (size, SHA-1); we add what we read from the content."""
        super()._set_document_file_metadata()
        self._set_content_metadata()

    def _set_content_metadata(self) -> None:
        with self.open_file() as handle:
            self.sha256 = sha256_of(handle)
            kind = sniff_kind(read_head(handle))
            rule = RULES.get(self.extension)
            self.mime_type = kind.mime if kind else (rule.mime if rule else "application/octet-stream")
            self.page_count = pdf_page_count(handle) if self.mime_type == "application/pdf" else None
        if not self.file._committed:
            self._metadata_of = self.file.file

    def save(self, *args, **kwargs):
        # Files saved outside the admin (factories, scripts) get the same metadata; a file the admin form already
        # measured (Wagtail calls _set_document_file_metadata) is not read a second time.
        new_file = self.file and not self.file._committed
        if new_file and getattr(self, "_metadata_of", None) is not self.file.file:
            self.file_size = self.file.size
            self._set_content_metadata()
        super().save(*args, **kwargs)


def validate_pdf_document(document: CustomDocument | None) -> None:
    if document and document.extension != "pdf":
        raise ValidationError("Choose a PDF document.")


class PublicationType(DescribedChoices):
    """What kind of publication it is, so a library can be browsed by type."""

    REPORT = "report", "Report: findings and analysis in depth."
    BRIEF = "brief", "Brief: a short field or issue brief."
    GUIDE = "guide", "Guide: step-by-step guidance for building or running a program."
    TOOLKIT = "toolkit", "Toolkit: forms, checklists and tools to put into practice."
    TEMPLATE = "template", "Template: a model policy, agreement or form to adapt."
    FACT_SHEET = "fact_sheet", "Fact sheet: one or two pages of key facts."
    OTHER = "other", "Other: none of the above."


class RecordingKind(DescribedChoices):
    """What kind of session was recorded."""

    COP_MEETING = "cop_meeting", "Community of Practice meeting: the CoP's quarterly virtual meeting."
    WEBINAR = "webinar", "Webinar: a presentation open to a wider audience."
    TRAINING_SESSION = "training_session", "Training session: a facilitator-led live training."
    OTHER = "other", "Other: none of the above."


class PublicationIndexPage(Page):
    """The resource library."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    graphql_description = "The resource library section: its children are the publications."
    graphql_fields = [GraphQLString("intro", required=True, description=INTRO_DESCRIPTION)]
    parent_page_types = ["pages.HomePage"]
    content_kind = "publication_index"  # its ContentKind in the API (partners route by it)
    subpage_types = ["media_library.PublicationPage"]
    max_count = 1


class PublicationPage(AudiencePageMixin, PartnerPreviewMixin, Page):
    """A publication in the resource library: a report, brief, toolkit or guide, with its PDF."""

    publication_date = models.DateField()
    publication_type = models.CharField(
        "type", max_length=20, choices=PublicationType.choices, help_text="Partner sites filter the library by it."
    )
    authors = ParentalManyToManyField(Person, blank=True, related_name="publications")
    abstract = RichTextField(features=["bold", "italic", "link", "ul", "ol"])
    topics = ParentalManyToManyField(Topic, blank=True, related_name="publications")
    document = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The publication itself, as a PDF.",
    )
    cover_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    card_image = card_image_field()

    content_panels = [
        *Page.content_panels,
        AUDIENCE_PANEL,
        FieldRowPanel([FieldPanel("publication_type"), FieldPanel("publication_date")]),
        FieldRowPanel([FieldPanel("cover_image"), FieldPanel("card_image")]),
        FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
        FieldPanel("abstract"),
        FieldPanel("document"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("abstract"),
        index.FilterField("publication_date"),
        index.FilterField("publication_type"),
        index.RelatedFields("authors", [index.SearchField("name")]),
        index.RelatedFields("topics", [index.SearchField("name")]),
    ]
    # The API's fields, declared the grapple way; media_library/graphql.py adds the computed ones.
    graphql_description = (
        "A publication in the resource library (a report, brief, toolkit or guide) with its PDF. Members-only "
        "publications are visible to members' tokens only."
    )
    graphql_fields = [
        GraphQLField(
            "published_on",
            graphene.Date,
            required=True,
            source="publication_date",
            description="The publication's date (a calendar date, no time zone), e.g. 2025-03-01.",
        ),
        GraphQLField(
            "publication_type", PublicationType, required=True, description="Report, brief, toolkit, template..."
        ),
        GraphQLRichText("abstract", required=True, description="What the publication covers (HTML)."),
        GraphQLCollection(
            GraphQLForeignKey,
            "authors",
            "pages.Person",
            required=True,
            item_required=True,
            description="The authors, in the order editors listed them.",
        ),
        TOPICS_FIELD,
        GraphQLDocument("document", description="The publication (PDF); null when the caller may not download it."),
        GraphQLImage(
            "cover_image",
            description="The publication's cover, for listings; null when there is none or it is private.",
        ),
        CARD_IMAGE_FIELD,
    ]
    parent_page_types = ["media_library.PublicationIndexPage"]
    base_form_class = AudienceForm
    content_kind = "publication"  # its ContentKind in the API (partners route by it)
    subpage_types = []
    # Webhooks (integrations/webhooks reads these two): the kind in the payload's `type` and what it adds to the
    # common fields.
    webhook_kind = "publication"

    def webhook_data(self) -> dict:
        return {"publishedOn": self.publication_date.isoformat() if self.publication_date else None}

    def clean(self):
        super().clean()
        if self.document_id:
            try:
                validate_pdf_document(self.document)
            except ValidationError as error:
                raise ValidationError({"document": error.messages}) from error


class RecordingIndexPage(Page):
    """Community of Practice meeting and webinar recordings."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    graphql_description = "The recordings section: its children are the session recordings."
    graphql_fields = [GraphQLString("intro", required=True, description=INTRO_DESCRIPTION)]
    parent_page_types = ["pages.HomePage"]
    content_kind = "recording_index"  # its ContentKind in the API (partners route by it)
    subpage_types = ["media_library.RecordingPage"]
    max_count = 1


class RecordingPageForm(AudienceForm):
    """A members-only recording's files must be members-only too (also when the form asks for members only): its
    page's restriction doesn't cover the documents, which are served by their collection's rules (pages.access)."""

    FILE_FIELDS = ("video", "captions")

    def clean(self):
        cleaned = super().clean()
        files = {name: cleaned.get(name) for name in self.FILE_FIELDS if cleaned.get(name)}
        if files and self._page_is_restricted():
            public = set(
                visible_documents(user=None).filter(pk__in=[f.pk for f in files.values()]).values_list("pk", flat=True)
            )
            for name, document in files.items():
                if document.pk in public:
                    self.add_error(
                        name,
                        f"This recording is restricted, but “{document.title}” is in the public collection "
                        f"“{document.collection.name}”: anyone with its link could download it. Move it to a "
                        "restricted collection (e.g. Members only) first.",
                    )
        return cleaned

    def _page_is_restricted(self) -> bool:
        request = self.requested_audience()
        if request is not None and request.requested == MEMBERS:  # members only once this revision is published
            return True
        # A new page has no tree position yet: its parent's restrictions are the ones it will inherit.
        page = self.instance if self.instance.pk else self.parent_page
        return restricted_pages(Page.objects.filter(pk=page.pk)).exists()


class RecordingPage(AudiencePageMixin, PartnerPreviewMixin, Page):
    """A recorded CoP meeting or webinar: a video file or an embed link, with its transcript and captions."""

    summary = models.TextField(max_length=600, help_text="What the session covered, for listings.")
    recording_kind = models.CharField(
        "kind", max_length=20, choices=RecordingKind.choices, help_text="Partner sites filter recordings by it."
    )
    recorded_on = models.DateField()
    duration_minutes = models.PositiveIntegerField(help_text="Length of the recording in minutes.")
    video = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The video file (MP4, WebM or MOV). Or give an embed link instead.",
    )
    embed_url = models.URLField(
        blank=True,
        max_length=500,
        validators=[validate_web_url],
        help_text="A video-platform link (e.g. Vimeo or YouTube) when the video is hosted elsewhere.",
    )
    captions = models.ForeignKey(
        settings.WAGTAILDOCS_DOCUMENT_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Closed captions as a WebVTT (.vtt) file.",
    )
    transcript = RichTextField(blank=True, features=["bold", "italic", "h3", "ul", "ol", "link"])
    related_event = models.ForeignKey(
        "events.TrainingEventPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recordings",
        help_text="The training event or meeting this is a recording of.",
    )
    presenters = ParentalManyToManyField(Person, blank=True, related_name="recordings")
    topics = ParentalManyToManyField(Topic, blank=True, related_name="recordings")
    card_image = card_image_field()

    content_panels = [
        *Page.content_panels,
        AUDIENCE_PANEL,
        FieldPanel("summary"),
        FieldPanel("card_image"),
        FieldRowPanel([FieldPanel("recording_kind"), FieldPanel("recorded_on"), FieldPanel("duration_minutes")]),
        MultiFieldPanel([FieldPanel("video"), FieldPanel("embed_url"), FieldPanel("captions")], heading="Video"),
        FieldPanel("transcript"),
        FieldPanel("related_event"),
        FieldPanel("presenters", widget=forms.CheckboxSelectMultiple),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("transcript"),
        index.FilterField("recorded_on"),
        index.FilterField("recording_kind"),
        index.RelatedFields("topics", [index.SearchField("name")]),
    ]
    graphql_description = (
        "A recorded Community of Practice meeting or webinar: a video file or an embed link, with captions and a "
        "transcript. Members-only recordings are visible to members' tokens only."
    )
    graphql_fields = [
        GraphQLString("summary", required=True, description=SUMMARY_DESCRIPTION),
        CARD_IMAGE_FIELD,
        GraphQLField(
            "recording_kind", RecordingKind, required=True, description="CoP meeting, webinar, training session..."
        ),
        GraphQLField(
            "recorded_on",
            graphene.Date,
            required=True,
            description="The day of the session (a calendar date, no time zone), e.g. 2025-03-01.",
        ),
        GraphQLInt("duration", required=True, source="duration_minutes", description="Length in minutes."),
        GraphQLString(
            "embed_url",
            required=True,
            description="A video-platform link (e.g. Vimeo or YouTube) when the video is hosted there; else empty.",
        ),
        GraphQLDocument("video", description="The video file, when there is one and the caller may see it."),
        GraphQLDocument("captions", description="Closed captions (WebVTT)."),
        GraphQLRichText("transcript", required=True, description="What was said (HTML); may be empty."),
        GraphQLCollection(
            GraphQLForeignKey,
            "presenters",
            "pages.Person",
            required=True,
            item_required=True,
            description="Who presented, in the order editors listed them.",
        ),
        TOPICS_FIELD,
    ]
    parent_page_types = ["media_library.RecordingIndexPage"]
    content_kind = "recording"  # its ContentKind in the API (partners route by it)
    subpage_types = []
    base_form_class = RecordingPageForm
    # Webhooks (integrations/webhooks reads these two): the kind in the payload's `type` and what it adds to the
    # common fields.
    webhook_kind = "recording"

    def webhook_data(self) -> dict:
        return {"recordedOn": self.recorded_on.isoformat() if self.recorded_on else None}

    def clean(self):
        super().clean()
        errors = {}
        if bool(self.video_id) == bool(self.embed_url):
            errors["embed_url"] = "Give either a video file or an embed link (exactly one)."
        if self.video_id and self.video.extension not in VIDEO_EXTENSIONS:
            errors["video"] = "Choose a video file (MP4, WebM or MOV)."
        if self.captions_id:
            if self.captions.extension != "vtt":
                errors["captions"] = "Captions must be a WebVTT (.vtt) file."
            elif caption_errors := webvtt_errors(self.captions):
                errors["captions"] = caption_errors
        if errors:
            raise ValidationError(errors)


def webvtt_errors(document: CustomDocument) -> list[str]:
    """Why `document` is not usable WebVTT (the upload check, again: captions chosen from older uploads)."""
    with document.open_file() as handle:
        content = handle.read(settings.MEDIA_UPLOAD_MAX_BYTES["text"] + 1)
    try:
        validate_webvtt(content)
    except ValidationError as error:
        return error.messages
    return []
