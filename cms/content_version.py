"""The content version: one number, stored in the database, bumped in the same transaction as every write that can
change what a reader of the API or the feeds is answered. Response caches (GraphQL, the iCal feeds) put it in
their keys and ETags, so an answer cached before a publish is never served after the publish commits, by any
process, and a rolled-back write leaves the number as it was.

This module owns the list of what bumps it (`tracked()`; tests/cms/test_content_version.py exercises every entry):

- Wagtail's page signals: `page_published` (publishing, workflow approvals and `publish_scheduled`'s go-lives),
  `page_unpublished` (unpublishing and `publish_scheduled`'s expiries), `post_page_move`;
- every save and delete of a page (a live page saved directly, a page deleted with its subtree);
- page and collection view restrictions (saved, deleted, their groups changed);
- documents and images (saved, deleted: title, file, collection);
- sites (saved, deleted: a hostname, port or root page is part of every URL an answer gives);
- a user's groups (members' answers depend on the "CoP Members" group and on group restrictions);
- the models apps register with `track_model()` in their `AppConfig.ready()`: the Topic and Person snippets
  (pages), agencies, their contacts and members (community).

A second counter, `access`, goes up with every change to who a bearer token is (`tracked_access()`: tokens, their
expiry, users, their groups, groups): the GraphQL hit path caches a token's caller class keyed on it.

Drafts are saved as pages too, so an editor's draft save bumps the number as well: a wasted cache entry at worst,
where missing a direct save of a live page would be a stale answer.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import F, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tracked:
    """One path that bumps the version: `signal` sent by `sender` (None: any sender)."""

    name: str
    signal: object
    sender: object = None


_tracked: list[Tracked] = []
_tracked_access: list[Tracked] = []
_on_bump: list = []


@dataclass(frozen=True)
class Versions:
    """What one read of the row says: `content` as the response caches key on it (`current()`), and `access`, the
    counter of token changes (`bump_access`) the GraphQL token cache keys on."""

    content: str
    access: int


def read() -> Versions:
    """Both versions as committed (or as written by the current transaction). The content version is the counter
    and the last page expiry that has passed: an expiry hides a page the moment it passes (pages/access.py),
    before `publish_scheduled` unpublishes it (and bumps the counter), with no write at all, so the time it passed
    is part of the version. One query: the counter's row and an index seek (pages_expire_at, pages' migration
    0003). Every cached answer pays for this read, so the statement is compiled once per database (`_statement`)
    and only the clock is bound per call."""
    from django.db import connections, router
    from django.utils import timezone

    from cms.models import ContentVersion

    alias = router.db_for_read(ContentVersion)
    connection = connections[alias]
    sql, params, clock = _statement(alias, connection.vendor)
    params = list(params)
    params[clock] = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    value, access, expired = row or (0, 0, None)
    # SQLite hands the subquery's datetime back as text, PostgreSQL as a datetime: either names the moment, and
    # every process of one site reads it the same way.
    if hasattr(expired, "timestamp"):
        expired = expired.timestamp()
    return Versions(content=f"{value}.{expired or 0}", access=access)


_SENTINEL = "2000-01-01T00:00:00+00:00"


@lru_cache(maxsize=8)
def _statement(alias: str, vendor: str) -> tuple[str, tuple, int]:
    """(sql, params, index of the clock in params) of the versions query, compiled by the ORM for `alias`."""
    from django.db import connections
    from django.utils.dateparse import parse_datetime
    from wagtail.models import Page

    from cms.models import ContentVersion

    sentinel = parse_datetime(_SENTINEL)
    passed = Page.objects.filter(expire_at__isnull=False, expire_at__lte=sentinel).order_by("-expire_at")
    query = (
        ContentVersion.objects.using(alias)
        .filter(pk=1)
        .annotate(passed=Subquery(passed.values("expire_at")[:1]))
        .values_list("value", "access", "passed")[:1]
    ).query
    sql, params = query.get_compiler(alias).as_sql()
    adapted = connections[alias].ops.adapt_datetimefield_value(sentinel)
    return sql, tuple(params), list(params).index(adapted)


def current() -> str:
    """The content version (`read`), as the caches key on it."""
    return read().content


def bump(instance=None, **_) -> None:
    """+1 inside the caller's transaction (a signal handler runs inside the write's). The row lock this takes on
    PostgreSQL is held to the commit: concurrent publishes queue for a moment, readers never wait."""
    from cms.models import ContentVersion

    if not ContentVersion.objects.filter(pk=1).update(value=F("value") + 1):
        # The migration creates the row; a flushed test database does not have it.
        ContentVersion.objects.get_or_create(pk=1, defaults={"value": 1})
    for callback in _on_bump:
        callback(instance)


def bump_access(instance=None, **_) -> None:
    """+1 to the access counter inside the caller's transaction: a token or its user changed (`connect`)."""
    from cms.models import ContentVersion

    if not ContentVersion.objects.filter(pk=1).update(access=F("access") + 1):
        ContentVersion.objects.get_or_create(pk=1, defaults={"access": 1})


