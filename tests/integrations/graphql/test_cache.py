"""The response cache of /graphql/ (integrations/graphql/cache.py) over HTTP on the real schema: stored answers,
304s that execute nothing, invalidation by publishing, privacy between caller classes, APQ, compression."""

import gzip
import hashlib
import json
from unittest import mock

import brotli
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.factories import TrainingEventPageFactory
from integrations.graphql import cache as graphql_cache
from integrations.graphql import views
from integrations.graphql.schema import schema
from integrations.graphql.services import api_token_create
from pages.access import MEMBERS_GROUP
from tests.integrations.graphql.helpers import members_only, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]
URL = "/graphql/"
EVENTS = "{ events { items { title } } }"


@pytest.fixture
def executions(monkeypatch):
    """How many times the view executed a query (the real execute, counted)."""
    calls = []
    real = views.execute

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "execute", counted)
    return calls


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def events(event_index):
    public = publish(TrainingEventPageFactory(parent=event_index, title="Public session", slug="public-session"))
    private = publish(TrainingEventPageFactory(parent=event_index, title="Members session", slug="members-session"))
    members_only(private)
    TrainingEventPageFactory(parent=event_index, title="Draft session", live=False)
    return public, private


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='site')[1]}"}


def post(client, query, *, variables=None, extensions=None, **headers):
    payload = {"query": query, "variables": variables, "extensions": extensions}
    payload = {key: value for key, value in payload.items() if value is not None}
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["title"] for item in response.json()["data"]["events"]["items"]}


def test_a_repeated_query_is_executed_once_per_version(client, events, executions):
    first, second = post(client, EVENTS), post(client, EVENTS)
    assert first.content == second.content and len(executions) == 1
    # Spacing, comments and a GET do not make it another query.
    assert client.get(URL, {"query": "# the list\n{events{items{title}}}"}).content == first.content
    assert len(executions) == 1


def test_a_publish_is_seen_by_the_next_request(client, events, executions, event_index):
    assert titles(post(client, EVENTS)) == {"Public session"}
    publish(TrainingEventPageFactory(parent=event_index, title="Just published"))
    assert titles(post(client, EVENTS)) == {"Public session", "Just published"}
    public, _ = events
    public.unpublish()
    assert titles(post(client, EVENTS)) == {"Just published"}
    assert len(executions) == 3


