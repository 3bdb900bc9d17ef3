"""The hardened /graphql/ endpoint over HTTP, against a small schema: every rejection is a GraphQL-shaped JSON
error with the right status, never a 500 and never internal text."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from integrations.graphql.services import api_token_create
from integrations.graphql.views import INTERNAL_ERROR

pytestmark = pytest.mark.django_db
URL = "/graphql/"


@pytest.fixture(autouse=True)
def tiny_schema(settings):
    settings.GRAPHENE = {"SCHEMA": "tests.integrations.graphql.tiny_schema.schema"}
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def partner_token():
    user = get_user_model().objects.create_user("partner-web", password="x" * 20)
    return api_token_create(user=user, name="site")


def post(client, payload, **headers):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(URL, body, content_type=headers.pop("content_type", "application/json"), headers=headers)


def message(response) -> str:
    payload = response.json()
    assert set(payload) <= {"data", "errors"}
    return " | ".join(error["message"] for error in payload["errors"])


def test_post_query_runs_and_is_not_cached(client):
    response = post(client, {"query": "{ events(perPage: 2) { total items { title topics { slug } } } }"})
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "events": {
                "total": 100,
                "items": [
                    {"title": "Event 0", "topics": [{"slug": "deflection"}]},
                    {"title": "Event 1", "topics": [{"slug": "deflection"}]},
                ],
            }
        }
    }
    assert response["Cache-Control"] == "no-store"


def test_get_is_publicly_cacheable_with_etag_and_304(client, settings):
    settings.GRAPHQL_GET_MAX_AGE = 120
    response = client.get(URL, {"query": "{ events(perPage: 1) { total } }"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=120"
    assert "Authorization" in response["Vary"]
    etag = response["ETag"]
    again = client.get(URL, {"query": "{ events(perPage: 1) { total } }"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag


def test_if_none_match_compares_weakly_within_a_list(client):
    query = {"query": "{ events(perPage: 1) { total } }"}
    etag = client.get(URL, query)["ETag"]
    # Caches may send the tag without its weak prefix, among others (RFC 9110 §13.1.2).
    listed = f'"other", {etag.removeprefix("W/")}'
    again = client.get(URL, query, headers={"If-None-Match": listed})
    assert again.status_code == 304 and again["Cache-Control"].startswith("public")
    assert client.get(URL, query, headers={"If-None-Match": '"other"'}).status_code == 200


def test_get_with_a_token_is_private(client, partner_token):
    _, plaintext = partner_token
    response = client.get(URL, {"query": "{ viewer }"}, headers={"Authorization": f"Bearer {plaintext}"})
    assert response.json() == {"data": {"viewer": "partner-web"}}
    assert response["Cache-Control"] == "private, no-cache"


def test_get_variables_are_json(client):
    response = client.get(
        URL, {"query": "query($n: Int) { events(perPage: $n) { total } }", "variables": json.dumps({"n": 1})}
    )
    assert response.status_code == 200
    bad = client.get(URL, {"query": "{ viewer }", "variables": "{nope"})
    assert bad.status_code == 400 and message(bad) == "The 'variables' parameter is not valid JSON."


def test_mutations_are_refused_over_get_and_subscriptions_everywhere(client):
    response = client.get(URL, {"query": "mutation { ping }"})
    assert response.status_code == 405 and "use POST" in message(response)
    response = post(client, {"query": "subscription { ping }"})
    assert response.status_code == 400


def test_other_methods_are_405(client):
    response = client.put(URL, "{}", content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "GET, POST, OPTIONS"
    assert "Use GET" in message(response)


def test_three_megabyte_body_is_413_before_reading_it(client):
    body = json.dumps({"query": "{ viewer }", "padding": "x" * 3 * 1024 * 1024})
    response = post(client, body)
    assert response.status_code == 413 and message(response) == "Request body too large: the limit is 65536 bytes."


def test_a_batch_of_a_thousand_operations_is_400(client):
    response = post(client, [{"query": "{ viewer }"}] * 1000)
    assert response.status_code == 400
    assert message(response) == "Batched requests are not supported: send one operation per request."


@pytest.mark.parametrize(
    ("body", "content_type", "status", "text"),
    [
        ("{ viewer }", "application/graphql", 415, "Content-Type: application/json"),
        ("{not json", "application/json", 400, "not valid JSON"),
        ('"just a string"', "application/json", 400, "must be a JSON object"),
        ("{}", "application/json", 400, "Missing 'query'"),
        ('{"query": 42}', "application/json", 400, "Missing 'query'"),
        ('{"query": "{ viewer }", "variables": [1]}', "application/json", 400, "'variables' must be a JSON object"),
        ('{"query": "{ viewer }", "operationName": 7}', "application/json", 400, "'operationName' must be a string"),
        ('{"query": "{ viewer }", "operationName": "Nope"}', "application/json", 400, "Unknown operation 'Nope'"),
        ('{"query": "query A { viewer } query B { viewer }"}', "application/json", 400, "Name the operation"),
        ('{"query": "{ viewer "}', "application/json", 400, "Syntax Error"),
    ],
)
def test_malformed_requests_get_clear_errors(client, body, content_type, status, text):
    response = post(client, body, content_type=content_type)
    assert response.status_code == status and text in message(response)


def test_variables_of_the_wrong_type_are_400(client):
    response = post(client, {"query": "query($n: Int) { events(perPage: $n) { total } }", "variables": {"n": "x"}})
    assert response.status_code == 400 and "Variable '$n'" in message(response)


def test_too_many_tokens_is_400(client, settings):
    settings.GRAPHQL_MAX_TOKENS = 50
    response = post(client, {"query": "{ " + "viewer " * 100 + "}"})
    assert response.status_code == 400 and "more than 50 tokens" in message(response)


def test_misspelled_field_gets_no_suggestion_in_production(client, settings):
    response = post(client, {"query": "{ viewr }"})
    assert response.status_code == 400
    assert message(response) == "Cannot query field 'viewr' on type 'Query'."
    settings.GRAPHQL_INTROSPECTION = True  # development: suggestions help
    assert "Did you mean 'viewer'?" in message(post(client, {"query": "{ viewr }"}))


def test_introspection_is_off_in_production_but_typename_works(client, settings):
    response = post(client, {"query": "{ __schema { types { name } } }"})
    assert response.status_code == 400 and "introspection" in message(response).lower()
    response = post(client, {"query": '{ __type(name: "Event") { fields { name } } }'})
    assert response.status_code == 400
    assert post(client, {"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}
    settings.GRAPHQL_INTROSPECTION = True
    assert post(client, {"query": "{ __schema { queryType { name } } }"}).status_code == 200


def test_limits_reject_with_400(client):
    bomb = "{ node { " + "child { " * 12 + "name" + " }" * 14
    response = post(client, {"query": bomb})
    assert response.status_code == 400 and "nested 14 levels deep" in message(response)
    aliases = "{ " + " ".join(f"a{i}: viewer" for i in range(300)) + " }"
    assert "300 aliases" in message(post(client, {"query": aliases}))
    response = post(client, {"query": "{ events(perPage: 1000000) { items { title } } }"})
    assert response.status_code == 400 and "too expensive" in message(response)


def test_resolver_exceptions_are_masked(client):
    response = post(client, {"query": "{ events(perPage: 1) { items { title broken } } }"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "SELECT" not in text and "auth_user" not in text and "password" not in text
    assert response.json()["errors"] == [{"message": INTERNAL_ERROR, "path": ["events", "items", 0, "broken"]}]
    assert response.json()["data"]["events"]["items"] == [{"title": "Event 0", "broken": None}]


def test_time_limit_stops_the_query_with_503(client, settings):
    settings.GRAPHQL_TIME_LIMIT_SECONDS = 0.05
    response = post(client, {"query": "{ slow(seconds: 0.1) { name child { name } } }"})
    assert response.status_code == 503
    assert response.json() == {
        "errors": [{"message": "The query took too long and was stopped. Ask for fewer items or fields."}]
    }


def test_rate_limit_per_ip_and_per_token(client, settings, partner_token):
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 2
    settings.GRAPHQL_RATE_LIMIT_TOKEN = 3
    for _ in range(2):
        assert post(client, {"query": "{ viewer }"}).status_code == 200
    response = post(client, {"query": "{ viewer }"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60 and "Rate limit exceeded" in message(response)
    # A token holder has their own allowance, not the IP's.
    _, plaintext = partner_token
    auth = {"Authorization": f"Bearer {plaintext}"}
    assert [post(client, {"query": "{ viewer }"}, **auth).status_code for _ in range(4)] == [200, 200, 200, 429]
    # Guessing tokens counts against the IP too.
    response = post(client, {"query": "{ viewer }"}, Authorization="Bearer wagtail_guess")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("header", "text"),
    [
        ("Token abc", "Malformed Authorization header"),
        ("Bearer wagtail_nope", "Malformed token"),
    ],
)
def test_bad_authorization_is_401_not_anonymous(client, header, text):
    response = post(client, {"query": "{ viewer }"}, Authorization=header)
    assert response.status_code == 401 and text in message(response)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "data" not in response.json()


def test_revoked_token_is_401(client, partner_token):
    token, plaintext = partner_token
    token.revoke()
    response = post(client, {"query": "{ viewer }"}, Authorization=f"Bearer {plaintext}")
    assert response.status_code == 401 and message(response) == "This token has been revoked."


def test_session_cookies_are_ignored(client):
    client.force_login(get_user_model().objects.create_superuser("boss", "b@example.org", "x" * 20))
    assert post(client, {"query": "{ viewer }"}).json() == {"data": {"viewer": None}}


def test_cors_for_configured_origins_only(client, settings):
    settings.GRAPHQL_CORS_ALLOWED_ORIGINS = ["https://partner.example.org"]
    preflight = client.options(
        URL,
        headers={
            "Origin": "https://partner.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://partner.example.org"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    response = post(client, {"query": "{ viewer }"}, Origin="https://partner.example.org")
    assert response["Access-Control-Allow-Origin"] == "https://partner.example.org"
    assert "Origin" in response["Vary"]
    stranger = post(client, {"query": "{ viewer }"}, Origin="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in stranger


def test_the_standard_introspection_query_answers_when_introspection_is_on(client, settings):
    from graphql import get_introspection_query

    query = {"query": get_introspection_query(descriptions=True)}
    assert post(client, query).status_code == 400  # production: off
    settings.GRAPHQL_INTROSPECTION = True  # make run
    response = post(client, query)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
