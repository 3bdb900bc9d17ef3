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
- a user's groups (members' answers depend on the "CoP Members" group and on group restrictions);
- the models apps register with `track_model()` in their `AppConfig.ready()`: the Topic and Person snippets
  (pages), agencies, their contacts and members (community).

Drafts are saved as pages too, so an editor's draft save bumps the number as well: a wasted cache entry at worst,
where missing a direct save of a live page would be a stale answer.
"""

import logging
from dataclasses import dataclass

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
_on_bump: list = []


def current() -> str:
    """The version as committed (or as written by the current transaction), as the caches key on it: the counter,
    and the last page expiry that has passed. An expiry hides a page the moment it passes (pages/access.py), before
    `publish_scheduled` unpublishes it (and bumps the counter), with no write at all: so the time it passed is part
    of the version. One query: the counter's row and an index seek (pages_expire_at, pages' migration 0003)."""
    from django.utils import timezone
    from wagtail.models import Page

    from cms.models import ContentVersion

    passed = Page.objects.filter(expire_at__isnull=False, expire_at__lte=timezone.now()).order_by("-expire_at")
    row = (
        ContentVersion.objects.filter(pk=1)
        .annotate(passed=Subquery(passed.values("expire_at")[:1]))
        .values_list("value", "passed")
        .first()
    )
    value, expired = row or (0, None)
    return f"{value}.{expired.timestamp() if expired else 0}"


def bump(instance=None, **_) -> None:
    """+1 inside the caller's transaction (a signal handler runs inside the write's). The row lock this takes on
    PostgreSQL is held to the commit: concurrent publishes queue for a moment, readers never wait."""
    from cms.models import ContentVersion

    if not ContentVersion.objects.filter(pk=1).update(value=F("value") + 1):
        # The migration creates the row; a flushed test database does not have it.
        ContentVersion.objects.get_or_create(pk=1, defaults={"value": 1})
    for callback in _on_bump:
        callback(instance)


def on_bump(callback) -> None:
    """Call `callback(instance)` on each bump, inside its transaction, with what changed (None if unknown)."""
    _on_bump.append(callback)


def _connect(name: str, signal, sender=None, handler=bump) -> None:
    signal.connect(handler, sender=sender, weak=False, dispatch_uid=f"content_version:{name}")
    _tracked.append(Tracked(name, signal, sender))


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


def connect() -> None:
    """The Wagtail- and Django-level paths (from CmsConfig.ready); apps add their own models with track_model()."""
    from django.contrib.auth import get_user_model
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import CollectionViewRestriction, PageViewRestriction
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
    _connect("User.groups", m2m_changed, get_user_model().groups.through)
