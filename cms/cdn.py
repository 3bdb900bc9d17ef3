"""CDN invalidation: after a write that bumps the content version commits, the public GET URLs it affects are
purged through Wagtail's frontend cache backends (`WAGTAILFRONTENDCACHE`, from the environment: docs/operations.md,
"Caching and the CDN").

- Page URLs: a changed page's URLs (Wagtail's `PurgeBatch.add_page`), whatever the change (publish, unpublish,
  move, delete, restriction). Wagtail's own frontend_cache app is not installed: its handlers purge on publish
  only, and enqueue a task per publish even with no CDN configured.
- Feeds: apps register what to purge with `purge_urls_on_change(source)` (events: the public feed, the topic feeds
  and a changed event's own feed).
- GraphQL GET URLs are not purged: persisted-query URLs cannot be enumerated. They carry a short max-age
  (GRAPHQL_GET_MAX_AGE) and an ETag that names the content version, so the CDN revalidates cheaply (a 304 from the
  stored answer executes nothing).

The URLs go to Wagtail's purge task, enqueued on the database task queue once per transaction, after the commit:
a rolled-back publish purges nothing, and the purge never runs before the new content is readable (a CDN refetching
at once would otherwise store the old answer again).
"""

import logging
import threading

from django.conf import settings
from django.db import transaction

from cms import content_version

logger = logging.getLogger(__name__)

_sources: list = []
_pending = threading.local()


def purge_urls_on_change(source):
    """Register `source(instance) -> iterable of absolute URLs` to purge when the content version is bumped
    (`instance`: the page, snippet or other object that changed, or None)."""
    _sources.append(source)
    return source


def _page_urls(instance):
    from wagtail.contrib.frontend_cache.utils import PurgeBatch
    from wagtail.models import Page

    if not isinstance(instance, Page):
        return ()
    batch = PurgeBatch()
    try:
        batch.add_page(instance)
    except Exception:  # a page deleted with its site has no URL left to purge
        logger.info("No URL to purge for page %s", instance.pk)
    return batch.urls


def _changed(instance) -> None:
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    connection = transaction.get_connection()
    waiting = any(entry[1] is _flush for entry in connection.run_on_commit)  # gone if its transaction rolled back
    if not waiting:
        _pending.urls = set()
    _pending.urls.update(_page_urls(instance))
    for source in _sources:
        _pending.urls.update(source(instance))
    if not waiting:
        transaction.on_commit(_flush)  # outside a transaction: at once


def _flush() -> None:
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    urls, _pending.urls = getattr(_pending, "urls", None) or set(), None
    purge_urls_from_cache(sorted(urls))


content_version.on_bump(_changed)
