"""Members' private calendar links: how they are made and stored, and rotated or revoked by the member (their own
page) and by staff (the admin)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from community.services import SIGN_IN_FAILED
from events.models import CalendarToken
from events.services import (
    calendar_token_issue,
    calendar_token_revoke,
    calendar_token_rotate,
    member_calendar_url,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://cms\.example\.org/calendar/members/([A-Za-z0-9_-]{43})\.ics")


def test_the_url_is_stable_unguessable_and_only_its_hash_is_stored(member):
    url = member_calendar_url(member)
    token = LINK.fullmatch(url).group(1)
    assert member_calendar_url(member) == url  # shown again (GraphQL viewer.calendarUrl) from the stored nonce
    row = CalendarToken.objects.get()
    assert row.token_hash == CalendarToken.hash_token(token)
    stored = " ".join(str(value) for value in CalendarToken.objects.values_list().get())
    assert token not in stored
    other = get_user_model().objects.create_user("other-member")
    assert member_calendar_url(other) != url


def test_one_live_link_per_member(member):
    first = calendar_token_issue(user=member)
    assert calendar_token_issue(user=member) == first
    second = calendar_token_rotate(user=member)
    assert second.token != first.token
    assert CalendarToken.objects.filter(user=member, revoked_at__isnull=True).get() == second
    assert calendar_token_revoke(user=member) == 1
    assert calendar_token_revoke(user=member) == 0
    assert not CalendarToken.objects.filter(revoked_at__isnull=True).exists()


def test_a_changed_secret_key_gives_the_member_a_new_link(member, settings):
    old = member_calendar_url(member)
    settings.SECRET_KEY = "another-test-only-key"
    new = member_calendar_url(member)
    assert new != old
    assert CalendarToken.objects.filter(user=member, revoked_at__isnull=False).count() == 1


# --- the member's own page --------------------------------------------------------------------------------------


def test_the_subscription_page_needs_a_login(client):
    response = client.get("/calendar/subscription/")
    assert response.status_code == 302
    assert response["Location"].startswith("/calendar/login/?next=/calendar/subscription/")


def test_a_member_signs_in_and_manages_their_link(member):
    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/calendar/login/")
    csrf = login_page.cookies["csrftoken"].value
    response = client.post(
        "/calendar/login/",
        {"email": "m@example.org", "password": "pw-for-tests", "csrfmiddlewaretoken": csrf},
    )
    assert response.status_code == 302 and response["Location"] == "/calendar/subscription/"

    page = client.get("/calendar/subscription/")
    assert page["Cache-Control"] == "private, no-store"
    assert b"Create my calendar link" in page.content
    csrf = client.cookies["csrftoken"].value
    client.post("/calendar/subscription/", {"action": "issue", "csrfmiddlewaretoken": csrf})
    first = member_calendar_url(member)
    page = client.get("/calendar/subscription/").content.decode()
    assert first in page
    assert first.replace("https://", "webcal://") in page

    client.post("/calendar/subscription/", {"action": "rotate", "csrfmiddlewaretoken": csrf})
    second = member_calendar_url(member)
    assert second != first
    assert Client().get(first.removeprefix("https://cms.example.org")).status_code == 410

    client.post("/calendar/subscription/", {"action": "revoke", "csrfmiddlewaretoken": csrf})
    assert Client().get(second.removeprefix("https://cms.example.org")).status_code == 410
    assert b"Create my calendar link" in client.get("/calendar/subscription/").content


def test_the_subscription_forms_are_csrf_protected(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post("/calendar/subscription/", {"action": "issue"}).status_code == 403
    assert not CalendarToken.objects.exists()


@pytest.mark.parametrize("action", ["", "delete-everything", "x" * 10_000, "<script>"])
def test_an_unknown_action_is_refused(client, member, action):
    client.force_login(member)
    response = client.post("/calendar/subscription/", {"action": action})
    assert response.status_code == 400
    assert b"<script>" not in response.content
    assert not CalendarToken.objects.exists()


def test_the_login_page_refuses_a_wrong_password(client, member):
    response = client.post("/calendar/login/", {"email": "m@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_page_asks_for_the_email_address_as_every_member_sign_in_does(client, member):
    page = client.get("/calendar/login/").content.decode()
    assert 'type="email" name="email"' in page and 'name="username"' not in page

    by_username = client.post("/calendar/login/", {"username": "member-ical", "password": "pw-for-tests"})
    assert by_username.status_code == 200 and "_auth_user_id" not in client.session

    by_email = client.post("/calendar/login/", {"email": " M@Example.org ", "password": "pw-for-tests"})
    assert by_email.status_code == 302 and by_email["Location"] == "/calendar/subscription/"
    assert client.session["_auth_user_id"] == str(member.pk)


def test_the_login_page_shares_the_lockout_with_the_graphql_login(client, member, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    for _ in range(3):
        client.post("/calendar/login/", {"email": "m@example.org", "password": "guess"})

    locked = client.post("/calendar/login/", {"email": "m@example.org", "password": "pw-for-tests"})

    assert locked.status_code == 200 and "_auth_user_id" not in client.session
    assert SIGN_IN_FAILED in locked.content.decode()
    login = 'mutation { login(email: "m@example.org", password: "pw-for-tests") { token } }'
    answer = client.post("/graphql/", {"query": login}, content_type="application/json").json()
    assert answer["data"]["login"]["token"] is None


def test_staff_sign_in_to_the_admin_not_on_the_members_page(client):
    get_user_model().objects.create_superuser("ops", "ops@example.org", "pw-for-tests")
    refused = client.post("/calendar/login/", {"email": "ops@example.org", "password": "pw-for-tests"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert SIGN_IN_FAILED in refused.content.decode()
    assert 'href="/admin/login/?next=/calendar/subscription/"' in refused.content.decode()


# --- staff in the admin -----------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    admin = get_user_model().objects.create_superuser("staff-ical", "staff@example.org", "pw")
    client.force_login(admin)
    return client


def test_staff_issue_rotate_and_revoke_in_the_admin(staff_client, member):
    assert staff_client.get("/admin/calendar_tokens/").status_code == 200
    response = staff_client.post("/admin/calendar_tokens/new/", {"member": member.pk})
    assert response.status_code == 302
    first = CalendarToken.objects.get(user=member)
    listing = staff_client.get("/admin/calendar_tokens/").content.decode()
    assert "member-ical" in listing
    assert first.token not in listing  # the link is a credential: staff never see it

    response = staff_client.post(f"/admin/calendar_tokens/edit/{first.pk}/", {"action": "rotate"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.is_revoked
    second = CalendarToken.objects.get(user=member, revoked_at__isnull=True)

    response = staff_client.post(f"/admin/calendar_tokens/edit/{second.pk}/", {"action": "revoke"})
    assert response.status_code == 302
    assert not CalendarToken.objects.filter(revoked_at__isnull=True).exists()
    # A revoked link cannot be "revoked" or "rotated" again from its old row.
    response = staff_client.post(f"/admin/calendar_tokens/edit/{second.pk}/", {"action": "rotate"})
    assert response.status_code == 200
    assert not CalendarToken.objects.filter(revoked_at__isnull=True).exists()


def test_the_admin_is_for_staff_only(client, member):
    client.force_login(member)
    response = client.get("/admin/calendar_tokens/")
    assert response.status_code in (302, 403)
