"""The GraphQL hit path (integrations/graphql/middleware.py, views.stored_answer): stored answers leave before the
session and authentication middleware, a token's caller comes from a cache keyed on the access counter
(cms/content_version.py), and none of that weakens privacy or freshness.

Every change below is made through the ORM or a service only, never through the response cache: what another
process would do. So each test that sees a change on the next request shows that it reaches every process (the
counter is read from the database with the content version, one query per request)."""

import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import APIToken

from cms import content_version
from cms.models import ContentVersion
from events.factories import TrainingEventPageFactory
from integrations.graphql import views
from integrations.graphql.models import ApiTokenExpiry
from integrations.graphql.services import api_token_create, api_token_revoke
from pages.access import MEMBERS_GROUP
from tests.integrations.graphql.helpers import members_only, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]
URL = "/graphql/"
EVENTS = "{ events { items { title } } }"


@pytest.fixture
def runs(monkeypatch):
    """How many requests reached the view's full path (`run`): a hit answered early never does."""
    calls = []
    real = views.run

    def counted(request):
        calls.append(1)
        return real(request)

    monkeypatch.setattr(views, "run", counted)
    return calls


@pytest.fixture
def events(event_index):
    public = TrainingEventPageFactory(parent=event_index, title="Public session", slug="public-session")
    public.save_revision().publish()
    private = TrainingEventPageFactory(parent=event_index, title="Members session", slug="members-session")
    private.save_revision().publish()
    members_only(private)
    return public, private


def post(client, query=EVENTS, **headers):
    return client.post(URL, json.dumps({"query": query}), content_type="application/json", **headers)


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["title"] for item in response.json()["data"]["events"]["items"]}


