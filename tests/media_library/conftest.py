"""S3 fixtures: one moto_server per test session, a fresh bucket per test, Django's default storage pointed at it."""

import os
import uuid
from types import SimpleNamespace

import boto3
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from wagtail.models import Collection, CollectionViewRestriction

from cms.settings.base import s3_storage
from pages.access import MEMBERS_GROUP
from tests.media_library.s3 import MotoServer, s3_env


@pytest.fixture(autouse=True)
def _no_renditions_from_an_earlier_test():
    """Wagtail caches renditions by image id and filter; each test's database is rolled back and ids are reused, so
    a rendition cached by an earlier test would stand in for one this test never made."""
    caches["default"].clear()


@pytest.fixture(scope="session")
def moto_endpoint():
    try:
        server = MotoServer.start()
    except (OSError, RuntimeError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"S3 server (moto_server) could not start: {error}")
        pytest.skip(f"S3 server (moto_server) not available: {error}")
    yield server.endpoint
    server.stop()


def use_s3(settings, monkeypatch, endpoint: str, **extra_env: str):
    """Point STORAGES at a new bucket on `endpoint`, configured exactly as production reads it from the env."""
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    for name, value in s3_env(endpoint, bucket, **extra_env).items():
        monkeypatch.setenv(name, value)
    backend = s3_storage()
    settings.STORAGES = {**settings.STORAGES, "default": backend, "s3": backend}
    settings.WAGTAILDOCS_SERVE_METHOD = "redirect"
    return bucket


def make_bucket(endpoint: str, bucket: str):
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    client.create_bucket(Bucket=bucket)
    return client


def fresh_bucket(settings, monkeypatch, endpoint: str, **extra_env: str) -> SimpleNamespace:
    """Default storage on a new, created bucket; `.client` (boto3) and `.bucket` to look inside it."""
    bucket = use_s3(settings, monkeypatch, endpoint, **extra_env)
    return SimpleNamespace(client=make_bucket(endpoint, bucket), bucket=bucket)


@pytest.fixture
def s3(settings, monkeypatch, moto_endpoint):
    """Default storage on a fresh moto bucket; `.client` (boto3) and `.bucket` to look inside it."""
    return fresh_bucket(settings, monkeypatch, moto_endpoint)


@pytest.fixture
def s3_with_cdn(settings, monkeypatch, moto_endpoint):
    return fresh_bucket(settings, monkeypatch, moto_endpoint, AWS_S3_CUSTOM_DOMAIN="media.cdn.example.org")


@pytest.fixture
def members_collection(db):
    """The "Members only" collection as seed_demo makes it: view restricted to the CoP Members group."""
    collection = Collection.get_first_root_node().add_child(name="Members only")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    return collection


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user("member", password="pw")
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    return user


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Each test uploads into an empty MEDIA_ROOT, so stored names (no-overwrite suffixes) do not depend on order."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
