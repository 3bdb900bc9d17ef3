"""API tokens: the command, the admin screens, and what authentication accepts and refuses."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from integrations.graphql.auth import TokenRejected, authenticate
from integrations.graphql.models import ApiTokenExpiry
from integrations.graphql.services import api_token_create, api_token_mark_used, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return get_user_model().objects.create_user("partner-web", password="x" * 20)


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_stores_only_its_digest(partner):
    out, err = run("create", "--user", "partner-web", "--name", "CIT International", "--expires-days", "30")
    plaintext = out.strip()
    token = APIToken.objects.get()
    assert "not shown again" in err
    assert plaintext.startswith("wagtail_") and APIToken.validate_token_format(plaintext)
    assert plaintext not in {token.key_hash, token.prefix} and token.key_hash == APIToken.hash_token(plaintext)
    assert token.name == "CIT International" and token.user == partner
    assert timedelta(days=29, hours=23) < token.expiry.expires_at - timezone.now() <= timedelta(days=30)
    assert authenticate(f"Bearer {plaintext}") == (partner, token)
    listing, _ = run("list")
    assert "CIT International" in listing and "active" in listing and plaintext not in listing


def test_create_without_expiry_never_expires(partner):
    out, _ = run("create", "--user", "partner-web")
    assert not ApiTokenExpiry.objects.exists()
    assert authenticate(f"Bearer {out.strip()}")[0] == partner


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--user", "nobody"], "No user named 'nobody'"),
        (["create", "--user", "partner-web", "--expires-days", "0"], "between 1 and 3650"),
        (["create", "--user", "partner-web", "--expires-days", "99999"], "between 1 and 3650"),
        (["revoke", "abc"], "not a token ID"),
        (["revoke", "999999"], "No token with ID 999999"),
    ],
)
def test_command_refuses_bad_input_clearly(partner, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not APIToken.objects.exists()


def test_command_refuses_inactive_users(partner):
    partner.is_active = False
    partner.save()
    with pytest.raises(CommandError, match="inactive"):
        run("create", "--user", "partner-web")


def test_revoke_by_id_is_idempotent_and_refused_afterwards(partner):
    token, plaintext = api_token_create(user=partner, name="site")
    out, _ = run("revoke", str(token.pk))
    assert "is now revoked" in out
    out, _ = run("revoke", str(token.pk))
    assert "was already revoked" in out
    with pytest.raises(TokenRejected, match="revoked"):
        authenticate(f"Bearer {plaintext}")
    assert "revoked" in run("list", "--user", "partner-web")[0]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Basic dXNlcjpwYXNz", "Malformed Authorization header"),
        ("Bearer", "Malformed Authorization header"),
        ("Bearer    ", "Malformed Authorization header"),
        ("Bearer " + "a" * 500, "Malformed Authorization header"),
        ("Bearer not-a-token", "Malformed token"),
        ("Bearer wagtail_" + "A" * 34, "Malformed token"),  # right shape, wrong checksum
        ("Bearer ' OR 1=1 --", "Malformed token"),
    ],
)
def test_malformed_headers_are_rejected_without_a_lookup(header, message, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(TokenRejected, match=message):
        authenticate(header)


def test_unknown_expired_and_inactive_tokens_are_rejected(partner):
    with pytest.raises(TokenRejected, match="Unknown token"):
        authenticate(f"Bearer {APIToken.generate_token()}")
    _, expired = api_token_create(user=partner, name="old", expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(TokenRejected, match="expired"):
        authenticate(f"Bearer {expired}")
    _, valid = api_token_create(user=partner, name="new")
    partner.is_active = False
    partner.save()
    with pytest.raises(TokenRejected, match="inactive"):
        authenticate(f"Bearer {valid}")


def test_no_header_is_anonymous():
    user, token = authenticate(None)
    assert not user.is_authenticated and token is None


def test_authentication_costs_one_query_and_last_used_is_written_at_most_once_a_minute(
    partner, django_assert_num_queries
):
    token, plaintext = api_token_create(user=partner, name="site")
    with django_assert_num_queries(2):  # lookup (with user and expiry) + last_used_at
        authenticate(f"Bearer {plaintext}")
    with django_assert_num_queries(1):  # just used: no write
        authenticate(f"Bearer {plaintext}")
    token.refresh_from_db()
    first_use = token.last_used_at
    api_token_mark_used(token=token, now=first_use + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == first_use + timedelta(seconds=61)


def test_revoking_twice_keeps_the_first_time(partner):
    token, _ = api_token_create(user=partner, name="site")
    assert api_token_revoke(token=token) is True
    first = token.revoked_at
    assert api_token_revoke(token=token) is False
    token.refresh_from_db()
    assert token.revoked_at == first


def test_admin_creates_a_token_with_expiry_shows_it_once_and_revokes_it(client, partner):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "x" * 20)
    client.force_login(admin)
    index = reverse("wagtailusers_api_tokens:index")
    response = client.post(
        reverse("wagtailusers_api_tokens:add"), {"name": "CIT Intl", "user": partner.pk, "expires_in_days": "7"}
    )
    assert response.status_code == 200
    token = APIToken.objects.get()
    plaintext = re.search(r"wagtail_[0-9A-Za-z]+", response.content.decode())[0]
    assert authenticate(f"Bearer {plaintext}") == (partner, token)
    assert token.expiry.expires_at > timezone.now() + timedelta(days=6)
    listing = client.get(index).content.decode()
    assert "CIT Intl" in listing and plaintext not in listing
    response = client.post(reverse("wagtailusers_api_tokens:delete", args=[token.pk]))
    assert response.status_code == 302
    with pytest.raises(TokenRejected, match="revoked"):
        authenticate(f"Bearer {plaintext}")


def test_admin_refuses_out_of_range_expiry(client, partner):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "x" * 20)
    client.force_login(admin)
    response = client.post(
        reverse("wagtailusers_api_tokens:add"), {"name": "x", "user": partner.pk, "expires_in_days": "-3"}
    )
    assert response.status_code == 200 and not APIToken.objects.exists()
    assert "greater than or equal to 1" in response.content.decode()
