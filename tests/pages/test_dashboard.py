"""The admin dashboard starts an editor's day: their drafts, what is coming up, and a quick way to add an event.

(Pages in review and changes a moderator sent back are Wagtail's own "Your pages and snippets in a workflow" panel,
and "Awaiting your review" is the moderators'; both are checked here too, as an editor and a moderator meet them.)
"""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from events.factories import TrainingEventPageFactory
from pages.editorial import EDITORS, MODERATORS
from tests.pages.test_workflow import submit

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def edit_as(user, page, title):
    page.title = title
    return page.save_revision(user=user)


def test_my_drafts_lists_my_unsubmitted_changes_and_not_others(client, users, event_index):
    editor, moderator = users[EDITORS], users[MODERATORS]
    mine = TrainingEventPageFactory(parent=event_index, live=False, owner=editor)
    edit_as(editor, mine, "Deflection: treatment pathways (draft)")
    theirs = TrainingEventPageFactory(parent=event_index, live=False, owner=moderator)
    edit_as(moderator, theirs, "Someone else's draft")
    published = TrainingEventPageFactory(parent=event_index, owner=editor, title="Already published")
    published.save_revision(user=editor).publish()

    html = dashboard(client, editor)

    panel = html.split('id="my-drafts-section"')[1].split("</section>")[0]
    assert "Deflection: treatment pathways (draft)" in panel
    assert "Draft, never published" in panel
    assert "Someone else" not in panel and "Already published" not in panel
    assert "Submit to Editorial and program approval" in panel


def test_a_submitted_draft_leaves_my_drafts_for_the_workflow_panel(client, users, event_index):
    editor = users[EDITORS]
    page = TrainingEventPageFactory(parent=event_index, live=False, owner=editor, title="Dispatcher training")
    page.save_revision(user=editor)
    submit(page, editor)

    html = dashboard(client, editor)

    assert "Dispatcher training" not in html.split('id="my-drafts-section"')[1].split("</section>")[0]
    assert "Dispatcher training" in html  # in Wagtail's "Your pages and snippets in a workflow"
    moderator_html = dashboard(client, users[MODERATORS])
    assert "Awaiting your review" in moderator_html and "Dispatcher training" in moderator_html


def test_an_editor_with_nothing_yet_gets_a_helpful_empty_dashboard(client, users, event_index):
    html = dashboard(client, users[EDITORS])

    assert "You have no unfinished drafts." in html
    assert "No training event has a session in the next 30 days." in html
    add_url = reverse("wagtailadmin_pages:add_subpage", args=[event_index.pk])
    assert f'href="{add_url}"' in html and "Add a training event" in html


def test_coming_up_shows_the_next_30_days_in_each_events_zone_drafts_included(client, users, event_index):
    today = date.today()
    TrainingEventPageFactory(
        parent=event_index,
        title="CIT Core Course, Tulsa",
        start_date=today + timedelta(days=5),
        start_time=time(8, 0),
        end_time=time(17, 0),
        time_zone="America/Chicago",
    )
    TrainingEventPageFactory(
        parent=event_index, title="Draft webinar", live=False, start_date=today + timedelta(days=9)
    )
    TrainingEventPageFactory(parent=event_index, title="Too far ahead", start_date=today + timedelta(days=45))
    TrainingEventPageFactory(parent=event_index, title="Already over", start_date=today - timedelta(days=3))
    TrainingEventPageFactory(
        parent=event_index,
        title="Monthly CoP meeting",
        start_date=today - timedelta(days=70),
        recurrence_frequency="weekly",
        recurrence_interval=2,
        recurrence_count=12,
    )

    html = dashboard(client, users[EDITORS])

    panel = html.split('id="upcoming-events-section"')[1].split("</section>")[0]
    assert "CIT Core Course, Tulsa" in panel and "8:00 AM C" in panel  # CST or CDT: the event's zone
    assert "Draft webinar" in panel and "Draft, not published" in panel
    assert "Monthly CoP meeting" in panel  # a repeating series with a session ahead
    assert "Too far ahead" not in panel and "Already over" not in panel
    assert panel.index("CIT Core Course") < panel.index("Draft webinar")


def test_a_user_who_cannot_add_events_gets_no_add_button(client, django_user_model, event_index):
    from django.contrib.auth.models import Permission

    reader = django_user_model.objects.create_user("reader", "reader@example.org", "pw")
    reader.user_permissions.add(Permission.objects.get(codename="access_admin"))

    html = dashboard(client, reader)

    assert "Add a training event" not in html


def test_the_dashboard_costs_the_same_queries_with_2_and_12_upcoming_events(
    client, users, event_index, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor = users[EDITORS]
    for day in range(2):
        TrainingEventPageFactory(parent=event_index, start_date=date.today() + timedelta(days=day + 1))
    client.force_login(editor)
    client.get(HOME)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    for day in range(10):
        TrainingEventPageFactory(parent=event_index, start_date=date.today() + timedelta(days=day + 3))
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)

    assert len(many) == len(few)
