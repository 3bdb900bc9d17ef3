"""The site root, program pages, the self-paced courses and the eGuide, and the Topic and Person snippets."""

import graphene
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from grapple.models import (
    GraphQLBoolean,
    GraphQLCollection,
    GraphQLField,
    GraphQLForeignKey,
    GraphQLImage,
    GraphQLInt,
    GraphQLRichText,
    GraphQLStreamfield,
    GraphQLString,
)
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from pages.blocks import BodyBlock, ChaptersBlock, keys_missing
from pages.preview import PartnerPreviewMixin
from pages.validators import validate_web_url

# Every content page's topics, as the API lists them.
TOPICS_FIELD = GraphQLCollection(
    GraphQLForeignKey,
    "topics",
    "pages.Topic",
    required=True,
    item_required=True,
    description="The topics the page is filed under, by name; filter lists with their slugs.",
)
# What the API says of the fields many page types share.
SUMMARY_DESCRIPTION = "One or two sentences for listings and link previews (plain text; may be empty)."
BODY_DESCRIPTION = (
    "The page's content as typed blocks in the order editors placed them; ask for each kind's fields with "
    "fragments, e.g. `... on RichTextBlock { html }`."
)
INTRO_DESCRIPTION = "A short introduction shown above the section's listing (plain text; may be empty)."
# The card image of events, publications and recordings, as the API gives it.
CARD_IMAGE_FIELD = GraphQLImage(
    "card_image",
    description="The picture for listings and cards; null when there is none or the caller may not see it "
    "(a members-only image on a public page is null for everyone but members).",
)


def card_image_field() -> models.ForeignKey:
    """An optional picture for listings and cards, the same on every page type that has one."""
    return models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown in listings and cards. Use a wide image (1600x900 or larger) and set its focal point, so "
        "every crop keeps the subject. An image in the Members only collection is shown to members only.",
    )


class Topic(index.Indexed, models.Model):
    """A live training topic (e.g. "988 Crisis Hotline") or a technical-assistance focus area."""

    class Kind(models.TextChoices):
        """What a topic is used for: live trainings are filed under training topics, technical-assistance requests
        under focus areas."""

        TRAINING = "training", "Live training topic"
        TECHNICAL_ASSISTANCE = "technical_assistance", "Technical-assistance focus area"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        blank=True,
        help_text="Used in URLs and feeds, e.g. /calendar/topics/<slug>.ics. Leave empty to make one from the name.",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.TRAINING)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind"), FieldPanel("description")]
    # The API's fields, declared the grapple way and read by integrations/graphql/fields.py (the events app adds
    # the topic's calendar links).
    graphql_description = (
        "A subject the program trains on (e.g. 988 Crisis Hotline) or a technical-assistance focus area. Topics are "
        "public; each has its own calendar feed of the events filed under it."
    )
    graphql_fields = [
        GraphQLString("name", required=True, description="The topic's name for people, e.g. 988 Crisis Hotline."),
        GraphQLString(
            "slug",
            required=True,
            description="The topic's key in filters (`events(topic:)`, `publications(topic:)`) and feed URLs, "
            "e.g. 988-crisis-hotline.",
        ),
        GraphQLString("description", required=True, description="A sentence or two about the topic; may be empty."),
        GraphQLField("id", graphene.ID, required=True, description="The topic's id."),
        GraphQLField("kind", Kind, required=True, description="Training topic or technical-assistance focus area."),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("description"), index.FilterField("kind")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.name)[:120]
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.slug:
            self.slug = slugify(self.name)[:120]  # what save() would derive, checked here so the editor sees why
            if not self.slug:
                raise ValidationError({"slug": "Enter a slug: the name has no letters or digits to make one from."})
            if Topic.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                raise ValidationError({"slug": f"Another topic already uses “{self.slug}”: enter a different slug."})


