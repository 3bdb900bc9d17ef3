"""Responses are gzip- or brotli-compressed when the client asks (`Accept-Encoding: gzip` / `br`): calendar feeds,
GraphQL answers and REST v2, with `Vary: Accept-Encoding`, weak ETags that still give 304s, and the same content once
decompressed."""

import gzip
import io
import json

import brotli
import pytest
from django.core.cache import cache
from django.http import FileResponse
from django.test import override_settings
from django.urls import path

from events.calendar_links import events_feed_path
from events.factories import TrainingEventPageFactory
from events.services import member_calendar_url
from integrations.graphql.services import api_token_create
from media_library.factories import DocumentFactory
from media_library.pdf import make_pdf
from tests.integrations.graphql.helpers import user_in

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}
BROTLI = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
EVENTS_QUERY = "{ events(perPage: 20) { items { title summary startsAt icalUrl } } }"


@pytest.fixture
def events(event_index):
    cache.clear()  # GraphQL rate-limit counters
    return [TrainingEventPageFactory(parent=event_index, title=f"Deflection for patrol, part {n}") for n in range(20)]


def vary(response) -> set[str]:
    return {name.strip().lower() for name in response.get("Vary", "").split(",")}


def assert_compressed_copy_of(compressed, plain, coding="gzip") -> bytes:
    assert compressed.status_code == plain.status_code == 200
    assert compressed["Content-Encoding"] == coding
    assert not plain.has_header("Content-Encoding")
    body = (gzip.decompress if coding == "gzip" else brotli.decompress)(compressed.content)
    assert len(compressed.content) < len(body) / 3
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert "accept-encoding" in vary(compressed) and "accept-encoding" in vary(plain)
    return body


def test_a_feed_is_compressed_when_asked_and_still_revalidates(client, events):
    plain = client.get(events_feed_path())
    compressed = client.get(events_feed_path(), **GZIP)
    assert assert_compressed_copy_of(compressed, plain) == plain.content
    # One weak ETag for both encodings (the same calendar, RFC 9110 §8.8.1), so a 304 names what the cache holds.
    etag = compressed["ETag"]
    assert etag.startswith('W/"') and plain["ETag"] == etag
    for headers in ({}, GZIP):
        not_modified = client.get(events_feed_path(), HTTP_IF_NONE_MATCH=etag, **headers)
        assert not_modified.status_code == 304
        assert not_modified["ETag"] == etag
        assert "accept-encoding" in vary(not_modified)
    head = client.head(events_feed_path(), **GZIP)
    assert head["ETag"] == etag and head["Content-Encoding"] == "gzip"


def test_a_member_feed_is_compressed_too(client, events):
    member = user_in("CoP Members", "sgt-rivera")
    path = member_calendar_url(member).removeprefix("https://cms.example.org")
    assert_compressed_copy_of(client.get(path, **GZIP), client.get(path))


def test_graphql_answers_are_compressed_for_anonymous_callers_and_token_holders(client, events):
    _, token = api_token_create(user=user_in("CoP Members", "sgt-rivera"), name="member app")
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {token}"}):
        body = json.dumps({"query": EVENTS_QUERY})
        plain = client.post("/graphql/", body, content_type="application/json", **headers)
        compressed = client.post("/graphql/", body, content_type="application/json", **GZIP, **headers)
        decoded = json.loads(assert_compressed_copy_of(compressed, plain))
        assert decoded == plain.json() and len(decoded["data"]["events"]["items"]) == 20
        assert {"authorization", "origin"} <= vary(compressed)


def test_graphql_get_revalidates_with_the_weak_etag_of_a_compressed_answer(client, events):
    params = {"query": EVENTS_QUERY}
    compressed = client.get("/graphql/", params, **GZIP)
    assert compressed["Content-Encoding"] == "gzip"
    etag = compressed["ETag"]
    assert etag.startswith('W/"') and client.get("/graphql/", params)["ETag"] == etag
    for headers in ({}, GZIP):
        not_modified = client.get("/graphql/", params, HTTP_IF_NONE_MATCH=etag, **headers)
        assert not_modified.status_code == 304
        assert not_modified["ETag"] == etag
        assert "accept-encoding" in vary(not_modified)


def test_rest_answers_are_compressed(client, events):
    path = "/api/v2/pages/?type=events.TrainingEventPage&fields=summary,start,end,ical_url"
    body = assert_compressed_copy_of(client.get(path, **GZIP), plain := client.get(path))
    assert json.loads(body) == plain.json()


def test_brotli_when_the_client_accepts_it(client, events):
    """Feeds, GraphQL (stored answers and executed ones) and REST, each the same content once decoded."""
    member = user_in("CoP Members", "sgt-rivera")
    feeds = (events_feed_path(), member_calendar_url(member).removeprefix("https://cms.example.org"))
    rest = "/api/v2/pages/?type=events.TrainingEventPage&fields=summary,start,end,ical_url"
    for url in (*feeds, rest):
        for _ in range(2):  # built, then stored
            plain = client.get(url)
            assert assert_compressed_copy_of(client.get(url, **BROTLI), plain, "br") == plain.content
    _, token = api_token_create(user=member, name="member app")
    body = json.dumps({"query": EVENTS_QUERY})
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {token}"}):  # stored, and executed every time (icalUrl)
        plain = client.post("/graphql/", body, content_type="application/json", **headers)
        compressed = client.post("/graphql/", body, content_type="application/json", **BROTLI, **headers)
        assert json.loads(assert_compressed_copy_of(compressed, plain, "br")) == plain.json()


def test_a_refused_coding_is_not_used(client, events):
    response = client.get(events_feed_path(), HTTP_ACCEPT_ENCODING="br;q=0, gzip;q=0.5")
    assert response["Content-Encoding"] == "gzip"
    assert not client.get(events_feed_path(), HTTP_ACCEPT_ENCODING="br;q=0").has_header("Content-Encoding")


def pdf_download(request):
    pdf = make_pdf("Deflection toolkit", ["CIT ASSIST resource library."] * 50)
    return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename="toolkit.pdf")


urlpatterns = [path("download/", pdf_download)]


@override_settings(ROOT_URLCONF=__name__)
def test_binary_downloads_are_sent_as_they_are(client):
    """A PDF or video streamed by a view keeps its bytes and Content-Length: gzip would cost the worker CPU for
    files that are compressed already."""
    response = client.get("/download/", **BROTLI)
    assert response["Content-Type"] == "application/pdf"
    assert not response.has_header("Content-Encoding")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and int(response["Content-Length"]) == len(body)


def test_documents_are_sent_as_stored(client, db):
    document = DocumentFactory(title="Deflection toolkit")
    response = client.get(document.url, **BROTLI)
    assert response.status_code == 200
    assert response.get("Content-Encoding") not in ("gzip", "br")
    assert int(response["Content-Length"]) == document.file.size
