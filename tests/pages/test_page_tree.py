"""Where every page type may live in the tree, that each one renders and previews, and admin creation forms."""

from datetime import UTC, date, datetime, time

from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html, rich_text, streamfield

from events.factories import EventIndexPageFactory, TrainingEventPageFactory
from events.models import EventIndexPage, TrainingEventPage
from media_library.factories import (
    PublicationIndexPageFactory,
    PublicationPageFactory,
    RecordingIndexPageFactory,
    RecordingPageFactory,
)
from media_library.models import PublicationIndexPage, PublicationPage, RecordingIndexPage, RecordingPage
from pages.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    GuidePageFactory,
    HomePageFactory,
    PersonFactory,
    ProgramPageFactory,
    TopicFactory,
)
from pages.models import CourseIndexPage, CoursePage, GuidePage, HomePage, ProgramPage

ALL_PAGE_MODELS = [
    HomePage,
    ProgramPage,
    CourseIndexPage,
    CoursePage,
    GuidePage,
    EventIndexPage,
    TrainingEventPage,
    PublicationIndexPage,
    PublicationPage,
    RecordingIndexPage,
    RecordingPage,
]

# The whole intended tree: parent -> children. Every pair not listed here must be refused.
ALLOWED_CHILDREN = {
    Page: {Page, HomePage},  # Wagtail's bare Page type is listed but never creatable (is_creatable = False)
    HomePage: {ProgramPage, CourseIndexPage, EventIndexPage, PublicationIndexPage, RecordingIndexPage},
    ProgramPage: {ProgramPage},
    CourseIndexPage: {CoursePage, GuidePage},
    CoursePage: set(),
    GuidePage: set(),
    EventIndexPage: {TrainingEventPage},
    TrainingEventPage: set(),
    PublicationIndexPage: {PublicationPage},
    PublicationPage: set(),
    RecordingIndexPage: {RecordingPage},
    RecordingPage: set(),
}


def block_form_data(block, value):
    """The POST data the admin's StreamField editor would send for `value` (the editor is JavaScript, so a page's
    edit-form HTML carries no StreamField inputs)."""
    if isinstance(block, blocks.StreamBlock):
        return streamfield([(child.block_type, block_form_data(child.block, child.value)) for child in value])
    if isinstance(block, blocks.StructBlock):
        return {name: block_form_data(child, value[name]) for name, child in block.child_blocks.items()}
    if isinstance(block, blocks.RichTextBlock):
        return rich_text(value.source)
    if isinstance(block, blocks.FieldBlock) and not isinstance(block, blocks.ChooserBlock):
        return "" if value is None else str(value)
    raise NotImplementedError(f"no form data for {type(block).__name__} in these fixtures")


def edit_form_data(client, page):
    """Everything the page's admin edit form posts, as an editor's browser would send it."""
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    for field in page._meta.fields:
        if isinstance(field, StreamField):
            value = getattr(page, field.name)
            for key, item in nested_form_data({field.name: block_form_data(field.stream_block, value)}).items():
                data[key] = item
    return data


def build_site():
    """A default site rooted at the program's HomePage, one page of every type below it."""
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="home-cit")
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    pages = {HomePage: home}
    pages[ProgramPage] = ProgramPageFactory(parent=home, title="Community of Practice", slug="community-of-practice")
    course_index = pages[CourseIndexPage] = CourseIndexPageFactory(parent=home, slug="self-paced-training")
    pages[CoursePage] = CoursePageFactory(parent=course_index, title="CIT for Dispatchers", slug="cit-dispatchers")
    pages[GuidePage] = GuidePageFactory(parent=course_index, slug="cit-eguide")
    event_index = pages[EventIndexPage] = EventIndexPageFactory(parent=home, slug="training-events")
    pages[TrainingEventPage] = TrainingEventPageFactory(
        parent=event_index,
        title="988 Crisis Hotline",
        slug="988-crisis-hotline",
        start_date=date(2027, 2, 11),
        start_time=time(10, 0),
        end_time=time(11, 30),
        time_zone="America/Chicago",
    )
    publication_index = pages[PublicationIndexPage] = PublicationIndexPageFactory(parent=home, slug="resources")
    pages[PublicationPage] = PublicationPageFactory(
        parent=publication_index, title="Deflection: a field guide", slug="deflection-field-guide"
    )
    recording_index = pages[RecordingIndexPage] = RecordingIndexPageFactory(parent=home, slug="recordings")
    pages[RecordingPage] = RecordingPageFactory(
        parent=recording_index, title="Best Practices in Co-Response webinar", slug="co-response-webinar"
    )
    return pages


