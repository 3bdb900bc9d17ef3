"""The demo-content command: idempotent, complete for the program, and every seeded page reachable."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape
from PIL import Image as PILImage
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Revision

from demo.site import TRAINING_TOPICS
from events.models import EventStatus, TrainingEventPage
from media_library.factories import WEBVTT_SAMPLE
from media_library.models import CustomDocument, CustomImage, PublicationPage, RecordingPage
from media_library.pdf import make_pdf
from media_library.services import media_upload
from pages.factories import paragraph
from pages.models import CoursePage, GuidePage, Person, ProgramPage, Topic

pytestmark = pytest.mark.django_db


def seed(*args):
    call_command("seed_demo", "--allow-production", *args, verbosity=0)


def snapshot() -> dict:
    return {
        "pages": sorted(Page.objects.values_list("url_path", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "documents": sorted(CustomDocument.objects.values_list("title", "file")),
        "images": CustomImage.objects.count(),
        "topics": sorted(Topic.objects.values_list("slug", flat=True)),
        "people": Person.objects.count(),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "restrictions": PageViewRestriction.objects.count(),
        "collections": sorted(Collection.objects.values_list("name", flat=True)),
        "events": sorted(TrainingEventPage.objects.values_list("slug", "start", "ical_sequence", "ical_uid")),
        "taxonomy": sorted(PublicationPage.objects.values_list("slug", "publication_type"))
        + sorted(RecordingPage.objects.values_list("slug", "recording_kind", "related_event__slug")),
    }


def replace_file(document: CustomDocument, content: bytes) -> None:
    extension = document.extension
    media_upload(
        CustomDocument,
        instance=document,
        title=document.title,
        filename=f"replaced.{extension}",
        content=content,
        collection=document.collection,
    )


def test_an_older_demo_is_brought_up_to_date_and_editors_work_is_kept():
    seed()
    editor = get_user_model().objects.get(username="editor")
    # What the previous version seeded: one-sentence pages, one-page placeholder PDFs, the factories' sample
    # captions and a two-line transcript, all written by seed_demo (revisions without a user).
    community = ProgramPage.objects.get(slug="community-of-practice")
    community.body = [paragraph("The CoP meets virtually each quarter.")]
    community.save_revision().publish()
    placeholder_publication = PublicationPage.objects.get(slug="deflection-pathways-for-law-enforcement")
    replace_file(
        placeholder_publication.document,
        make_pdf(
            placeholder_publication.title, ["CIT ASSIST resource library", "National Center for Police Innovation"]
        ),
    )
    recording = RecordingPage.objects.get(slug="deflection-in-rural-agencies")
    replace_file(recording.captions, WEBVTT_SAMPLE.encode())
    recording.transcript = "<p><b>Facilitator:</b> Welcome, everyone, to today's session.</p>"
    recording.save_revision().publish()
    # What people did since: an editor's revision, and a document file an editor replaced.
    training = ProgramPage.objects.get(slug="training")
    training.body = [paragraph("Our own words about training.")]
    training.save_revision(user=editor).publish()
    edited_publication = PublicationPage.objects.get(slug="cit-policy-template-and-commentary")
    replace_file(edited_publication.document, make_pdf("Our adapted policy", ["Adopted by the board."]))
    edited_sha = CustomDocument.objects.get(pk=edited_publication.document_id).sha256

    seed()

    community.refresh_from_db()
    assert [block.block_type for block in community.body].count("heading") >= 3
    assert not community.has_unpublished_changes and community.live
    document = CustomDocument.objects.get(pk=placeholder_publication.document_id)  # the same document, a new file
    assert document.page_count >= 3
    with document.open_file() as handle:
        assert document.sha256 == hashlib.sha256(handle.read()).hexdigest()
    captions = CustomDocument.objects.get(pk=recording.captions_id)
    assert captions.sha256 != hashlib.sha256(WEBVTT_SAMPLE.encode()).hexdigest()
    recording.refresh_from_db()
    assert recording.transcript.count("<p>") >= 8
    training.refresh_from_db()
    assert [block.block_type for block in training.body] == ["paragraph"]  # the editor's page is theirs
    assert CustomDocument.objects.get(pk=edited_publication.document_id).sha256 == edited_sha

    first = snapshot()
    seed()
    assert snapshot() == first


def test_refuses_to_seed_production_without_flag():
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo", verbosity=0)


def test_running_twice_changes_nothing():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first


def test_covers_the_program():
    seed()
    now = timezone.now()
    upcoming = TrainingEventPage.objects.live().filter(end__gte=now)
    for name, _ in TRAINING_TOPICS:
        assert upcoming.filter(topics__name=name).exists(), f"no upcoming event for {name}"
    assert len(set(upcoming.values_list("time_zone", flat=True))) >= 4

    # A series whose sessions straddle a daylight-saving change keeps its local time, so the UTC time moves.
    series = TrainingEventPage.objects.get(slug="deflection-series")
    sessions = series.sessions()
    assert {session.start.hour for session in sessions} == {11}
    assert len({session.start.utcoffset() for session in sessions}) == 2

    meeting = TrainingEventPage.objects.get(slug="community-of-practice-quarterly-meeting")
    assert meeting.recurrence_frequency == "monthly" and meeting.recurrence_interval == 3
    assert meeting.skipped_dates.count() == 1 and meeting.session_changes.count() == 1
    restriction = PageViewRestriction.objects.get(page=meeting)
    assert list(restriction.groups.values_list("name", flat=True)) == ["CoP Members"]
    assert any(session.is_changed for session in meeting.sessions())
    assert len(meeting.sessions()) == len(meeting.rule_sessions()) - 1

    assert TrainingEventPage.objects.filter(status=EventStatus.CANCELLED).exists()
    assert CoursePage.objects.live().count() == 3
    assert GuidePage.objects.live().get().chapters
    assert set(ProgramPage.objects.values_list("slug", flat=True)) >= {
        "community-of-practice",
        "online-resource-center",
        "technical-assistance",
        "training",
    }
    publications = PublicationPage.objects.live()
    assert publications.count() >= 10
    for publication in publications:
        with publication.document.open_file() as handle:
            assert handle.read(5) == b"%PDF-"
    recordings = RecordingPage.objects.live()
    assert recordings.count() == 6
    for recording in recordings:
        recording.full_clean()  # captions are valid WebVTT, one video source
        assert recording.transcript
    members_only = Collection.objects.get(name="Members only")
    assert CollectionViewRestriction.objects.filter(collection=members_only, groups__name="CoP Members").exists()
    for group in ("Editors", "Moderators", "CoP Members", "Partners"):
        assert Group.objects.get(name=group).user_set.exists(), group


def test_the_library_is_typed_and_past_events_are_recorded():
    seed()
    now = timezone.now()
    assert len(set(PublicationPage.objects.values_list("publication_type", flat=True))) >= 5
    assert set(RecordingPage.objects.values_list("recording_kind", flat=True)) == {
        "cop_meeting",
        "webinar",
        "training_session",
    }
    past = TrainingEventPage.objects.live().filter(end__lt=now, recurrence_frequency="")
    assert past.count() >= 5
    for event in past:
        assert all(session.end < now for session in event.sessions()), event.title
    recorded = RecordingPage.objects.live().filter(related_event__isnull=False).select_related("related_event")
    assert recorded.count() >= 5
    for recording in recorded:
        assert recording.related_event.end < now and recording.recorded_on == recording.related_event.start_date
    # A members-only meeting's recording is members-only too; public webinars record public events.
    for recording in recorded:
        event_restricted = PageViewRestriction.objects.filter(page=recording.related_event).exists()
        assert PageViewRestriction.objects.filter(page=recording).exists() == event_restricted, recording.title


def test_seeded_media_carry_the_metadata_an_admin_upload_records():
    seed()
    documents = CustomDocument.objects.all()
    assert documents.filter(file__endswith=".pdf").exists() and documents.filter(file__endswith=".vtt").exists()
    for document in documents:
        with document.open_file() as handle:
            content = handle.read()
        assert document.file_size == len(content), document.title
        assert document.sha256 == hashlib.sha256(content).hexdigest(), document.title
        assert document.file_hash == hashlib.sha1(content).hexdigest(), document.title  # noqa: S324 (Wagtail's)
        assert document.mime_type == ("application/pdf" if document.extension == "pdf" else "text/vtt"), document.title
        if document.extension == "pdf":
            assert document.page_count >= 1, document.title  # tests/demo/test_demo_program.py reads the pages
        else:
            assert document.page_count is None, document.title
    images = CustomImage.objects.all()
    assert images.exists()
    for image in images:
        with image.open_file() as handle:
            content = handle.read()
        assert image.file_size == len(content), image.title
        assert image.file_hash == hashlib.sha1(content).hexdigest(), image.title  # noqa: S324 (Wagtail's)


def test_demo_images_are_real_pictures_with_focal_points():
    seed()
    cards = [
        *TrainingEventPage.objects.exclude(status=EventStatus.CANCELLED),
        *PublicationPage.objects.all(),
        *RecordingPage.objects.all(),
    ]
    assert all(page.card_image_id for page in cards)
    assert all(person.photo_id for person in Person.objects.all())
    for image in CustomImage.objects.all():
        assert (image.width, image.height) in {(1600, 900), (1200, 1600), (1200, 1200)}, image.title
        assert image.has_focal_point(), image.title
        with image.open_file() as handle:
            picture = PILImage.open(handle)
            picture.load()
        assert picture.size == (image.width, image.height)
        colours = picture.convert("RGB").resize((64, 36)).getcolors(64 * 36)
        assert colours is None or len(colours) > 200, f"{image.title}: not a drawing ({len(colours)} colours)"
    # Members-only pages' pictures are in the members-only collection.
    for page in RecordingPage.objects.all():
        restricted = PageViewRestriction.objects.filter(page=page).exists()
        assert (page.card_image.collection.name == "Members only") == restricted, page.title


def test_credentials_are_kept_for_the_next_run(settings):
    seed()
    stored = settings.DEMO_CREDENTIALS_FILE.read_text()
    seed()
    assert settings.DEMO_CREDENTIALS_FILE.read_text() == stored
    assert oct(settings.DEMO_CREDENTIALS_FILE.stat().st_mode & 0o777) == "0o600"


@override_settings(ALLOWED_HOSTS=["localhost"])
def test_every_seeded_page_is_reachable(client):
    seed()
    member = get_user_model().objects.get(username="member")
    pages = Page.objects.live().exclude(depth=1).specific()
    restricted_paths = [restriction.page.path for restriction in PageViewRestriction.objects.select_related("page")]
    assert restricted_paths
    for page in pages:
        url = page.get_url()
        restricted = any(page.path.startswith(path) for path in restricted_paths)
        client.logout()
        response = client.get(url, HTTP_HOST="localhost")
        if restricted:
            assert response.status_code == 302 and "/login" in response["Location"], url
            client.force_login(member)
            response = client.get(url, HTTP_HOST="localhost")
        assert response.status_code == 200, url
        assert escape(page.title) in response.content.decode(), url


def test_volume_adds_events_and_publications_once():
    seed()
    events, publications = TrainingEventPage.objects.count(), PublicationPage.objects.count()
    seed("--volume", "25")
    assert TrainingEventPage.objects.count() == events + 25
    assert PublicationPage.objects.count() == publications + 25
    seed("--volume", "25")
    assert TrainingEventPage.objects.count() == events + 25
    volume_event = TrainingEventPage.objects.get(slug="volume-event-3")
    assert volume_event.topics.exists() and volume_event.facilitators.exists()
    assert volume_event.start > timezone.now() - timedelta(days=400)


@pytest.mark.parametrize("bad", ["-1", "100001"])
def test_volume_out_of_range_is_refused(bad):
    with pytest.raises(CommandError, match="--volume"):
        seed("--volume", bad)