class Person(index.Indexed, models.Model):
    """A facilitator, presenter or author."""

    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True, help_text="e.g. 'Facilitator', 'CIT Coordinator'.")
    organization = models.CharField(max_length=200, blank=True)
    bio = RichTextField(blank=True, features=["bold", "italic", "link"])
    photo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A portrait, square or nearly (800x800 or larger); set its focal point on the face.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("role"),
        FieldPanel("organization"),
        FieldPanel("bio"),
        FieldPanel("photo"),
    ]
    graphql_description = "A facilitator, presenter or author, as listed on events, recordings and publications."
    graphql_fields = [
        GraphQLString("name", required=True, description="Full name, e.g. Maria Lopez."),
        GraphQLString("role", required=True, description="Role, e.g. Facilitator or CIT Coordinator; may be empty."),
        GraphQLString("organization", required=True, description="The person's organization or agency; may be empty."),
        GraphQLField("id", graphene.ID, required=True, description="The person's id."),
        GraphQLRichText("bio", required=True, description="A short biography (HTML); may be empty."),
        GraphQLImage("photo", description="A portrait; null when there is none or it is private."),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("organization"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [models.UniqueConstraint(fields=["name", "organization"], name="unique_person_per_org")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})" if self.organization else self.name


class HomePage(Page):
    """The site root: one per site. Everything else lives below it."""

    intro = models.TextField(blank=True, help_text="A short introduction to the program.")
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    graphql_description = "The site's home page: the root of the page tree, one per site."
    graphql_fields = [
        GraphQLString("intro", required=True, description="A short introduction to the program (plain text)."),
        GraphQLStreamfield("body", description=BODY_DESCRIPTION),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    content_kind = "home"  # its ContentKind in the API (partners route by it)
    subpage_types = [
        "pages.ProgramPage",
        "pages.CourseIndexPage",
        "events.EventIndexPage",
        "media_library.PublicationIndexPage",
        "media_library.RecordingIndexPage",
    ]
    max_count = 1


class ProgramPage(PartnerPreviewMixin, Page):
    """A page about the program: the Community of Practice, the Online Resource Center, technical assistance."""

    summary = models.TextField(blank=True, max_length=500, help_text="One or two sentences for listings.")
    body = StreamField(BodyBlock(), use_json_field=True)
    topics = ParentalManyToManyField(Topic, blank=True, related_name="program_pages")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    graphql_description = (
        "A page about the program (the Community of Practice, the Online Resource Center, technical assistance); "
        "program pages may nest."
    )
    graphql_fields = [
        GraphQLString("summary", required=True, description=SUMMARY_DESCRIPTION),
        GraphQLStreamfield("body", description=BODY_DESCRIPTION),
        TOPICS_FIELD,
    ]
    parent_page_types = ["pages.HomePage", "pages.ProgramPage"]
    content_kind = "program_page"  # its ContentKind in the API (partners route by it)
    subpage_types = ["pages.ProgramPage"]


class CourseIndexPage(Page):
    """Self-paced training: the eLearning courses and the eGuide."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    graphql_description = "The self-paced training section: its children are the courses and the eGuide."
    graphql_fields = [GraphQLString("intro", required=True, description=INTRO_DESCRIPTION)]
    parent_page_types = ["pages.HomePage"]
    content_kind = "course_index"  # its ContentKind in the API (partners route by it)
    subpage_types = ["pages.CoursePage", "pages.GuidePage"]
    max_count = 1


class CoursePage(PartnerPreviewMixin, Page):
    """A no-cost, on-demand eLearning course hosted on an external learning platform."""

    summary = models.TextField(max_length=500, help_text="One or two sentences for listings.")
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)
    duration_minutes = models.PositiveIntegerField(help_text="About how long the course takes, in minutes.")
    audience = models.CharField(
        max_length=255,
        help_text="Who the course is for, e.g. 'Public safety and behavioral health professionals'.",
    )
    course_url = models.URLField(
        validators=[validate_web_url], help_text="Where learners take the course (https://...)."
    )
    is_free = models.BooleanField(default=True, help_text="Untick only if the course charges a fee.")
    topics = ParentalManyToManyField(Topic, blank=True, related_name="courses")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("course_url"),
                FieldPanel("duration_minutes"),
                FieldPanel("audience"),
                FieldPanel("is_free"),
            ],
            heading="Course details",
        ),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    graphql_description = "A no-cost, on-demand eLearning course taken on an external learning platform (`courseUrl`)."
    graphql_fields = [
        GraphQLString("summary", required=True, description=SUMMARY_DESCRIPTION),
        GraphQLInt("duration_minutes", required=True, description="About how long the course takes, in minutes."),
        GraphQLString(
            "audience", required=True, description="Who the course is for, e.g. Public safety professionals."
        ),
        GraphQLString("course_url", required=True, description="Where learners take the course (an https URL)."),
        GraphQLBoolean("is_free", required=True, description="False only when the course charges a fee."),
        GraphQLStreamfield("body", description=BODY_DESCRIPTION),
        TOPICS_FIELD,
    ]
    parent_page_types = ["pages.CourseIndexPage"]
    content_kind = "course"  # its ContentKind in the API (partners route by it)
    subpage_types = []


class GuidePage(PartnerPreviewMixin, Page):
    """The interactive eGuide: ordered chapters of rich content."""

    summary = models.TextField(max_length=500, help_text="One or two sentences for listings.")
    chapters = StreamField(ChaptersBlock(), use_json_field=True, min_num=1)
    topics = ParentalManyToManyField(Topic, blank=True, related_name="guides")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("chapters"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("chapters")]
    graphql_description = "The interactive eGuide: ordered chapters of rich content."
    graphql_fields = [
        GraphQLString("summary", required=True, description=SUMMARY_DESCRIPTION),
        GraphQLStreamfield(
            "chapters", description="The eGuide's chapters in order (ChapterBlock); `chapter(slug:)` picks one."
        ),
        TOPICS_FIELD,
    ]
    parent_page_types = ["pages.CourseIndexPage"]
    content_kind = "guide"  # its ContentKind in the API (partners route by it)
    subpage_types = []

    def save(self, *args, **kwargs):
        # The admin's form stores every checklist item's and question's key (ChaptersBlock.clean); content written
        # by code (a data import, the demo) may leave some empty. Fill them here, on every write of the row, so the
        # API shows the keys that members' progress is saved under.
        if keys_missing(self.chapters.raw_data):
            ChaptersBlock.fill_keys(self.chapters)
        return super().save(*args, **kwargs)


class PageAccess(models.Model):
    """The privacy rule's decision for one page, stored (see pages/access_store.py, which keeps it current).

    Derived from the page and its ancestors: whether they are all live, the earliest expiry among them and whether
    a view restriction covers the page. Kept by database triggers, so every write path (Wagtail's actions, a
    queryset `update()`, treebeard's moves, raw SQL) recomputes it in the writing transaction.
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", "Public: live and unrestricted"
        RESTRICTED = "restricted", "Live, under a view restriction (members, signed-in users or a password)"
        HIDDEN = "hidden", "Not visible: the page or an ancestor is not live"

    page = models.OneToOneField(
        Page,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # a trigger deletes the row with its page, whatever deletes the page
        db_constraint=False,
        related_name="stored_access",
    )
    audience = models.CharField(max_length=10, choices=Audience.choices)
    expires_at = models.DateTimeField(null=True, help_text="The earliest expiry of the page and its ancestors.")

    class Meta:
        verbose_name = "stored page access"

    def __str__(self) -> str:
        return f"page {self.page_id}: {self.audience}"