class PageTreeRulesTests(WagtailPageTestCase):
    """Parent and child rules, checked for every page type against the one intended tree above."""

    def test_allowed_subpage_types_of_every_page_type(self):
        for parent, children in ALLOWED_CHILDREN.items():
            with self.subTest(parent=parent.__name__):
                self.assertAllowedSubpageTypes(parent, children)

    def test_allowed_parent_page_types_of_every_page_type(self):
        for child in ALL_PAGE_MODELS:
            parents = {parent for parent, children in ALLOWED_CHILDREN.items() if child in children}
            with self.subTest(child=child.__name__):
                assert parents, f"{child.__name__} has no place in the intended tree"
                self.assertAllowedParentPageTypes(child, parents)

    def test_can_and_cannot_create_at_for_every_pair(self):
        for parent in [Page, *ALL_PAGE_MODELS]:
            for child in ALL_PAGE_MODELS:
                with self.subTest(parent=parent.__name__, child=child.__name__):
                    if child in ALLOWED_CHILDREN[parent]:
                        self.assertCanCreateAt(parent, child)
                    else:
                        self.assertCanNotCreateAt(parent, child)

    def test_places_editors_are_most_likely_to_get_wrong(self):
        self.assertCanCreateAt(EventIndexPage, TrainingEventPage)
        self.assertCanNotCreateAt(HomePage, TrainingEventPage)
        self.assertCanNotCreateAt(ProgramPage, TrainingEventPage)
        self.assertCanNotCreateAt(TrainingEventPage, TrainingEventPage)
        self.assertCanNotCreateAt(PublicationIndexPage, RecordingPage)
        self.assertCanNotCreateAt(RecordingIndexPage, PublicationPage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(Page, ProgramPage)


class SingletonPagesTests(WagtailPageTestCase):
    """The site root and the section indexes exist once: the admin stops offering them after the first."""

    @classmethod
    def setUpTestData(cls):
        cls.root = Page.get_first_root_node()
        cls.home = HomePageFactory(parent=cls.root, slug="home-cit")

    def test_second_home_page_cannot_be_created(self):
        assert not HomePage.can_create_at(self.root)

    def test_section_indexes_can_be_created_once(self):
        for factory, model in (
            (EventIndexPageFactory, EventIndexPage),
            (CourseIndexPageFactory, CourseIndexPage),
            (PublicationIndexPageFactory, PublicationIndexPage),
            (RecordingIndexPageFactory, RecordingIndexPage),
        ):
            with self.subTest(model=model.__name__):
                assert model.can_create_at(self.home)
                factory(parent=self.home)
                assert not model.can_create_at(self.home)

    def test_program_pages_are_not_limited(self):
        ProgramPageFactory(parent=self.home)
        assert ProgramPage.can_create_at(self.home)


class RenderAndPreviewTests(WagtailPageTestCase):
    """Every page type serves its live version and renders a preview of unsaved edits in the admin."""

    @classmethod
    def setUpTestData(cls):
        cls.pages = build_site()
        cls.superuser = get_user_model().objects.create_superuser("admin", "admin@example.org", "password")

    def test_every_page_type_is_in_the_fixture(self):
        assert set(self.pages) == set(ALL_PAGE_MODELS)

    def test_every_page_type_renders(self):
        for model, page in self.pages.items():
            with self.subTest(model=model.__name__):
                self.assertPageIsRoutable(page)
                self.assertPageIsRenderable(page)
                response = self.client.get(page.url)
                assert response.status_code == 200
                self.assertContains(response, f"<h1>{page.title}</h1>", html=True)

    def test_event_page_shows_local_time_and_zone(self):
        response = self.client.get(self.pages[TrainingEventPage].url)
        self.assertContains(response, "Thursday, February 11, 2027, 10:00 AM to 11:30 AM (America/Chicago)")

    def test_every_page_type_is_previewable(self):
        for model, page in self.pages.items():
            with self.subTest(model=model.__name__):
                self.client.force_login(self.superuser)
                self.assertPageIsPreviewable(page, post_data=edit_form_data(self.client, page), user=self.superuser)

    def test_preview_shows_unsaved_edits_without_changing_the_live_page(self):
        self.client.force_login(self.superuser)
        for model, page in self.pages.items():
            with self.subTest(model=model.__name__):
                data = edit_form_data(self.client, page)
                data["title"] = f"Unsaved draft of {model.__name__}"
                preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])

                response = self.client.post(preview_url, data)
                assert response.json() == {"is_valid": True, "is_available": True}
                response = self.client.get(preview_url)
                assert response.status_code == 200
                self.assertContains(response, f"<h1>Unsaved draft of {model.__name__}</h1>", html=True)
                self.assertContains(response, "Preview: this is how the page will look once published.")

                page.refresh_from_db()
                assert page.title != f"Unsaved draft of {model.__name__}"
                self.assertNotContains(self.client.get(page.url), "Unsaved draft of")


