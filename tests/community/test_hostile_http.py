"""Hostile callers through the real /graphql/ view (Django's test client): brute-forcing sign-in, oversize
mutations, mutations over GET, and forged or malformed tokens on members-only fields."""

import json

import pytest

from community.models import TaRequest
from community.services import SIGN_IN_FAILED

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-phrase-42"
LOGIN = "mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token errors { message code } } }"


def post(client, query, token=None, **variables):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql/", body, content_type="application/json", headers=headers)


def test_brute_force_sign_in_is_locked_then_rate_limited(client, member, settings):
    settings.SIGN_IN_MAX_FAILURES = 5
    settings.SIGN_IN_RATE_LIMIT_PER_IP = 12
    codes = []
    for attempt in range(12):
        payload = post(client, LOGIN, e=member.email, p=f"guess-{attempt}").json()
        codes.append(payload["data"]["login"]["errors"][0]["code"])
    assert codes == ["invalid_credentials"] * 12
    locked = post(client, LOGIN, e=member.email, p=PASSWORD).json()["data"]["login"]
    assert locked["token"] is None
    assert locked["errors"][0]["code"] == "rate_limited"
    settings.SIGN_IN_RATE_LIMIT_PER_IP = 100  # a fresh network: the account itself is still locked
    still_locked = post(client, LOGIN, e=member.email, p=PASSWORD).json()["data"]["login"]
    assert still_locked == {"token": None, "errors": [{"message": SIGN_IN_FAILED, "code": "invalid_credentials"}]}


def test_oversize_ta_request_is_refused_before_it_is_read(client, member, token_for, focus_area):
    query = "mutation ($i: CreateTaRequestInput!) { createTaRequest(input: $i) { errors { field } } }"
    response = post(client, query, token=token_for(member), i={"focusArea": "x", "description": "x" * 100_000})
    assert response.status_code == 413
    assert "too large" in response.json()["errors"][0]["message"]
    assert not TaRequest.objects.exists()


def test_mutations_are_never_run_from_a_get(client, member, token_for, focus_area):
    query = (
        'mutation { createTaRequest(input: {focusArea: "data-collection-and-analysis", description: "x"}) '
        "{ errors { field } } }"
    )
    response = client.get("/graphql/", {"query": query}, headers={"Authorization": f"Bearer {token_for(member)}"})
    assert response.status_code == 405
    assert not TaRequest.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer wagtail_forged", "Bearer ' OR 1=1 --", "Basic dXNlcjpwYXNz", "Bearer " + "A" * 500],
)
def test_forged_tokens_get_401_and_no_directory(client, agency, header):
    body = json.dumps({"query": "{ agencies { items { name contacts { email } } } }"})
    response = client.post("/graphql/", body, content_type="application/json", headers={"Authorization": header})
    assert response.status_code == 401
    assert "data" not in response.json() and agency.name not in response.content.decode()
