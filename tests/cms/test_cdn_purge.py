"""CDN invalidation (cms/cdn.py): after a publish commits, the feeds and page URLs it affects are purged through
Wagtail's HTTP frontend-cache backend, here pointed at a real HTTP server on 127.0.0.1 standing in for the CDN's
purge endpoint (it records each PURGE request's path and Host)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from events.factories import TrainingEventPageFactory
from pages.factories import TopicFactory

# Transactional: the worker that runs the purge task closes its database connection, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def purge_receiver(settings):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):
            received.append((self.headers["Host"], self.path))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def enable():
        """Point the CDN at the receiver (after the test's setup, whose own writes share the test's transaction)."""
        settings.WAGTAILFRONTENDCACHE = {
            "default": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                "LOCATION": f"http://127.0.0.1:{server.server_port}",
            }
        }
        return received

    yield enable
    server.shutdown()
    server.server_close()


def test_publishing_purges_the_feeds_and_the_page_after_the_commit(purge_receiver, event_index):
    TopicFactory(name="Deflection", slug="deflection")
    event = TrainingEventPageFactory(parent=event_index, slug="crisis-basics", live=False)
    received = purge_receiver()
    with transaction.atomic():
        event.save_revision().publish()
        assert not DBTaskResult.objects.filter(task_path__contains="purge").exists()  # not before the commit
    call_command("run_worker", "--once")  # the purge task runs on the worker
    paths = {path for _, path in received}
    assert {"/calendar/events.ics", "/calendar/topics/deflection.ics", "/calendar/events/crisis-basics.ics"} <= paths
    assert any(path.endswith("/crisis-basics/") for path in paths)  # the page's own URL (Wagtail's handler)
    assert "cms.example.org" in {host for host, _ in received}  # the feeds, on PUBLIC_BASE_URL


def test_a_rolled_back_publish_purges_nothing(purge_receiver, event_index):
    event = TrainingEventPageFactory(parent=event_index, live=False)
    received = purge_receiver()
    with pytest.raises(RuntimeError):
        _publish_then_fail(event)
    call_command("run_worker", "--once")
    assert received == []


def _publish_then_fail(event):
    with transaction.atomic():
        event.save_revision().publish()
        raise RuntimeError("rolled back")


def test_without_a_cdn_nothing_is_enqueued(settings, event_index):
    settings.WAGTAILFRONTENDCACHE = {}
    event = TrainingEventPageFactory(parent=event_index, live=False)
    event.save_revision().publish()
    assert not DBTaskResult.objects.filter(task_path__contains="purge").exists()