class AdminCreationTests(WagtailPageTestCase):
    """Posting the real admin creation forms (the way an editor does) creates and publishes the pages."""

    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        cls.home = HomePageFactory(parent=root, slug="home-cit")
        Site.objects.update_or_create(is_default_site=True, defaults={"root_page": cls.home, "hostname": "localhost"})
        cls.event_index = EventIndexPageFactory(parent=cls.home)
        cls.topic = TopicFactory(name="988 Crisis Hotline", slug="988-crisis-hotline")
        cls.facilitator = PersonFactory(name="Jordan Facilitator")
        cls.superuser = get_user_model().objects.create_superuser("admin", "admin@example.org", "password")

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_create_training_event_through_the_admin(self):
        data = nested_form_data(
            {
                "title": "988 Crisis Hotline: what officers need to know",
                "slug": "988-crisis-hotline-officers",
                "summary": "How the 988 Suicide and Crisis Lifeline works with law enforcement.",
                "start_date": "2027-01-14",
                "start_time": "10:00",
                "end_date": "",
                "end_time": "11:30",
                "time_zone": "America/Chicago",
                "status": "scheduled",
                "recurrence_frequency": "",
                "recurrence_interval": "1",
                "recurrence_count": "",
                "recurrence_until": "",
                "delivery_mode": "live_virtual",
                "location": "",
                "join_url": "https://meet.example.org/cit-988",
                "registration_url": "https://events.example.org/register/988",
                "audience": "CIT coordinators, 911 call-takers and dispatchers",
                "capacity": "300",
                "body": streamfield(
                    [
                        ("heading", {"text": "What you will learn", "level": "h2"}),
                        ("paragraph", rich_text("<p>How <b>988</b> calls are routed.</p>")),
                    ]
                ),
                "skipped_dates": inline_formset([]),
                "session_changes": inline_formset([]),
                "comments": inline_formset([]),
            }
        )
        data["topics"] = [str(self.topic.pk)]
        data["facilitators"] = [str(self.facilitator.pk)]

        self.assertCanCreate(self.event_index, TrainingEventPage, data)

        event = TrainingEventPage.objects.get(slug="988-crisis-hotline-officers")
        assert event.live
        assert event.get_parent().specific == self.event_index
        assert event.start == datetime(2027, 1, 14, 16, 0, tzinfo=UTC)
        assert event.end == datetime(2027, 1, 14, 17, 30, tzinfo=UTC)
        assert [block.block_type for block in event.body] == ["heading", "paragraph"]
        assert list(event.topics.all()) == [self.topic]
        assert list(event.facilitators.all()) == [self.facilitator]
        assert event.ical_sequence == 0
        assert event.schedule_fingerprint  # the first publish recorded the schedule

    def test_create_program_page_through_the_admin(self):
        data = nested_form_data(
            {
                "title": "Technical assistance",
                "summary": "Direct technical assistance for Community of Practice agencies.",
                "body": streamfield(
                    [
                        ("heading", {"text": "Focus areas", "level": "h2"}),
                        ("paragraph", rich_text("<p>Relationship and consensus building.</p>")),
                        ("quote", {"quote": "CIT is more than training.", "attribution": "CIT International"}),
                        (
                            "call_to_action",
                            {"label": "Request technical assistance", "url": "https://example.org/ta"},
                        ),
                    ]
                ),
                "comments": inline_formset([]),
            }
        )
        data["topics"] = [str(self.topic.pk)]

        self.assertCanCreate(self.home, ProgramPage, data)

        page = ProgramPage.objects.get(slug="technical-assistance")
        assert page.live
        assert [block.block_type for block in page.body] == ["heading", "paragraph", "quote", "call_to_action"]
        assert page.body[3].value["url"] == "https://example.org/ta"
        assert list(page.topics.all()) == [self.topic]

    def test_program_page_call_to_action_refuses_non_web_urls(self):
        add_url = reverse("wagtailadmin_pages:add", args=["pages", "programpage", self.home.pk])
        for url in ("javascript:alert(1)", "ftp://files.example.org/deflection-brief.pdf"):
            with self.subTest(url=url):
                data = nested_form_data(
                    {
                        "title": "Online Resource Center",
                        "slug": "online-resource-center",
                        "summary": "",
                        "body": streamfield([("call_to_action", {"label": "Open", "url": url})]),
                        "comments": inline_formset([]),
                        "action-publish": "action-publish",
                    }
                )
                response = self.client.post(add_url, data)
                assert response.status_code == 200
                assert set(response.context["form"].errors) == {"body"}
                assert not ProgramPage.objects.filter(slug="online-resource-center").exists()
