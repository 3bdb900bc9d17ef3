"""The response cache on Redis (REDIS_URL set: one copy shared by every process), against a real Redis at
TEST_REDIS_URL (database 5 unless told otherwise; skipped when Redis is not running, failed under CI=true).

A second cache client stands for another web process: it sees what the first stored, and after a publish commits
neither serves what was stored before it."""

import json
import os

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from events.factories import TrainingEventPageFactory
from integrations.graphql import views
from integrations.graphql.services import api_token_create
from pages.access import MEMBERS_GROUP
from tests.integrations.graphql.helpers import members_only, user_in

pytestmark = pytest.mark.django_db
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
QUERY = "{ events { items { title } } }"


@pytest.fixture
def redis_responses(settings):
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL} (CI must start it)")
        pytest.skip(f"Redis is not running at {TEST_REDIS_URL}")
    client.flushdb()
    settings.CACHES = settings.CACHES | {
        "responses": {"BACKEND": "cms.cache.TolerantRedisCache", "LOCATION": TEST_REDIS_URL, "KEY_PREFIX": "responses"}
    }
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = settings.GRAPHQL_RATE_LIMIT_TOKEN = 0
    yield client
    client.flushdb()


def other_process():
    """A fresh Redis client, as another gunicorn worker holds."""
    return RedisCache(TEST_REDIS_URL, {"KEY_PREFIX": "responses"})


def post(client, **headers):
    return client.post("/graphql/", json.dumps({"query": QUERY}), content_type="application/json", **headers)


def titles(response):
    return {item["title"] for item in response.json()["data"]["events"]["items"]}


def test_answers_are_shared_through_redis_and_a_publish_retires_them(client, redis_responses, event_index, monkeypatch):
    assert isinstance(caches["responses"], RedisCache)
    TrainingEventPageFactory(parent=event_index, title="Public session").save_revision().publish()
    members_only(TrainingEventPageFactory(parent=event_index, title="Members session"))
    member = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user_in(MEMBERS_GROUP, 'm'), name='m')[1]}"}
    assert titles(post(client, **member)) == {"Public session", "Members session"}
    assert titles(post(client)) == {"Public session"}
    keys = [key.decode() for key in redis_responses.keys("responses:*graphql:*")]
    counts = [key for key in keys if ":graphql:count:" in key]  # the lists' totals (cache.stored_count)
    keys = [key for key in keys if key not in counts]
    assert len(keys) == 2 and len(counts) == 2  # the member's class and the anonymous one, in Redis
    stored = [other_process().get(key.split(":", 2)[2]) for key in keys]
    assert all(entry is not None for entry in stored)  # another process reads them

    monkeypatch.setattr(views, "execute", lambda *a, **k: pytest.fail("executed"))
    assert titles(post(client)) == {"Public session"}  # served from Redis, nothing executed
    assert titles(post(client, **member)) == {"Public session", "Members session"}
    monkeypatch.undo()

    TrainingEventPageFactory(parent=event_index, title="Just published").save_revision().publish()
    assert titles(post(client)) == {"Public session", "Just published"}