def on_bump(callback) -> None:
    """Call `callback(instance)` on each bump, inside its transaction, with what changed (None if unknown)."""
    _on_bump.append(callback)


def _connect(name: str, signal, sender=None, handler=bump) -> None:
    signal.connect(handler, sender=sender, weak=False, dispatch_uid=f"content_version:{name}")
    _tracked.append(Tracked(name, signal, sender))


def _connect_access(name: str, signal, sender) -> None:
    signal.connect(bump_access, sender=sender, weak=False, dispatch_uid=f"content_version:access:{name}")
    _tracked_access.append(Tracked(name, signal, sender))


def track_access(model, *, m2m: tuple[str, ...] = ()) -> None:
    """Bump the access counter on every save and delete of `model` (and changes to its `m2m` fields)."""
    label = model._meta.label
    _connect_access(f"{label}.save", post_save, model)
    _connect_access(f"{label}.delete", post_delete, model)
    for name in m2m:
        _connect_access(f"{label}.{name}", m2m_changed, getattr(model, name).through)


def track_model(model, *, m2m: tuple[str, ...] = ()) -> None:
    """Bump on every save and delete of `model` (and changes to its many-to-many fields named in `m2m`)."""
    label = model._meta.label
    _connect(f"{label}.save", post_save, model)
    _connect(f"{label}.delete", post_delete, model)
    for field in m2m:
        _connect(f"{label}.{field}", m2m_changed, getattr(model, field).through)


def _on_page_save(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        bump(instance)


def tracked() -> list[Tracked]:
    return list(_tracked)


def tracked_access() -> list[Tracked]:
    return list(_tracked_access)


def connect() -> None:
    """The Wagtail- and Django-level paths (from CmsConfig.ready); apps add their own models with track_model()."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import APIToken, CollectionViewRestriction, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    _connect("page_published", page_published)
    _connect("page_unpublished", page_unpublished)
    _connect("post_page_move", post_page_move)
    # Page subclasses send post_save/post_delete under their own class: one receiver for all, filtered.
    _connect("Page.save", post_save, handler=_on_page_save)
    _connect("Page.delete", post_delete, handler=_on_page_save)
    track_model(PageViewRestriction, m2m=("groups",))
    track_model(CollectionViewRestriction, m2m=("groups",))
    track_model(get_document_model())
    track_model(get_image_model())
    track_model(Site)
    _connect("User.groups", m2m_changed, get_user_model().groups.through)
    # Who a token is: the token (created, revoked, deleted), its expiry (integrations.graphql registers that model),
    # its user (active, superuser, deleted) and their groups (a deleted group leaves users without a signal).
    track_access(APIToken)
    track_access(get_user_model(), m2m=("groups",))
    track_access(Group)
