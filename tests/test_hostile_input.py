"""Malformed and hostile input to the admin forms and commands: a clear error, nothing saved, never a 500."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from events.models import TrainingEventPage
from integrations.webhooks.models import Endpoint
from pages.models import Topic
from tests.integrations.webhooks.test_admin import endpoint_form

pytestmark = pytest.mark.django_db


def event_form(**overrides) -> dict:
    fields = {
        "title": "Deflection: Building Treatment Pathways",
        "slug": "deflection-pathways",
        "summary": "How agencies connect people to treatment instead of arrest.",
        "start_date": "2027-02-11",
        "start_time": "10:00",
        "end_date": "",
        "end_time": "11:30",
        "time_zone": "America/Chicago",
        "status": "scheduled",
        "delivery_mode": "live_virtual",
        "location": "",
        "join_url": "https://meet.example.org/deflection",
        "registration_url": "",
        "audience": "",
        "capacity": "",
        "recurrence_frequency": "",
        "recurrence_interval": "1",
        "recurrence_monthly_by_weekday": "on",
        "recurrence_count": "",
        "recurrence_until": "",
        "skipped_dates": inline_formset([]),
        "session_changes": inline_formset([]),
        "body": streamfield([]),
        "comments": inline_formset([]),
    }
    fields.update(overrides)
    return nested_form_data(fields)


def create_event(admin_client, event_index, **overrides):
    url = reverse("wagtailadmin_pages:add", args=("events", "trainingeventpage", event_index.pk))
    return admin_client.post(url, event_form(**overrides))


def test_valid_event_is_saved_as_draft_in_its_own_time_zone(admin_client, event_index):
    response = create_event(admin_client, event_index)
    assert response.status_code == 302
    event = TrainingEventPage.objects.get(slug="deflection-pathways")
    assert not event.live
    assert event.start.isoformat() == "2027-02-11T16:00:00+00:00"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "2027-02-30"}, "Enter a valid date."),
        ({"start_time": "25:00"}, "Enter a valid time."),
        ({"end_time": "09:00"}, "The event must end after it starts."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
        ({"join_url": "javascript:alert(document.cookie)"}, "Enter a valid URL."),
        ({"registration_url": "data:text/html,<script>alert(1)</script>"}, "Enter a valid URL."),
        ({"capacity": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"recurrence_frequency": "weekly", "recurrence_interval": "0"}, "greater than or equal to 1"),
        ({"recurrence_frequency": "daily", "recurrence_count": "100000"}, "less than or equal to"),
        ({"recurrence_frequency": "hourly"}, "Select a valid choice."),
        ({"title": "x" * 300}, "Ensure this value has at most 255 characters"),
        (
            {"start_date": "2027-03-14", "start_time": "02:30", "end_time": "03:30", "time_zone": "America/New_York"},
            "clocks skip that hour",
        ),
    ],
)
def test_invalid_event_input_is_refused_with_a_clear_message(admin_client, event_index, overrides, message):
    response = create_event(admin_client, event_index, **overrides)
    assert response.status_code == 200
    assert escape(message) in response.content.decode() or message in response.content.decode()
    assert not TrainingEventPage.objects.exists()


def test_markup_and_calendar_syntax_in_text_stay_text(admin_client, event_index, client):
    hostile_title = 'CIT <script>alert("x")</script>\r\nEND:VEVENT\r\nBEGIN:VEVENT'
    response = create_event(admin_client, event_index, title=hostile_title, summary="<img src=x onerror=alert(1)>")
    assert response.status_code == 302
    event = TrainingEventPage.objects.get()
    assert "<script>" in event.title  # stored as the editor typed it ...
    revision = event.save_revision()
    revision.publish()
    page = client.get(event.url).content.decode()
    assert "<script>alert" not in page  # ... and escaped wherever it is rendered
    assert "<img src=x" not in page


def test_rich_text_body_with_script_is_sanitised(admin_client, event_index, client):
    body = streamfield([("paragraph", rich_text('<p>Hello</p><script>alert("x")</script>'))])
    response = create_event(admin_client, event_index, body=body)
    assert response.status_code == 302
    event = TrainingEventPage.objects.get()
    event.save_revision().publish()
    assert "<script>" not in client.get(event.url).content.decode()


@pytest.mark.parametrize(
    ("name", "slug", "message"),
    [
        ("!!!", "", "the name has no letters or digits"),
        ("988 Crisis Hotline!", "", "Another topic already uses"),
        ("Valid name", "not a slug!", "Enter a valid “slug”"),
    ],
)
def test_topic_snippet_form_explains_bad_slugs(admin_client, name, slug, message):
    Topic.objects.create(name="988 Crisis Hotline", slug="988-crisis-hotline")
    url = reverse("wagtailsnippets_pages_topic:add")
    response = admin_client.post(url, {"name": name, "slug": slug, "kind": "training", "description": ""})
    assert response.status_code == 200
    assert escape(message) in response.content.decode() or message in response.content.decode()
    assert Topic.objects.count() == 1


def test_topic_slug_is_made_from_the_name_when_left_empty(admin_client):
    url = reverse("wagtailsnippets_pages_topic:add")
    response = admin_client.post(url, {"name": "Youth in Suicide Crisis", "slug": "", "kind": "training"})
    assert response.status_code == 302
    assert Topic.objects.get().slug == "youth-in-suicide-crisis"


@pytest.mark.parametrize("arguments", [["--volume", "abc"], ["--volume", "-3"], ["--bogus"]])
def test_seed_demo_rejects_bad_arguments(arguments):
    with pytest.raises((CommandError, SystemExit)):
        call_command("seed_demo", "--allow-production", *arguments, verbosity=0)
    assert not TrainingEventPage.objects.exists()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_only_answers_get(client, method):
    assert getattr(client, method)("/healthz").status_code == 405


def test_changed_session_cannot_move_into_a_daylight_saving_gap(admin_client, event_index):
    # Weekly on Sundays from March 7, 2027; the US clocks jump from 02:00 to 03:00 on March 14.
    response = create_event(
        admin_client,
        event_index,
        start_date="2027-03-07",
        start_time="09:00",
        end_time="10:00",
        time_zone="America/New_York",
        recurrence_frequency="weekly",
        recurrence_count="4",
        session_changes=inline_formset(
            [
                {
                    "original_date": "2027-03-14",
                    "new_date": "",
                    "new_start_time": "02:15",
                    "new_end_time": "03:30",
                    "status": "scheduled",
                    "note": "",
                }
            ]
        ),
    )
    assert response.status_code == 200
    assert "2:15 AM does not exist on March 14 in America/New_York" in response.content.decode()
    assert not TrainingEventPage.objects.exists()


@pytest.mark.parametrize("field", ["event_types", "headers"])
def test_webhook_endpoint_json_nested_a_thousand_levels_deep_is_a_form_error(admin_client, field):
    response = admin_client.post(reverse("webhook_endpoints:add"), endpoint_form(**{field: "[" * 1000 + "]" * 1000}))
    assert response.status_code == 200
    assert "Enter a valid JSON." in response.content.decode()
    assert not Endpoint.objects.exists()
