"""A restricted recording's video and captions must sit in a restricted collection.

Documents are served by their collection's rules, not by the page that links them, so a members-only recording
whose video was uploaded to the public collection would leak through /documents/. The admin refuses it.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.models import Collection, PageViewRestriction
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from media_library.factories import CaptionsFactory, DocumentFactory
from media_library.models import RecordingPage
from pages.access import MEMBERS_GROUP

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


def video(collection: Collection):
    return DocumentFactory(title="CoP meeting video", collection=collection, file=ContentFile(MP4, name="cop.mp4"))


def members_only(page):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])


def add_recording(admin_client, parent, video_document, captions=None, **overrides):
    data = nested_form_data(
        {
            "title": "Community of Practice meeting, October 2026",
            "slug": "cop-meeting-october-2026",
            "summary": "Agencies compared their 988 call-transfer protocols.",
            "recording_kind": "cop_meeting",
            "recorded_on": "2026-10-14",
            "duration_minutes": "62",
            "video": str(video_document.pk),
            "embed_url": "",
            "captions": str(captions.pk) if captions else "",
            "transcript": rich_text(""),
            "related_event": "",
            "comments": inline_formset([]),
            **overrides,
        }
    )
    url = reverse("wagtailadmin_pages:add", args=["media_library", "recordingpage", parent.pk])
    return admin_client.post(url, data)


def form_errors(response) -> dict:
    return response.context["form"].errors


def test_a_members_only_recording_refuses_a_video_from_the_public_collection(admin_client, recording_index):
    members_only(recording_index)
    public_video = video(Collection.get_first_root_node())

    response = add_recording(admin_client, recording_index, public_video)

    assert response.status_code == 200
    assert "anyone with its link could download it" in form_errors(response)["video"][0]
    assert not RecordingPage.objects.exists()


def test_a_members_only_recording_refuses_public_captions_too(admin_client, recording_index, members_collection):
    members_only(recording_index)
    public_captions = CaptionsFactory(collection=Collection.get_first_root_node())

    response = add_recording(admin_client, recording_index, video(members_collection), captions=public_captions)

    assert "captions" in form_errors(response) and "video" not in form_errors(response)


def test_a_members_only_recording_with_members_only_files_is_saved(admin_client, recording_index, members_collection):
    members_only(recording_index)

    response = add_recording(admin_client, recording_index, video(members_collection))

    assert response.status_code == 302
    assert RecordingPage.objects.get().video.collection == members_collection


def test_a_public_recording_may_use_public_files(admin_client, recording_index):
    response = add_recording(admin_client, recording_index, video(Collection.get_first_root_node()))

    assert response.status_code == 302


def test_restricting_an_existing_recording_is_checked_on_its_next_save(admin_client, recording_index):
    add_recording(admin_client, recording_index, video(Collection.get_first_root_node()))
    recording = RecordingPage.objects.get()
    members_only(recording)

    url = reverse("wagtailadmin_pages:edit", args=[recording.pk])
    data = nested_form_data(
        {
            "title": recording.title,
            "slug": recording.slug,
            "summary": recording.summary,
            "recording_kind": "cop_meeting",
            "recorded_on": "2026-10-14",
            "duration_minutes": "62",
            "video": str(recording.video_id),
            "embed_url": "",
            "captions": "",
            "transcript": rich_text(""),
            "related_event": "",
            "comments": inline_formset([]),
        }
    )
    response = admin_client.post(url, data)

    assert response.status_code == 200 and "video" in form_errors(response)


def test_asking_for_members_only_on_the_form_checks_the_files_as_well(admin_client, recording_index):
    """Not yet restricted, but it will be once published: a public video would then leak the same way."""
    public_video = video(Collection.get_first_root_node())

    response = add_recording(admin_client, recording_index, public_video, who_can_see="members")

    assert response.status_code == 200
    assert "anyone with its link could download it" in form_errors(response)["video"][0]
    assert not RecordingPage.objects.exists()


def test_asking_for_members_only_with_members_only_files_is_saved(admin_client, recording_index, members_collection):
    response = add_recording(admin_client, recording_index, video(members_collection), who_can_see="members")

    assert response.status_code == 302
    revision = RecordingPage.objects.get().latest_revision
    assert revision.content["audience_request"] == {"requested": "members", "from": "public"}
