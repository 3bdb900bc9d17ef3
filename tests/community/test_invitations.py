"""Invitations: staff invite by email, the link works once and expires, only its hash is stored, guesses are
rate-limited; accepting makes a member of the agency (page without JavaScript, or the acceptInvitation mutation)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from cms.hashing import secret_digest
from community import services
from community.models import Invitation, Member
from integrations.graphql.auth import TokenRejected, authenticate
from integrations.graphql.services import api_token_create
from pages.access import MEMBERS_GROUP, user_is_member
from tests.integrations.graphql.helpers import data

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
    settings.SIGN_IN_RATE_LIMIT_PER_IP = 5
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


# --- whose account an invitation may touch ------------------------------------------------------------------------

INVITEE = "mlopez@cityofmesa.example.gov"
ORIGINAL_PASSWORD = "Original-pass-phrase-9"


def accept_over_http(client, token: str) -> dict:
    variables = {"token": token, "name": "Maria Lopez", "password": PASSWORD}
    response = client.post("/graphql/", {"query": ACCEPT, "variables": variables}, content_type="application/json")
    assert response.status_code == 200
    return response.json()["data"]["acceptInvitation"]


def assert_refused_everywhere(client, token: str, code: str, text: str) -> None:
    """The page (GET, then a POST anyway) and the mutation refuse with the same clear reason; nothing is used up."""
    page = client.get(f"/members/invitation/{token}/")
    assert page.status_code == 409
    assert text in page.content.decode() and b"<form" not in page.content
    posted = client.post(
        f"/members/invitation/{token}/", {"name": "Maria Lopez", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert posted.status_code == 409 and text in posted.content.decode()
    result = accept_over_http(client, token)
    assert result["token"] is None
    [error] = result["errors"]
    assert (error["field"], error["code"]) == ("__all__", code) and text in error["message"]
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("superuser", [True, False], ids=["superuser", "staff"])
def test_an_invitation_never_touches_a_deactivated_staff_or_superuser_account(client, agency, superuser):
    User = get_user_model()
    admin = User.objects.create_user(
        "ops-admin", email=INVITEE, password=ORIGINAL_PASSWORD, is_staff=True, is_superuser=superuser, is_active=False
    )
    _token_row, api_key = api_token_create(user=admin, name="ops scripts")
    _invitation, token = invite(agency, email=INVITEE.upper())

    assert_refused_everywhere(client, token, "staff_account", "staff account")

    admin.refresh_from_db()
    assert not admin.is_active and admin.check_password(ORIGINAL_PASSWORD)
    assert admin.is_superuser is superuser and admin.is_staff
    assert not admin.groups.exists() and not Member.objects.exists()
    with pytest.raises(TokenRejected):
        authenticate(f"Bearer {api_key}")


@pytest.mark.parametrize("is_member", [True, False], ids=["member", "partner"])
def test_an_invitation_never_touches_an_active_account(client, agency, is_member):
    user = get_user_model().objects.create_user("someone", email=INVITEE, password=ORIGINAL_PASSWORD)
    if is_member:
        user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    _invitation, token = invite(agency)

    assert_refused_everywhere(client, token, "active_account", "already has an account")

    user.refresh_from_db()
    assert user.check_password(ORIGINAL_PASSWORD) and user.first_name == ""
    assert user_is_member(user) is is_member and not Member.objects.exists()


def test_an_invitation_does_not_make_a_member_of_a_deactivated_non_member_account(client, agency):
    partner = get_user_model().objects.create_user(
        "partner-web", email=INVITEE, password=ORIGINAL_PASSWORD, is_active=False
    )
    partner.groups.add(Group.objects.get(name="Partners"))
    _invitation, token = invite(agency)

    assert_refused_everywhere(client, token, "other_account", "not a member account")

    partner.refresh_from_db()
    assert not partner.is_active and partner.check_password(ORIGINAL_PASSWORD) and not user_is_member(partner)


def test_a_deactivated_member_sharing_the_address_with_a_staff_account_is_not_readmitted(client, agency, member):
    services.member_deactivate(member=member.membership)
    get_user_model().objects.create_user("ops", email=member.email, is_staff=True, is_active=False)
    _invitation, token = invite(agency, email=member.email)

    assert_refused_everywhere(client, token, "staff_account", "staff account")

    member.refresh_from_db()
    assert not member.is_active


def test_readmitting_a_deactivated_member_over_http_signs_them_in_and_leaves_old_tokens_revoked(client, agency, member):
    _row, old_key = api_token_create(user=member, name="old device")
    member.is_active = False  # deactivated from Django's user form: no tokens revoked
    member.save()
    _invitation, token = invite(agency, email=member.email)
    assert client.get(f"/members/invitation/{token}/").status_code == 200

    result = accept_over_http(client, token)

    assert result["errors"] == [] and result["token"]
    member.refresh_from_db()
    assert member.is_active and member.check_password(PASSWORD)
    assert authenticate(f"Bearer {result['token']}")[0] == member
    with pytest.raises(TokenRejected, match="revoked"):
        authenticate(f"Bearer {old_key}")