def test_a_matching_if_none_match_executes_nothing(client, events, executions, django_assert_max_num_queries):
    first = client.get(URL, {"query": EVENTS})
    etag = first["ETag"]
    assert etag.startswith('W/"') and first["Cache-Control"].startswith("public, max-age=")
    # The content version is the only query: nothing is executed.
    with mock.patch.object(views, "execute", side_effect=AssertionError("executed")), django_assert_max_num_queries(1):
        again = client.get(URL, {"query": EVENTS}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    assert "Accept-Encoding" in again["Vary"] and "Authorization" in again["Vary"]


def test_the_etag_changes_with_a_publish(client, events, event_index):
    etag = client.get(URL, {"query": EVENTS})["ETag"]
    publish(TrainingEventPageFactory(parent=event_index, title="Just published"))
    response = client.get(URL, {"query": EVENTS}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert "Just published" in titles(response)


def test_a_members_stored_answer_never_reaches_anyone_else(client, events, executions):
    member = bearer(user_in(MEMBERS_GROUP, "member"))
    other_member = bearer(user_in(MEMBERS_GROUP, "member-2"))
    partner = bearer(user_in("Partners", "partner"))
    assert titles(post(client, EVENTS, **member)) == {"Public session", "Members session"}
    assert titles(post(client, EVENTS)) == {"Public session"}
    assert titles(post(client, EVENTS, **partner)) == {"Public session"}
    # A member with the same groups shares the member's stored answer: it holds nothing of theirs.
    assert titles(post(client, EVENTS, **other_member)) == {"Public session", "Members session"}
    assert len(executions) == 3
    # The same the other way round: a stored anonymous answer is not a member's.
    assert titles(client.get(URL, {"query": EVENTS})) == {"Public session"}
    assert titles(client.get(URL, {"query": EVENTS}, **member)) == {"Public session", "Members session"}


def test_per_member_fields_are_never_shared_between_members(client, events, executions):
    query = '{ event(slug: "members-session") { icalUrl } }'
    first, second = bearer(user_in(MEMBERS_GROUP, "member")), bearer(user_in(MEMBERS_GROUP, "member-2"))
    urls = [post(client, query, **caller).json()["data"]["event"]["icalUrl"] for caller in (first, second, first)]
    assert urls[0] != urls[1] and urls[0] == urls[2]
    assert len(executions) == 3  # executed for each member, every time
    partner = bearer(user_in("Partners", "partner"))
    post(client, '{ event(slug: "public-session") { icalUrl } }', **partner)
    post(client, '{ event(slug: "public-session") { icalUrl } }', **partner)
    assert len(executions) == 4  # a partner gets the public feed's link: stored
    post(client, '{ event(slug: "public-session") { icalUrl } }')
    post(client, '{ event(slug: "public-session") { icalUrl } }')
    assert len(executions) == 5  # anonymous callers have no calendar of their own: stored


def test_viewer_preview_and_forum_are_never_stored(client, events, executions):
    member = bearer(user_in(MEMBERS_GROUP, "member"))
    for query in (
        "{ viewer { name } }",
        "{ forumCategories { name } }",
        "{ events { pagination { total } } viewer { name } }",
    ):
        for _ in range(2):
            response = post(client, query, **member)
            assert response.status_code == 200, response.content
    assert len(executions) == 6


def test_errors_are_not_stored(client, events, executions):
    query = '{ event(slug: "public-session") { title } page(id: "1") { title } }'  # page() with no error...
    bad = "{ topic(slug: 1) { name } }"  # ...and a validation error, refused before the cache
    for _ in range(2):
        assert post(client, bad).status_code == 400
    assert len(executions) == 0
    for _ in range(2):
        post(client, "{ page { title } }")  # a resolver error ("Give either id or urlPath.")
    assert len(executions) == 2
    post(client, query)
    post(client, query)
    assert len(executions) == 3


def test_oversized_answers_are_executed_every_time(client, events, executions, settings):
    settings.RESPONSE_CACHE_MAX_ENTRY_BYTES = 10
    post(client, EVENTS)
    post(client, EVENTS)
    assert len(executions) == 2


TOTALS = "query Totals($page: Int) { events(perPage: 1, page: $page) { items { title } pagination { total } } }"


def total(response) -> int:
    assert response.status_code == 200, response.content
    return response.json()["data"]["events"]["pagination"]["total"]


def counts(queries) -> int:
    return sum("SELECT COUNT(*)" in query["sql"] for query in queries.captured_queries)


def test_a_lists_total_is_counted_once_per_version_and_caller_class(client, events, event_index):
    """Every page of a list shares its stored total (cache.stored_count): page 2 is a new answer, not a new count;
    a publish recounts; a member's total (members-only events counted) never reaches anyone else."""
    member = bearer(user_in(MEMBERS_GROUP, "member"))
    partner = bearer(user_in("Partners", "partner"))
    with CaptureQueriesContext(connection) as first:
        assert total(post(client, TOTALS, variables={"page": 1})) == 1
    with CaptureQueriesContext(connection) as second:
        assert total(post(client, TOTALS, variables={"page": 2})) == 1
    assert (counts(first), counts(second)) == (1, 0)
    assert total(post(client, TOTALS, variables={"page": 1}, **member)) == 2
    assert total(post(client, TOTALS, variables={"page": 2}, **partner)) == 1
    assert total(post(client, TOTALS, variables={"page": 3}, **member)) == 2
    publish(TrainingEventPageFactory(parent=event_index, title="Just published"))
    assert total(post(client, TOTALS, variables={"page": 2})) == 2
    assert total(post(client, TOTALS, variables={"page": 2}, **member)) == 3


def test_totals_are_counted_every_time_with_the_response_cache_off(client, events, settings):
    settings.RESPONSE_CACHE = False
    for page in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            assert total(post(client, TOTALS, variables={"page": page})) == 1
        assert counts(queries) == 1


def test_topics_and_people_are_read_once_per_version_and_follow_every_edit(client, event_index):
    """A miss reads the topics and people tables once per content version (loaders.per_version), then only the
    link tables; an edit to a topic or a person, or to an event's links, is in the very next answer."""
    from pages.factories import PersonFactory, TopicFactory

    event = TrainingEventPageFactory(parent=event_index, title="Crisis intervention basics")
    event.topics.set([TopicFactory(name="Deflection"), TopicFactory(name="988 Crisis Hotline")])
    facilitator = PersonFactory(name="Dr. Rivera")
    event.facilitators.set([facilitator])
    publish(event)
    query = "query Lists($n: Int) { events(perPage: $n) { items { topics { name } facilitators { name } } } }"

    def lists(n):
        with CaptureQueriesContext(connection) as queries:
            (item,) = post(client, query, variables={"n": n}).json()["data"]["events"]["items"]
        tables_read = {
            table
            for table in ('"pages_topic"', '"pages_person"')
            if any(f"FROM {table}" in q["sql"] for q in queries.captured_queries)
        }
        return [t["name"] for t in item["topics"]], [p["name"] for p in item["facilitators"]], tables_read

    assert lists(1) == (["988 Crisis Hotline", "Deflection"], ["Dr. Rivera"], {'"pages_topic"', '"pages_person"'})
    assert lists(2) == (["988 Crisis Hotline", "Deflection"], ["Dr. Rivera"], set())  # another answer, same version
    facilitator.name = "Dr. Ana Rivera"
    facilitator.save()
    assert lists(3)[1] == ["Dr. Ana Rivera"]
    event.topics.set([TopicFactory(name="Jail diversion")])
    publish(event)
    assert lists(4)[0] == ["Jail diversion"]


def test_cache_control_for_each_class(client, events):
    anonymous = client.get(URL, {"query": EVENTS})
    assert anonymous["Cache-Control"] == "public, max-age=60"
    token = client.get(URL, {"query": EVENTS}, **bearer(user_in("Partners", "partner")))
    assert token["Cache-Control"] == "private, no-cache" and token["ETag"] != anonymous["ETag"]
    assert post(client, EVENTS)["Cache-Control"] == "no-store"
    for response in (anonymous, token):
        assert {"Authorization", "Origin", "Accept-Encoding"} <= {v.strip() for v in response["Vary"].split(",")}


def test_stored_answers_go_out_compressed_without_recompressing(client, event_index, executions):
    for index in range(30):
        publish(TrainingEventPageFactory(parent=event_index, title=f"Session {index}"))
    query = "{ events(perPage: 30) { items { title slug startsAt } } }"
    plain = post(client, query).content
    with mock.patch("cms.compression.brotli.compress", side_effect=AssertionError("recompressed")):
        br = post(client, query, HTTP_ACCEPT_ENCODING="gzip, br")
        gz = post(client, query, HTTP_ACCEPT_ENCODING="gzip")
        identity = post(client, query, HTTP_ACCEPT_ENCODING="br;q=0, identity")
    assert br["Content-Encoding"] == "br" and brotli.decompress(br.content) == plain
    assert gz["Content-Encoding"] == "gzip" and gzip.decompress(gz.content) == plain
    assert not identity.has_header("Content-Encoding") and identity.content == plain
    assert len(br.content) < len(plain) / 3
    assert len(executions) == 1


def test_every_root_field_is_declared():
    """A new root field must say whether its answers may be stored (integrations/graphql/cache.py)."""
    roots = set(schema.graphql_schema.query_type.fields)
    assert roots == set(graphql_cache.root_policies()), roots ^ set(graphql_cache.root_policies())


# --- automatic persisted queries --------------------------------------------------------------------------------


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}}