def token_for(user) -> tuple[APIToken, dict]:
    token, plain = api_token_create(user=user, name="site")
    return token, {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_an_anonymous_hit_costs_one_query_and_skips_the_view(client, events, runs, django_assert_num_queries):
    first = post(client)
    assert len(runs) == 1
    with django_assert_num_queries(1):  # the content version
        second = post(client)
    assert second.content == first.content and len(runs) == 1
    assert second["Vary"] == "Authorization, Origin, Accept-Encoding"
    assert second["Cache-Control"] == "no-store"
    etag = client.get(URL, {"query": EVENTS})["ETag"]
    with django_assert_num_queries(1):
        not_modified = client.get(URL, {"query": EVENTS}, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified["ETag"] == etag


def test_a_partner_hit_costs_one_query_once_the_token_is_cached(client, events, runs, django_assert_num_queries):
    _, partner = token_for(user_in("Partners", "p"))
    first = post(client, **partner)
    with django_assert_num_queries(1):  # the content version and the access counter, one row
        second = post(client, **partner)
    assert second.content == first.content and titles(second) == {"Public session"}
    assert len(runs) == 1
    etag = client.get(URL, {"query": EVENTS}, **partner)["ETag"]
    with django_assert_num_queries(1):
        not_modified = client.get(URL, {"query": EVENTS}, HTTP_IF_NONE_MATCH=etag, **partner)
    assert not_modified.status_code == 304 and not_modified["Cache-Control"] == "private, no-cache"


def test_a_member_session_cookie_gets_the_anonymous_answer_never_the_members(client, events, runs):
    member = user_in(MEMBERS_GROUP, "m")
    _, bearer = token_for(member)
    assert titles(post(client, **bearer)) == {"Public session", "Members session"}  # the members' entry, stored
    client.force_login(member)  # a session cookie, no Authorization header: /graphql/ reads no session
    assert titles(post(client)) == {"Public session"}
    assert titles(post(client)) == {"Public session"}  # the stored anonymous entry, from the hit path
    assert titles(client.get(URL, {"query": EVENTS})) == {"Public session"}


def test_a_revoked_token_is_refused_on_the_next_request_despite_its_cached_answer(client, events, runs):
    token, partner = token_for(user_in("Partners", "p"))
    post(client, **partner)
    assert post(client, **partner).status_code == 200  # answered from the hit path, token from its cache
    api_token_revoke(token=token)
    refused = post(client, **partner)
    assert refused.status_code == 401 and "revoked" in refused.json()["errors"][0]["message"]
    etag = client.get(URL, {"query": EVENTS}, **partner)
    assert etag.status_code == 401  # and no 304 for a stale validator either


def test_a_deleted_token_or_a_deactivated_user_is_refused_on_the_next_request(client, events):
    partner_user = user_in("Partners", "p")
    token, partner = token_for(partner_user)
    _, other = token_for(user_in("Partners", "q"))
    post(client, **partner), post(client, **partner), post(client, **other), post(client, **other)
    partner_user.is_active = False
    partner_user.save()
    assert post(client, **partner).status_code == 401
    assert post(client, **other).status_code == 200  # another token of the same class is unaffected
    token.delete()
    assert post(client, **partner).status_code == 401


def test_an_expiry_that_passes_refuses_the_token_with_no_write(client, events):
    token, partner = token_for(user_in("Partners", "p"))
    ApiTokenExpiry.objects.create(token=token, expires_at=timezone.now() + timedelta(seconds=1))
    post(client, **partner)
    assert post(client, **partner).status_code == 200
    access = ContentVersion.objects.get(pk=1).access
    time.sleep(1.1)
    refused = post(client, **partner)
    assert refused.status_code == 401 and "expired" in refused.json()["errors"][0]["message"]
    assert ContentVersion.objects.get(pk=1).access == access  # nothing was written: the cached expiry decided


def test_a_group_change_moves_the_token_to_its_new_class_at_once(client, events):
    partner_user = user_in("Partners", "p")
    _, bearer = token_for(partner_user)
    assert titles(post(client, **bearer)) == {"Public session"}
    assert titles(post(client, **bearer)) == {"Public session"}
    partner_user.groups.add(Group.objects.get_or_create(name=MEMBERS_GROUP)[0])
    assert titles(post(client, **bearer)) == {"Public session", "Members session"}
    partner_user.groups.clear()
    assert titles(post(client, **bearer)) == {"Public session"}


def test_last_used_is_recorded_from_the_hit_path_at_most_once_per_interval(client, events, settings):
    token, partner = token_for(user_in("Partners", "p"))
    post(client, **partner)
    first = APIToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with mock.patch("integrations.graphql.auth.api_token_mark_used_at") as marked:
        for _ in range(3):
            assert post(client, **partner).status_code == 200
    assert not marked.called  # within the interval: no write
    settings.WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 0
    assert post(client, **partner).status_code == 200
    assert APIToken.objects.get(pk=token.pk).last_used_at > first  # due: written from the hit path


def test_hostile_or_wrong_headers_still_get_the_views_answer(client, events):
    post(client)
    for header, status in (
        ("Bearer", 401),
        ("Basic dXNlcjpwYXNz", 401),
        ("Bearer wagtail_" + "x" * 300, 401),
        ("Bearer " + "\u00e9" * 20, 401),
    ):
        response = post(client, HTTP_AUTHORIZATION=header)
        assert response.status_code == status, (header, response.content)
        assert "errors" in response.json()
    # Malformed bodies and methods are the view's to refuse, hit or not.
    assert client.post(URL, "{", content_type="application/json").status_code == 400
    assert client.put(URL, json.dumps({"query": EVENTS}), content_type="application/json").status_code == 405


def test_the_rate_limit_applies_to_hits(client, events, settings):
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = 2
    assert post(client).status_code == 200
    assert post(client).status_code == 200
    limited = post(client)
    assert limited.status_code == 429 and limited["Retry-After"]


def test_a_miss_reads_the_version_and_the_token_once(
    client, events, django_assert_num_queries, django_assert_max_num_queries
):
    _, partner = token_for(user_in("Partners", "p"))
    post(client, "{ events { items { title slug } } }", **partner)  # the token is cached now
    with django_assert_num_queries(1) as first:
        post(client, "{ events { items { title slug } } }", **partner)
    assert "cms_content_version" in first.captured_queries[0]["sql"]
    # A different query: a miss. The version is read once (by the hit path, kept for the view).
    with django_assert_max_num_queries(50) as miss:
        post(client, "{ events { items { slug } } }", **partner)
    version_reads = [q for q in miss.captured_queries if "cms_content_version" in q["sql"]]
    assert len(version_reads) == 1


def test_the_access_counter_has_its_own_tracked_paths():
    names = {path.name for path in content_version.tracked_access()}
    assert names == {
        "wagtailcore.APIToken.save",
        "wagtailcore.APIToken.delete",
        "auth.User.save",
        "auth.User.delete",
        "auth.User.groups",
        "auth.Group.save",
        "auth.Group.delete",
        "graphql_api.ApiTokenExpiry.save",
        "graphql_api.ApiTokenExpiry.delete",
    }


def test_each_access_path_bumps_the_counter(django_user_model):
    def access():
        return content_version.read().access

    before = access()
    user = django_user_model.objects.create_user("a", password="x")
    token, _ = api_token_create(user=user, name="t")
    expiry = ApiTokenExpiry.objects.create(token=token, expires_at=timezone.now() + timedelta(days=1))
    group = Group.objects.create(name="g")
    user.groups.add(group)
    steps = [access()]
    expiry.delete()
    steps.append(access())
    group.delete()
    steps.append(access())
    token.delete()
    steps.append(access())
    user.delete()
    steps.append(access())
    assert before < steps[0] < steps[1] < steps[2] < steps[3] < steps[4]


def test_a_members_own_answer_reads_the_version_and_groups_once(client, events, django_assert_max_num_queries):
    _, member = token_for(user_in(MEMBERS_GROUP, "m"))
    query = "{ events { items { title icalUrl } } }"  # per-member links: executed every time for a member
    post(client, query, **member)
    with django_assert_max_num_queries(60) as executed:
        assert titles(post(client, query, **member)) == {"Public session", "Members session"}
    sql = [captured["sql"] for captured in executed.captured_queries]
    assert len([q for q in sql if "cms_content_version" in q]) == 1
    # The caller's groups (cache.describe) at most once: the view reuses what the hit path learnt.
    assert len([q for q in sql if q.startswith('SELECT "auth_group"."id", "auth_group"."name"')]) <= 1
