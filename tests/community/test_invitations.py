"""Invitations: staff invite by email, the link works once and expires, only its hash is stored, guesses are
rate-limited; accepting makes a member of the agency (page without JavaScript, or the acceptInvitation mutation)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from cms.hashing import secret_digest
from community import services
from community.models import Invitation, Member
from pages.selectors import user_is_member
from tests.integrations.graphql_helpers import data

pytestmark = pytest.mark.django_db

PASSWORD = "Crisis-Response-2026!"
ACCEPT = """
mutation ($token: String!, $name: String!, $password: String!) {
  acceptInvitation(token: $token, name: $name, password: $password) { token expiresAt errors { field message code } }
}
"""


def invite(agency, email="mlopez@cityofmesa.example.gov"):
    return services.invitation_create(email=email, agency=agency)


def link_token(message) -> str:
    return re.search(r"/members/invitation/([\w-]+)/", message.body).group(1)


def test_staff_invite_from_the_admin_emails_a_link_that_stores_only_a_hash(
    admin_client, agency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/invitations/new/", {"email": "MLopez@CityOfMesa.example.gov", "agency": agency.pk}
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["mlopez@cityofmesa.example.gov"]
    assert agency.name in message.body
    token = link_token(message)
    assert "https://cms.example.org/members/invitation/" in message.body
    invitation = Invitation.objects.get()
    assert invitation.token_hash == secret_digest(token)
    assert token not in str(Invitation.objects.values_list())
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    listing = admin_client.get("/admin/invitations/")
    assert b"mlopez@cityofmesa.example.gov" in listing.content and b"pending" in listing.content.lower()
    # Sent is sent: no editing the address or agency afterwards (delete and invite again).
    assert admin_client.get(f"/admin/invitations/edit/{invitation.pk}/").status_code in (302, 403)
    assert admin_client.get(f"/admin/invitations/inspect/{invitation.pk}/").status_code == 200


def test_accept_on_the_page_without_javascript(client, agency):
    _invitation, token = invite(agency)
    page = client.get(f"/members/invitation/{token}/")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert b"<script" not in page.content
    response = client.post(
        f"/members/invitation/{token}/", {"name": "Maria Lopez", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert response.status_code == 200
    assert b"Welcome, Maria Lopez" in response.content
    user = get_user_model().objects.get(email="mlopez@cityofmesa.example.gov")
    assert user.check_password(PASSWORD) and user.is_active and user.last_login is not None
    assert user_is_member(user)
    assert Member.objects.get(user=user).agency == agency
    # Replaying the used link: a clear error, and the password is not changed.
    again = client.post(
        f"/members/invitation/{token}/",
        {"name": "Mallory", "password": "Other-pass-2026!", "password_again": "Other-pass-2026!"},
    )
    assert again.status_code == 410
    assert b"already been used" in again.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and user.first_name == "Maria"


def test_page_form_errors_are_shown_next_to_fields(client, agency):
    _invitation, token = invite(agency)
    response = client.post(f"/members/invitation/{token}/", {"name": "", "password": "short", "password_again": "x"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    weak = client.post(
        f"/members/invitation/{token}/", {"name": "Maria", "password": "password", "password_again": "password"}
    )
    assert b"too common" in weak.content
    assert not Member.objects.exists()


def test_accept_through_graphql_signs_the_member_in(agency):
    _invitation, token = invite(agency)
    result = data(ACCEPT, token=token, name="Maria Lopez", password=PASSWORD)["acceptInvitation"]
    assert result["errors"] == [] and result["token"].startswith("wagtail_")
    replay = data(ACCEPT, token=token, name="Maria Lopez", password=PASSWORD)["acceptInvitation"]
    assert replay["token"] is None
    assert replay["errors"] == [
        {
            "field": "token",
            "message": "This invitation has already been used. Sign in with your email address and password instead.",
            "code": "used",
        }
    ]


def test_expired_invitation_is_refused(client, agency):
    invitation, token = invite(agency)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/members/invitation/{token}/").status_code == 410
    result = data(ACCEPT, token=token, name="Maria", password=PASSWORD)["acceptInvitation"]
    assert result["errors"][0]["code"] == "expired"
    assert not Member.objects.exists()


@pytest.mark.parametrize("guess", ["x", "A" * 43, "' OR 1=1 --", "a" * 5000, "%00", "ünïcødé"])
def test_guessed_tokens_find_nothing(client, agency, guess):
    invite(agency)
    response = client.get(f"/members/invitation/{guess}/")
    assert response.status_code == 404
    assert b"not valid" in response.content
    result = data(ACCEPT, token=guess, name="Eve", password=PASSWORD)["acceptInvitation"]
    assert result["errors"][0]["code"] == "invalid"


def test_guessing_is_rate_limited_per_ip(client, agency, settings):
    settings.LOGIN_RATE_LIMIT_PER_IP = 5
    _invitation, token = invite(agency)
    statuses = [client.get(f"/members/invitation/guess-{n}/").status_code for n in range(5)]
    assert statuses == [404] * 5
    blocked = client.get(f"/members/invitation/{token}/")  # even the right token, once over the limit
    assert blocked.status_code == 429
    assert b"Too many invitation attempts" in blocked.content
    result = data(ACCEPT, token=token, name="Eve", password=PASSWORD)["acceptInvitation"]
    assert result["errors"][0]["code"] == "rate_limited"


def test_oversize_name_and_password_are_refused(agency):
    _invitation, token = invite(agency)
    result = data(ACCEPT, token=token, name="M" * 10_000, password=PASSWORD)["acceptInvitation"]
    assert result["errors"][0]["field"] == "name"
    result = data(ACCEPT, token=token, name="Maria", password="p" * 100_000)["acceptInvitation"]
    assert result["errors"][0]["field"] == "password"
    assert not Member.objects.exists()


def test_reinviting_a_deactivated_member_reactivates_them(agency, member):
    services.member_deactivate(member=member.membership)
    member.refresh_from_db()
    assert not member.is_active
    _invitation, token = invite(agency, email=member.email.upper())
    data(ACCEPT, token=token, name="Dana Ortiz", password=PASSWORD)
    member.refresh_from_db()
    assert member.is_active and member.check_password(PASSWORD)
    assert get_user_model().objects.filter(email__iexact=member.email).count() == 1
