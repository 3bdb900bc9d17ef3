"""The demo reads like the program: multi-page PDFs with the program's text (measured by the product's own upload
path, read back with pypdf as the product reads them), program and course pages with headings and paragraphs, a
distinct transcript and captions per recording, and a members-only publication that only members see on every
channel. Seeded once for the module (the checks only read)."""

import html
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils.html import strip_tags
from pypdf import PdfReader
from wagtail.models import PageViewRestriction

from demo.program import BIOS, PROGRAM_APPENDIX, PROGRAM_PAGES, TRANSCRIPTS
from demo.program import PUBLICATIONS as PUBLICATION_TEXT
from demo.site import MEMBERS_ONLY_PUBLICATIONS
from media_library.files import pdf_page_count
from media_library.models import CustomDocument, PublicationPage, PublicationType, RecordingPage
from media_library.webvtt import validate_webvtt
from pages.models import CoursePage, Person, ProgramPage
from tests.integrations.graphql.helpers import data

pytestmark = pytest.mark.django_db

MEMBERS_PUBLICATION = next(iter(MEMBERS_ONLY_PUBLICATIONS))


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """The demo content, seeded once for the module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--allow-production", verbosity=0)
        yield
        transaction.set_rollback(True)


def words(text: str) -> str:
    return " ".join(text.split())


def text_of(rich_text: str) -> str:
    """The words of rich text, a space between its elements."""
    return words(html.unescape(strip_tags(rich_text.replace("><", "> <"))))


def pdf_text(document: CustomDocument) -> tuple[int, str]:
    with document.open_file() as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return len(reader.pages), words(" ".join(page.extract_text() for page in reader.pages))


def test_publications_are_multi_page_pdfs_with_the_programs_text():
    publications = PublicationPage.objects.select_related("document")
    assert publications.count() == len(PUBLICATION_TEXT)
    for publication in publications:
        document = publication.document
        with document.open_file() as handle:
            assert document.page_count == pdf_page_count(handle), publication.title  # the product's reading
        pages, text = pdf_text(document)
        assert document.page_count == pages
        if publication.publication_type == PublicationType.FACT_SHEET:
            assert 1 <= pages <= 2, publication.title  # "one or two pages of key facts"
        else:
            assert pages >= 3, publication.title
            for section in PROGRAM_APPENDIX:
                assert section.heading in text, (publication.title, section.heading)
            assert "CIT ASSIST is a national program designed to increase the capacity" in text
        assert words(publication.title) in text
        purpose = PUBLICATION_TEXT[publication.title][0]
        assert words(purpose) in text, publication.title
        assert text_of(publication.abstract) == words(purpose)
        assert f"Page {pages} of {pages}" in text
    # Each file is its own: no two publications share bytes.
    assert len(set(publications.values_list("document__sha256", flat=True))) == publications.count()


def test_program_and_course_pages_have_headings_and_paragraphs():
    for slug, (title, _summary, sections) in PROGRAM_PAGES.items():
        page = ProgramPage.objects.get(slug=slug)
        assert page.title == title
        headings = [block.value["text"] for block in page.body if block.block_type == "heading"]
        assert headings == [section.heading for section in sections]
        text = text_of(" ".join(str(block.value) for block in page.body if block.block_type == "paragraph"))
        assert len(text.split()) >= 100, (slug, len(text.split()))
    technical_assistance = ProgramPage.objects.get(slug="technical-assistance")
    (focus_areas,) = [block.value for block in technical_assistance.body if block.block_type == "topic_list"]
    assert len(focus_areas["topics"]) == 7
    for course in CoursePage.objects.all():
        assert [block.block_type for block in course.body].count("heading") >= 2, course.title
        assert any("<ul>" in str(block.value) for block in course.body), course.title
        assert not course.summary.startswith("A no-cost, self-paced course:"), course.title


def test_facilitators_have_a_portrait_and_a_bio():
    people = Person.objects.select_related("photo")
    assert people.count() == len(BIOS)
    for person in people:
        assert text_of(person.bio) == BIOS[person.name]
        assert (person.photo.width, person.photo.height) == (1200, 1200) and person.photo.has_focal_point()


def test_each_recording_has_its_own_transcript_and_captions():
    recordings = list(RecordingPage.objects.select_related("captions"))
    assert {recording.title for recording in recordings} == set(TRANSCRIPTS)
    assert len({recording.transcript for recording in recordings}) == len(recordings)
    assert len({recording.captions.sha256 for recording in recordings}) == len(recordings)
    for recording in recordings:
        with recording.captions.open_file() as handle:
            captions = handle.read()
        validate_webvtt(captions)  # the upload check, again
        cues = re.findall(r"^<v ([^>]+)>(.+)$", captions.decode(), flags=re.MULTILINE)
        said = TRANSCRIPTS[recording.title]
        assert len(cues) == len(said) >= 8
        assert cues == [(speaker, line) for speaker, line in said]
        # The transcript is what the captions say, speaker by speaker.
        assert text_of(recording.transcript) == words(" ".join(f"{s}: {line}" for s, line in said))


def test_past_events_have_recordings_and_the_program_text():
    recorded = RecordingPage.objects.filter(related_event__isnull=False).select_related("related_event")
    assert recorded.count() >= 5
    for recording in recorded:
        body = recording.related_event.specific.body
        assert [block.block_type for block in body].count("heading") >= 2, recording.related_event.title


PUBLICATIONS_QUERY = "{ publications(perPage: 50) { items { title document { url } } } }"
PUBLICATION_QUERY = "query ($slug: String) { publication(slug: $slug) { title document { url pageCount } } }"


def test_the_members_only_publication_is_for_members_only():
    publication = PublicationPage.objects.get(title=MEMBERS_PUBLICATION)
    restriction = PageViewRestriction.objects.get(page=publication)
    assert list(restriction.groups.values_list("name", flat=True)) == ["CoP Members"]
    for file in (publication.document, publication.cover_image, publication.card_image):
        assert file.collection.name == "Members only", file.title

    anonymous_titles = [item["title"] for item in data(PUBLICATIONS_QUERY)["publications"]["items"]]
    assert MEMBERS_PUBLICATION not in anonymous_titles and len(anonymous_titles) == len(PUBLICATION_TEXT) - 1
    assert data(PUBLICATION_QUERY, slug=publication.slug)["publication"] is None
    partner = get_user_model().objects.get(username="partner")
    assert data(PUBLICATION_QUERY, user=partner, slug=publication.slug)["publication"] is None

    member = get_user_model().objects.get(username="member")
    member_titles = [item["title"] for item in data(PUBLICATIONS_QUERY, user=member)["publications"]["items"]]
    assert MEMBERS_PUBLICATION in member_titles
    seen = data(PUBLICATION_QUERY, user=member, slug=publication.slug)["publication"]
    assert seen["title"] == MEMBERS_PUBLICATION and seen["document"]["pageCount"] == publication.document.page_count

    # The file itself: anonymous callers are sent to sign in, the member downloads the PDF.
    client = Client()
    response = client.get(publication.document.url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(member)
    response = client.get(publication.document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