def test_apq_hash_alone_then_registration_then_short_get(client, events, executions):
    missing = post(client, None, extensions=persisted(EVENTS))
    assert missing.status_code == 200 and missing["Cache-Control"] == "no-store"
    assert missing.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    assert titles(post(client, EVENTS, extensions=persisted(EVENTS))) == {"Public session"}
    short = client.get(URL, {"extensions": json.dumps(persisted(EVENTS))})
    assert titles(short) == {"Public session"} and short["Cache-Control"].startswith("public")
    assert len(executions) == 1  # the GET by hash is the stored answer of the same query


def test_apq_registration_by_get(client, events):
    query = "{ events { pagination { total } } }"
    assert client.get(URL, {"extensions": json.dumps(persisted(query))}).json()["errors"][0]["message"] == (
        "PersistedQueryNotFound"
    )
    registered = client.get(URL, {"query": query, "extensions": json.dumps(persisted(query))})
    assert registered.status_code == 200, registered.content
    assert client.get(URL, {"extensions": json.dumps(persisted(query))}).json() == {
        "data": {"events": {"pagination": {"total": 1}}}
    }


def test_apq_refuses_a_hash_that_is_not_the_querys(client, events):
    other = persisted("{ events { pagination { total } } }")
    response = post(client, EVENTS, extensions=other)
    assert (
        response.status_code == 400 and response.json()["errors"][0]["message"] == "provided sha does not match query"
    )
    # Nothing was registered under that hash.
    assert post(client, None, extensions=other).json()["errors"][0]["message"] == "PersistedQueryNotFound"


def test_an_invalid_query_is_not_registered(client):
    query = "{ nosuchfield }"
    assert post(client, query, extensions=persisted(query)).status_code == 400
    assert post(client, None, extensions=persisted(query)).json()["errors"][0]["message"] == "PersistedQueryNotFound"


@pytest.mark.parametrize(
    "extensions",
    [
        [],
        "persisted",
        {"persistedQuery": "abc"},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": 12}},
    ],
)
def test_malformed_extensions_are_a_clear_400(client, extensions):
    for response in (
        post(client, None, extensions=extensions),
        client.get(URL, {"extensions": json.dumps(extensions)}),
    ):
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["message"]


def test_extensions_that_are_not_json_are_a_clear_400(client):
    response = client.get(URL, {"query": EVENTS, "extensions": "{not json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "The 'extensions' parameter is not valid JSON."
