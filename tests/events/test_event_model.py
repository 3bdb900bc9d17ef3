"""TrainingEventPage: derived instants, validation, recurrence, the admin form's date checks and iCal identity."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from events.factories import TrainingEventPageFactory
from events.models import (
    EventSkippedDate,
    EventStatus,
    RecurrenceFrequency,
    SessionChange,
    TrainingEventPage,
)
from events.recurrence import MAX_SESSIONS

CHICAGO = ZoneInfo("America/Chicago")

# The quarterly Community of Practice meeting: the second Thursday of January, April, July and October 2027.
QUARTERLY_COP = {
    "title": "Community of Practice quarterly meeting",
    "start_date": date(2027, 1, 14),
    "start_time": time(10, 0),
    "end_time": time(11, 30),
    "time_zone": "America/Chicago",
    "recurrence_frequency": RecurrenceFrequency.MONTHLY,
    "recurrence_interval": 3,
    "recurrence_monthly_by_weekday": True,
    "recurrence_count": 4,
}
QUARTERLY_DATES = [date(2027, 1, 14), date(2027, 4, 8), date(2027, 7, 8), date(2027, 10, 14)]


def reload(page: TrainingEventPage) -> TrainingEventPage:
    return TrainingEventPage.objects.get(pk=page.pk)


def validation_error_keys(page: TrainingEventPage) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    return set(caught.value.message_dict)


@pytest.fixture
def event(event_index):
    return TrainingEventPageFactory(
        parent=event_index,
        title="Deflection",
        start_date=date(2027, 1, 14),
        start_time=time(10, 0),
        end_time=time(11, 30),
        time_zone="America/Chicago",
    )


@pytest.fixture
def quarterly(event_index):
    return TrainingEventPageFactory(parent=event_index, **QUARTERLY_COP)


# --- derived instants ---------------------------------------------------------------------------------------


def test_start_and_end_derive_from_local_time_in_winter(event):
    assert event.start == datetime(2027, 1, 14, 16, 0, tzinfo=UTC)
    assert event.end == datetime(2027, 1, 14, 17, 30, tzinfo=UTC)
    stored = reload(event)
    assert stored.start == datetime(2027, 1, 14, 16, 0, tzinfo=UTC)
    assert stored.end == datetime(2027, 1, 14, 17, 30, tzinfo=UTC)


def test_start_and_end_follow_daylight_saving_time_in_summer(event_index):
    event = TrainingEventPageFactory(
        parent=event_index,
        title="Youth in Suicide Crisis",
        start_date=date(2027, 7, 15),
        start_time=time(10, 0),
        end_time=time(12, 0),
        time_zone="America/Chicago",
    )
    stored = reload(event)
    assert stored.start == datetime(2027, 7, 15, 15, 0, tzinfo=UTC)
    assert stored.end == datetime(2027, 7, 15, 17, 0, tzinfo=UTC)


def test_multi_day_event_ends_on_its_end_date(event_index):
    event = TrainingEventPageFactory(
        parent=event_index,
        title="CIT coordinator academy",
        start_date=date(2027, 5, 3),
        start_time=time(9, 0),
        end_date=date(2027, 5, 5),
        end_time=time(16, 0),
        time_zone="America/Denver",
        delivery_mode="in_person",
        location="Denver Police Academy",
    )
    stored = reload(event)
    assert stored.start == datetime(2027, 5, 3, 15, 0, tzinfo=UTC)
    assert stored.end == datetime(2027, 5, 5, 22, 0, tzinfo=UTC)


def test_changing_the_time_zone_moves_the_instants(event):
    event.time_zone = "America/Los_Angeles"
    event.save()
    assert reload(event).start == datetime(2027, 1, 14, 18, 0, tzinfo=UTC)


# --- validation ---------------------------------------------------------------------------------------------


def test_valid_event_passes_full_clean(event):
    event.full_clean()


def test_end_before_start_is_an_end_time_error(event):
    event.end_time = time(9, 30)
    assert validation_error_keys(event) == {"end_time"}


def test_end_equal_to_start_is_an_end_time_error(event):
    event.end_time = event.start_time
    assert validation_error_keys(event) == {"end_time"}


def test_end_date_makes_an_earlier_clock_time_valid(event):
    event.end_date = date(2027, 1, 15)
    event.end_time = time(9, 0)
    event.full_clean()


def test_end_date_before_start_date_is_an_end_time_error(event):
    event.end_date = date(2027, 1, 13)
    event.end_time = time(12, 0)
    assert validation_error_keys(event) == {"end_time"}


def test_start_in_a_daylight_saving_gap_is_a_start_time_error(event):
    event.time_zone = "America/New_York"
    event.start_date = date(2027, 3, 14)
    event.start_time = time(2, 30)
    event.end_time = time(4, 0)
    with pytest.raises(ValidationError) as caught:
        event.full_clean()
    assert set(caught.value.message_dict) == {"start_time"}
    assert "does not exist on March 14 in America/New_York" in caught.value.message_dict["start_time"][0]


def test_end_in_a_daylight_saving_gap_is_an_end_time_error(event):
    event.time_zone = "America/New_York"
    event.start_date = date(2027, 3, 14)
    event.start_time = time(1, 0)
    event.end_time = time(2, 15)
    assert validation_error_keys(event) == {"end_time"}


def test_the_hour_after_the_gap_is_valid(event):
    event.time_zone = "America/New_York"
    event.start_date = date(2027, 3, 14)
    event.start_time = time(3, 0)
    event.end_time = time(4, 0)
    event.full_clean()


def test_unknown_time_zone_is_a_time_zone_error(event):
    event.time_zone = "America/Gotham"
    assert validation_error_keys(event) == {"time_zone"}


@pytest.mark.parametrize("field", ["join_url", "registration_url"])
def test_javascript_links_are_refused(event, field):
    setattr(event, field, "javascript:alert(document.cookie)")
    assert validation_error_keys(event) == {field}


@pytest.mark.parametrize("field", ["join_url", "registration_url"])
def test_https_links_are_accepted(event, field):
    setattr(event, field, "https://meet.example.org/cit-assist")
    event.full_clean()


def test_count_and_until_together_is_a_recurrence_until_error(quarterly):
    quarterly.recurrence_until = date(2027, 12, 31)
    assert validation_error_keys(quarterly) == {"recurrence_until"}


def test_until_before_the_first_session_is_a_recurrence_until_error(quarterly):
    quarterly.recurrence_count = None
    quarterly.recurrence_until = date(2026, 12, 31)
    assert validation_error_keys(quarterly) == {"recurrence_until"}


def test_count_without_frequency_is_a_recurrence_frequency_error(event):
    event.recurrence_count = 4
    assert validation_error_keys(event) == {"recurrence_frequency"}


def test_until_without_frequency_is_a_recurrence_frequency_error(event):
    event.recurrence_until = date(2027, 12, 31)
    assert validation_error_keys(event) == {"recurrence_frequency"}


def test_session_change_needs_both_new_times_or_neither(quarterly):
    change = SessionChange(page=quarterly, original_date=date(2027, 4, 8), new_start_time=time(13, 0))
    with pytest.raises(ValidationError) as caught:
        change.full_clean()
    assert set(caught.value.message_dict) == {"new_end_time"}


# --- recurrence ---------------------------------------------------------------------------------------------


def test_quarterly_rule_gives_the_second_thursday_every_three_months(quarterly):
    sessions = quarterly.sessions()
    assert [session.original_date for session in sessions] == QUARTERLY_DATES
    assert [session.start.date() for session in sessions] == QUARTERLY_DATES
    assert all(session.start.weekday() == 3 for session in sessions)  # Thursday


def test_quarterly_sessions_stay_at_ten_local_across_daylight_saving(quarterly):
    sessions = quarterly.sessions()
    assert [session.start.time() for session in sessions] == [time(10, 0)] * 4
    assert [session.end.time() for session in sessions] == [time(11, 30)] * 4
    assert [session.start.astimezone(UTC) for session in sessions] == [
        datetime(2027, 1, 14, 16, 0, tzinfo=UTC),  # CST, UTC-6
        datetime(2027, 4, 8, 15, 0, tzinfo=UTC),  # CDT, UTC-5
        datetime(2027, 7, 8, 15, 0, tzinfo=UTC),
        datetime(2027, 10, 14, 15, 0, tzinfo=UTC),
    ]


def test_repeat_until_includes_a_session_on_the_end_date(quarterly):
    quarterly.recurrence_count = None
    quarterly.recurrence_until = date(2027, 7, 8)
    assert [session.original_date for session in quarterly.sessions()] == QUARTERLY_DATES[:3]


def test_fifth_weekday_means_the_last_weekday_of_later_months(event_index):
    event = TrainingEventPageFactory(
        parent=event_index,
        title="Overcoming Language Barriers",
        start_date=date(2027, 12, 30),  # the fifth Thursday of December
        start_time=time(10, 0),
        end_time=time(11, 0),
        time_zone="America/Chicago",
        recurrence_frequency=RecurrenceFrequency.MONTHLY,
        recurrence_count=3,
    )
    assert [session.original_date for session in event.sessions()] == [
        date(2027, 12, 30),
        date(2028, 1, 27),
        date(2028, 2, 24),
    ]


def test_monthly_by_day_of_month(quarterly):
    quarterly.recurrence_monthly_by_weekday = False
    assert [session.original_date for session in quarterly.sessions()] == [
        date(2027, 1, 14),
        date(2027, 4, 14),
        date(2027, 7, 14),
        date(2027, 10, 14),
    ]


def test_one_off_event_has_one_session(event):
    sessions = event.sessions()
    assert len(sessions) == 1
    assert sessions[0].start.astimezone(UTC) == event.start


def test_skipped_dates_are_removed_from_sessions(quarterly):
    quarterly.skipped_dates = [EventSkippedDate(date=date(2027, 7, 8), reason="Independence Day week")]
    quarterly.save_revision().publish()
    stored = reload(quarterly)
    assert [session.original_date for session in stored.sessions()] == [
        date(2027, 1, 14),
        date(2027, 4, 8),
        date(2027, 10, 14),
    ]
    # The rule itself still yields the skipped date: it is what iCal EXDATE refers to.
    assert date(2027, 7, 8) in [session.original_date for session in stored.rule_sessions()]


def test_moved_and_cancelled_sessions(quarterly):
    quarterly.session_changes = [
        SessionChange(
            original_date=date(2027, 4, 8),
            new_date=date(2027, 4, 15),
            new_start_time=time(13, 0),
            new_end_time=time(14, 30),
            note="Moved a week for the spring conference",
        ),
        SessionChange(original_date=date(2027, 10, 14), status=EventStatus.CANCELLED),
    ]
    quarterly.save_revision().publish()
    sessions = {session.original_date: session for session in reload(quarterly).sessions()}

    assert list(sessions) == QUARTERLY_DATES
    moved = sessions[date(2027, 4, 8)]
    assert moved.is_changed
    assert moved.start == datetime(2027, 4, 15, 13, 0, tzinfo=CHICAGO)
    assert moved.start.astimezone(UTC) == datetime(2027, 4, 15, 18, 0, tzinfo=UTC)
    assert moved.end.astimezone(UTC) == datetime(2027, 4, 15, 19, 30, tzinfo=UTC)
    assert moved.status == EventStatus.SCHEDULED
    assert moved.note == "Moved a week for the spring conference"

    cancelled = sessions[date(2027, 10, 14)]
    assert cancelled.status == EventStatus.CANCELLED
    assert cancelled.start.astimezone(UTC) == datetime(2027, 10, 14, 15, 0, tzinfo=UTC)

    untouched = sessions[date(2027, 7, 8)]
    assert not untouched.is_changed
    assert untouched.status == EventStatus.SCHEDULED


def test_moved_date_without_new_times_keeps_the_usual_local_time(quarterly):
    # Moved from before the DST change to after it: still 10:00 in Chicago, so one hour earlier in UTC.
    quarterly.session_changes = [SessionChange(original_date=date(2027, 1, 14), new_date=date(2027, 3, 18))]
    session = quarterly.sessions()[0]
    assert session.start == datetime(2027, 3, 18, 10, 0, tzinfo=CHICAGO)
    assert session.start.astimezone(UTC) == datetime(2027, 3, 18, 15, 0, tzinfo=UTC)
    assert session.duration == timedelta(hours=1, minutes=30)


# Weekly on Sundays in New York: on March 14, 2027 clocks skip 02:00-03:00; on November 7, 2027 01:00-02:00 happens
# twice (first EDT, UTC-4, then EST, UTC-5).
NEW_YORK = ZoneInfo("America/New_York")


def weekly_sunday(event_index, start: time, end: time) -> TrainingEventPage:
    return TrainingEventPageFactory(
        parent=event_index,
        start_date=date(2027, 3, 7),
        start_time=start,
        end_time=end,
        time_zone="America/New_York",
        recurrence_frequency=RecurrenceFrequency.WEEKLY,
        recurrence_until=date(2027, 11, 14),
    )


def sessions_on(page: TrainingEventPage) -> dict:
    return {session.original_date: session for session in page.sessions()}


def test_a_session_in_the_skipped_hour_moves_forward_and_keeps_its_length(event_index):
    sessions = sessions_on(weekly_sunday(event_index, time(2, 30), time(3, 30)))
    gap = sessions[date(2027, 3, 14)]
    assert gap.start == datetime(2027, 3, 14, 3, 30, tzinfo=NEW_YORK)  # 02:30 does not exist: an hour later
    assert gap.start.astimezone(UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert gap.end.astimezone(UTC) == datetime(2027, 3, 14, 8, 30, tzinfo=UTC)
    assert (gap.start.hour, gap.start.minute, gap.end.hour) == (3, 30, 4)  # the wall clock reads what happens
    assert {session.duration for session in sessions.values()} == {timedelta(hours=1)}


def test_a_session_that_ends_in_the_skipped_hour_keeps_its_length(event_index):
    sessions = sessions_on(weekly_sunday(event_index, time(1, 30), time(2, 30)))
    gap = sessions[date(2027, 3, 14)]
    assert gap.start.astimezone(UTC) == datetime(2027, 3, 14, 6, 30, tzinfo=UTC)  # 01:30 EST
    assert gap.end.astimezone(UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert (gap.end.hour, gap.end.minute) == (3, 30)
    assert {session.duration for session in sessions.values()} == {timedelta(hours=1)}


def test_a_session_in_the_repeated_hour_is_the_first_one_and_keeps_its_length(event_index):
    sessions = sessions_on(weekly_sunday(event_index, time(1, 30), time(2, 30)))
    fold = sessions[date(2027, 11, 7)]
    assert fold.start.astimezone(UTC) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first 01:30
    assert fold.end.astimezone(UTC) == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later
    assert (fold.end.hour, fold.end.minute, fold.end.fold) == (1, 30, 1)
    assert {session.duration for session in sessions.values()} == {timedelta(hours=1)}
    assert sessions_on(weekly_sunday(event_index, time(0, 30), time(1, 30)))[date(2027, 11, 7)].duration == (
        timedelta(hours=1)
    )


def test_a_moved_session_keeps_its_length_across_the_change(event_index):
    page = weekly_sunday(event_index, time(1, 30), time(2, 30))
    page.session_changes = [SessionChange(original_date=date(2027, 3, 7), new_date=date(2027, 3, 14))]
    moved = page.sessions()[0]
    assert moved.start.astimezone(UTC) == datetime(2027, 3, 14, 6, 30, tzinfo=UTC)
    assert moved.end.astimezone(UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert (moved.end.hour, moved.end.minute) == (3, 30)


def test_open_ended_daily_rule_is_bounded(event):
    event.recurrence_frequency = RecurrenceFrequency.DAILY
    event.full_clean()
    event.save()
    sessions = reload(event).sessions()
    assert len(sessions) == MAX_SESSIONS
    assert sessions[-1].original_date == date(2027, 1, 14) + timedelta(days=MAX_SESSIONS - 1)
    assert len(event.sessions(limit=10)) == 10


# --- the admin form checks skipped and changed dates against the rule ------------------------------------------


def edit_post_data(page: TrainingEventPage, action="action-publish", fields=None, **formsets) -> dict:
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "summary": page.summary,
            "start_date": page.start_date.isoformat(),
            "start_time": page.start_time.strftime("%H:%M"),
            "end_date": "",
            "end_time": page.end_time.strftime("%H:%M"),
            "time_zone": page.time_zone,
            "status": page.status,
            "recurrence_frequency": page.recurrence_frequency,
            "recurrence_interval": str(page.recurrence_interval),
            "recurrence_monthly_by_weekday": "on",
            "recurrence_count": str(page.recurrence_count or ""),
            "recurrence_until": "",
            "delivery_mode": page.delivery_mode,
            "location": "",
            "join_url": "https://meet.example.org/cop-deflection",
            "registration_url": page.registration_url,
            "audience": "",
            "capacity": "",
            "body": streamfield([("paragraph", rich_text("<p>Agencies share what worked.</p>"))]),
            "skipped_dates": inline_formset(formsets.get("skipped_dates", [])),
            "session_changes": inline_formset(formsets.get("session_changes", [])),
            "comments": inline_formset([]),
        }
        | (fields or {})
    )
    if action:
        data[action] = action
    return data


def test_admin_rejects_a_skipped_date_that_is_not_a_session(admin_client, quarterly):
    url = reverse("wagtailadmin_pages:edit", args=[quarterly.pk])
    data = edit_post_data(quarterly, skipped_dates=[{"date": "2027-03-11", "reason": "Not a meeting day"}])

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form is shown again, not a redirect
    form = response.context["form"]
    assert form.formsets["skipped_dates"].forms[0].errors["date"] == [
        "Skipped date March 11, 2027 is not one of this event's dates."
    ]
    assert "Skipped date March 11, 2027 is not one of this event" in response.content.decode()
    assert not EventSkippedDate.objects.filter(page=quarterly).exists()
    assert reload(quarterly).latest_revision_id == quarterly.latest_revision_id  # nothing was saved


def test_admin_rejects_a_changed_session_that_is_not_a_session(admin_client, quarterly):
    url = reverse("wagtailadmin_pages:edit", args=[quarterly.pk])
    data = edit_post_data(
        quarterly,
        session_changes=[{"original_date": "2027-02-11", "status": "cancelled", "new_date": ""}],
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["form"].formsets["session_changes"].forms[0].errors
    assert errors["original_date"] == ["Changed session February 11, 2027 is not one of this event's dates."]
    assert not SessionChange.objects.filter(page=quarterly).exists()


def test_admin_accepts_a_skipped_date_that_is_a_session(admin_client, quarterly):
    url = reverse("wagtailadmin_pages:edit", args=[quarterly.pk])
    data = edit_post_data(quarterly, skipped_dates=[{"date": "2027-07-08", "reason": "Independence Day week"}])

    response = admin_client.post(url, data)

    assert response.status_code == 302
    stored = reload(quarterly)
    assert [row.date for row in stored.skipped_dates.all()] == [date(2027, 7, 8)]
    assert date(2027, 7, 8) not in [session.original_date for session in stored.sessions()]


# --- where participants go: checked on the way to going live, not on a draft -------------------------------


@pytest.mark.parametrize(
    ("mode", "location", "join_url", "missing"),
    [
        ("in_person", "", "", {"location"}),
        ("in_person", "   ", "", {"location"}),
        ("live_virtual", "", "", {"join_url"}),
        ("hybrid", "", "", {"location", "join_url"}),
        ("hybrid", "Tulsa Police Academy, 6066 E Virgin St", "", {"join_url"}),
    ],
)
@pytest.mark.parametrize("action", ["action-publish", "action-submit"])
def test_an_event_participants_cannot_reach_is_refused_before_it_goes_live(
    admin_client, quarterly, mode, location, join_url, missing, action
):
    url = reverse("wagtailadmin_pages:edit", args=[quarterly.pk])
    data = edit_post_data(
        quarterly, action=action, fields={"delivery_mode": mode, "location": location, "join_url": join_url}
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form again, with the errors beside the fields
    errors = response.context["form"].errors
    assert set(errors) == missing
    if "location" in missing:
        assert errors["location"] == ["Add the venue and address: participants of an in-person event need them."]
    assert reload(quarterly).latest_revision_id == quarterly.latest_revision_id  # nothing was saved


def test_a_draft_in_person_event_may_be_saved_before_the_venue_is_known(admin_client, quarterly):
    url = reverse("wagtailadmin_pages:edit", args=[quarterly.pk])
    data = edit_post_data(quarterly, action=None, fields={"delivery_mode": "in_person", "join_url": ""})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    draft = reload(quarterly).get_latest_revision_as_object()
    assert (draft.delivery_mode, draft.location) == ("in_person", "")


def test_an_in_person_event_with_a_venue_and_no_join_link_is_published(admin_client, quarterly):
    url = reverse("wagtailadmin_pages:edit", args=[quarterly.pk])
    venue = "Tulsa Police Academy, 6066 E Virgin St, Tulsa, OK"
    data = edit_post_data(quarterly, fields={"delivery_mode": "in_person", "location": venue, "join_url": ""})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert (reload(quarterly).delivery_mode, reload(quarterly).location) == ("in_person", venue)


# --- iCal identity: UID and SEQUENCE -----------------------------------------------------------------------


@pytest.fixture
def draft_event(event_index):
    """An event that has never been published, so the first publish below is a real first publish."""
    return TrainingEventPageFactory(
        parent=event_index,
        live=False,
        title="Response to Suicidal Subjects",
        start_date=date(2027, 2, 11),
        start_time=time(10, 0),
        end_time=time(12, 0),
        time_zone="America/Chicago",
        location="",
    )


def publish_change(page: TrainingEventPage, **changes) -> TrainingEventPage:
    """Edit the latest version of the page and publish it, as the admin does."""
    page = reload(page)
    for field, value in changes.items():
        setattr(page, field, value)
    page.save_revision().publish()
    return reload(page)


def test_first_publish_is_sequence_zero(draft_event):
    uid = draft_event.ical_uid
    published = publish_change(draft_event)
    assert published.live
    assert published.ical_sequence == 0
    assert published.schedule_fingerprint
    assert published.ical_uid == uid


def test_draft_save_does_not_change_uid_or_sequence(draft_event):
    published = publish_change(draft_event)
    published.start_time = time(14, 0)
    published.end_time = time(15, 0)
    published.save_revision()

    stored = reload(published)
    assert stored.ical_sequence == 0
    assert stored.ical_uid == draft_event.ical_uid
    assert stored.has_unpublished_changes
    assert stored.start == datetime(2027, 2, 11, 16, 0, tzinfo=UTC)  # the live schedule is unchanged


def test_publishing_a_title_or_summary_change_keeps_the_sequence(draft_event):
    publish_change(draft_event)
    stored = publish_change(draft_event, title="Response to Suicidal Subjects (updated)", summary="New wording.")
    assert stored.title == "Response to Suicidal Subjects (updated)"
    assert stored.ical_sequence == 0
    assert stored.ical_uid == draft_event.ical_uid


@pytest.mark.parametrize(
    "changes",
    [
        {"start_time": time(11, 0), "end_time": time(13, 0)},
        {"start_date": date(2027, 2, 18)},
        {"time_zone": "America/Denver"},
        {"status": EventStatus.CANCELLED},
        {"status": EventStatus.POSTPONED},
        {"location": "Chicago Police Training Academy, 1300 W Jackson Blvd", "delivery_mode": "hybrid"},
    ],
    ids=["time", "date", "time_zone", "cancelled", "postponed", "location"],
)
def test_publishing_a_schedule_change_raises_the_sequence_by_one(draft_event, changes):
    publish_change(draft_event)
    stored = publish_change(draft_event, **changes)
    assert stored.ical_sequence == 1
    assert stored.ical_uid == draft_event.ical_uid


def test_each_published_schedule_change_counts_once(draft_event):
    publish_change(draft_event)
    assert publish_change(draft_event, start_time=time(11, 0), end_time=time(13, 0)).ical_sequence == 1
    assert publish_change(draft_event).ical_sequence == 1  # republishing unchanged
    assert publish_change(draft_event, status=EventStatus.CANCELLED).ical_sequence == 2
    assert publish_change(draft_event, location="Online").ical_sequence == 3
    assert reload(draft_event).ical_uid == draft_event.ical_uid


def test_publishing_a_skipped_date_raises_the_sequence(event_index):
    page = TrainingEventPageFactory(parent=event_index, live=False, **QUARTERLY_COP)
    publish_change(page)
    stored = reload(page)
    stored.skipped_dates = [EventSkippedDate(date=date(2027, 7, 8))]
    stored.save_revision().publish()
    assert reload(page).ical_sequence == 1


def test_unpublish_and_republish_keep_uid_and_sequence(draft_event):
    publish_change(draft_event, start_time=time(9, 0))
    reload(draft_event).unpublish()
    assert not reload(draft_event).live
    stored = publish_change(draft_event)
    assert stored.live
    assert stored.ical_uid == draft_event.ical_uid
    assert stored.ical_sequence == 0


def test_publishing_an_old_revision_keeps_uid_and_counts_as_a_change(draft_event):
    first = publish_change(draft_event)
    first_revision = Revision.objects.get(pk=first.live_revision_id)
    moved = publish_change(draft_event, start_time=time(14, 0), end_time=time(16, 0))
    assert moved.ical_sequence == 1

    first_revision.publish()

    restored = reload(draft_event)
    assert restored.live_revision_id == first_revision.pk
    assert restored.start == datetime(2027, 2, 11, 16, 0, tzinfo=UTC)  # back to 10:00 Chicago
    assert restored.ical_uid == draft_event.ical_uid
    # The old revision still holds SEQUENCE 0: it must not roll the counter back, and the time moved again.
    assert restored.ical_sequence == 2


def test_copying_an_event_gives_it_a_new_identity(draft_event, event_index):
    original = publish_change(draft_event, start_time=time(11, 0), end_time=time(13, 0))
    assert original.ical_sequence == 0

    copy = original.copy(
        to=event_index, update_attrs={"title": "Response to Suicidal Subjects (repeat)", "slug": "rss-repeat"}
    ).specific

    stored_copy = reload(copy)
    assert stored_copy.ical_uid != original.ical_uid
    assert stored_copy.ical_sequence == 0
    assert stored_copy.start == original.start
    # Publishing the copy's revisions (copied from the original's) keeps the copy's own identity.
    stored_copy.get_latest_revision().publish()
    assert reload(copy).ical_uid == stored_copy.ical_uid
    assert reload(original).ical_uid == draft_event.ical_uid
    assert TrainingEventPage.objects.filter(ical_uid=original.ical_uid).count() == 1


def test_event_created_live_without_a_publish_counts_its_first_schedule_change(event_index):
    page = TrainingEventPageFactory(parent=event_index, start_time=time(9, 0), end_time=time(10, 0))
    assert page.live
    assert page.schedule_fingerprint
    assert publish_change(page, summary="Same time, new words.").ical_sequence == 0
    assert publish_change(page, start_time=time(9, 30)).ical_sequence == 1
