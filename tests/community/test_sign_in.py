"""Member sign-in over GraphQL: an expiring token, one vague message for every failure, lockout after repeated
failures (fail closed), a per-IP rate limit, logout, and deactivation by staff."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from community.services import SIGN_IN_FAILED
from integrations.graphql.auth import TokenRejected, authenticate, token_expires_at
from pages.access import MEMBERS_GROUP
from tests.integrations.graphql.helpers import data, run, user_in

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-phrase-42"
LOGIN = """
mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { token expiresAt errors { field message code } }
}
"""


def login(email, password):
    return data(LOGIN, email=email, password=password)["login"]


def test_member_gets_an_expiring_token_and_last_login(member):
    before = timezone.now()
    result = login("DOrtiz@Agency.example.gov", PASSWORD)
    assert result["errors"] == []
    user, token = authenticate(f"Bearer {result['token']}")
    assert user == member
    assert token_expires_at(token) - before >= timedelta(days=29)
    member.refresh_from_db()
    assert member.last_login >= before


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("dortiz@agency.example.gov", "wrong"),
        ("nobody@agency.example.gov", PASSWORD),
        ("", ""),
        ("' OR 1=1 --", "' OR 1=1 --"),
        ("d" * 10_000 + "@x.gov", PASSWORD),
        ("dortiz@agency.example.gov", "p" * 100_000),
    ],
)
def test_every_failure_says_the_same_thing(member, email, password):
    result = login(email, password)
    assert result == {
        "token": None,
        "expiresAt": None,
        "errors": [{"field": "__all__", "message": SIGN_IN_FAILED, "code": "invalid_credentials"}],
    }


def test_non_members_and_inactive_members_cannot_sign_in(member):
    partner = user_in("Partners", "partner-web")
    partner.email, partner.is_active = "web@partner.example.org", True
    partner.set_password(PASSWORD)
    partner.save()
    assert login("web@partner.example.org", PASSWORD)["errors"][0]["message"] == SIGN_IN_FAILED
    member.is_active = False
    member.save()
    assert login(member.email, PASSWORD)["errors"][0]["message"] == SIGN_IN_FAILED


def test_lockout_after_repeated_failures_refuses_even_the_right_password(member, settings):
    settings.SIGN_IN_MAX_FAILURES = 5
    for _ in range(5):
        assert login(member.email, "guess")["token"] is None
    locked = login(member.email, PASSWORD)
    assert locked["token"] is None and locked["errors"][0]["message"] == SIGN_IN_FAILED
    assert not APIToken.objects.filter(user=member).exists()


def test_unknown_emails_lock_out_too_so_lockout_reveals_nothing(member, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    for _ in range(3):
        login("ghost@agency.example.gov", "guess")
    assert login("ghost@agency.example.gov", "guess") == login(member.email, "guess")


def test_success_resets_the_failure_count(member, settings):
    settings.SIGN_IN_MAX_FAILURES = 3
    login(member.email, "guess")
    login(member.email, "guess")
    assert login(member.email, PASSWORD)["token"]
    login(member.email, "guess")
    login(member.email, "guess")
    assert login(member.email, PASSWORD)["token"]


def test_per_ip_rate_limit_across_accounts(member, settings):
    settings.SIGN_IN_RATE_LIMIT_PER_IP = 10
    for n in range(10):
        login(f"spray{n}@agency.example.gov", "Summer2026!")
    limited = login(member.email, PASSWORD)
    assert limited["token"] is None
    assert limited["errors"][0]["code"] == "rate_limited"


def test_logout_revokes_the_token_sent(member, client):
    plain = login(member.email, PASSWORD)["token"]
    response = client.post(
        "/graphql/",
        {"query": "mutation { logout { revoked errors { code } } }"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert response.json()["data"] == {"logout": {"revoked": True, "errors": []}}
    with pytest.raises(TokenRejected, match="revoked"):
        authenticate(f"Bearer {plain}")


def test_logout_needs_a_token():
    result = run("mutation { logout { revoked } }")
    assert result.errors[0].extensions["code"] == "UNAUTHENTICATED"


def test_staff_deactivate_a_member_from_the_admin(admin_client, member):
    plain = login(member.email, PASSWORD)["token"]
    listing = admin_client.get("/admin/members/")
    assert listing.status_code == 200
    assert b"Last sign-in" in listing.content and b"dortiz@agency.example.gov" in listing.content
    assert reverse("invitations:add").encode() in listing.content  # "Invite a member"
    pk = member.membership.pk
    assert admin_client.get(f"/admin/members/{pk}/deactivate/").status_code == 200  # confirmation only
    member.refresh_from_db()
    assert member.is_active
    response = admin_client.post(f"/admin/members/{pk}/deactivate/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    with pytest.raises(TokenRejected):
        authenticate(f"Bearer {plain}")
    assert b"Reactivate" in admin_client.get(reverse("members:edit", args=[pk])).content
    admin_client.post(f"/admin/members/{pk}/reactivate/")
    member.refresh_from_db()
    assert member.is_active


def login_over_http(client, email, password) -> dict:
    variables = {"email": email, "password": password}
    response = client.post("/graphql/", {"query": LOGIN, "variables": variables}, content_type="application/json")
    assert response.status_code == 200
    return response.json()["data"]["login"]


@pytest.mark.parametrize(
    ("is_staff", "is_superuser"), [(True, True), (False, True), (True, False)], ids=["superuser", "bare", "staff"]
)
def test_staff_and_superusers_get_the_same_refusal_as_a_wrong_password(client, member, is_staff, is_superuser):
    """Member sign-in is for members: an admin account (even in the members group) gets no token from it, and the
    answer is the one a wrong password gets, so it says nothing about which accounts are staff."""
    admin = get_user_model().objects.create_user(
        "ops", email="ops@cit.example.org", password=PASSWORD, is_staff=is_staff, is_superuser=is_superuser
    )
    admin.groups.add(Group.objects.get(name=MEMBERS_GROUP))

    refused = login_over_http(client, "ops@cit.example.org", PASSWORD)

    assert refused == login_over_http(client, member.email, "wrong")
    assert refused["token"] is None and refused["errors"][0]["message"] == SIGN_IN_FAILED
    assert not APIToken.objects.filter(user=admin).exists()
    assert login_over_http(client, member.email, PASSWORD)["token"]  # members still sign in


def test_exactly_one_failure_locks_even_when_another_process_counts_past_the_limit(settings):
    """Two processes can count the 5th and 6th failure before either resets the count: both lock the account, but
    only the 5th says it locked it (seen with four production processes on one database under load)."""
    from cms.ratelimit import increment
    from community import ratelimit

    account = "victim@agency.example.gov"
    for _ in range(settings.SIGN_IN_MAX_FAILURES - 1):
        increment(ratelimit._failures_key(account), 600)
    increment(ratelimit._failures_key(account), 600)  # another process's failure reaches the limit first...

    assert ratelimit.failure_record(account) is False  # ...so this one, counted past it, did not lock first
    assert ratelimit.account_locked(account)
