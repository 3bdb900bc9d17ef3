"""Turn content changes into outbox rows, from signals only (DESIGN.md §6).

Admin hooks miss scheduled publishing and workflow approvals; signals see every path. Each handler runs inside
the transaction making the change, so a rolled back publish or delete leaves no event behind.
- `page_published` fires for every publish, also when a future go-live only schedules the page (live is False):
  only a publish that puts the page live counts. It is "published" when the page was not live before, "updated"
  for a republish, and "event.cancelled" when a live event's status changes to cancelled.
- `page_unpublished` fires per page (Wagtail unpublishes descendants one by one).
- `pre_delete` on the base Page fires once per page of a deleted subtree (the collector gathers them all).
- `post_page_move` sends a base Page: its URL changed, so partners get "<kind>.updated".
"""

import threading

from django.db.models.signals import post_delete, pre_delete, pre_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from integrations.webhooks import selectors, services

CANCELLED = "cancelled"
_deleting = threading.local()  # ids of pages whose pre_delete ran and post_delete has not yet


def remember_previous_state(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a page row is saved, note whether it was live and its status (what "published" vs "updated" vs
    "cancelled" depends on). The publish signal later receives this same instance. Saves that do not touch
    `live` (draft revisions) are skipped."""
    if not isinstance(instance, Page) or instance.pk is None:
        return
    if update_fields is not None and "live" not in update_fields:
        return
    fields = ["live", "status"] if any(field.name == "status" for field in instance._meta.fields) else ["live"]
    row = type(instance).objects.filter(pk=instance.pk).values(*fields).first() or {}
    instance._webhooks_was_live = bool(row.get("live"))
    instance._webhooks_previous_status = row.get("status")


def on_published(sender, instance, **kwargs) -> None:
    if not instance.live:  # a future go-live was scheduled; the real publish comes later
        return
    was_live = getattr(instance, "_webhooks_was_live", False)
    previous_status = getattr(instance, "_webhooks_previous_status", None)
    status = getattr(instance, "status", None)
    if selectors.page_kind(instance) == "event" and status == CANCELLED and previous_status != CANCELLED:
        action = CANCELLED
    else:
        action = "updated" if was_live else "published"
    services.page_event_record(page=instance, action=action)


def on_unpublished(sender, instance, **kwargs) -> None:
    if instance.pk in _being_deleted():  # Wagtail unpublishes each page it deletes: "deleted" says it all
        return
    services.page_event_record(page=instance, action="unpublished")


def _being_deleted() -> set:
    if not hasattr(_deleting, "ids"):
        _deleting.ids = set()
    return _deleting.ids


def on_deleted(sender, instance, **kwargs) -> None:
    if type(instance) is not Page or not instance.live:  # drafts were never announced
        return
    _being_deleted().add(instance.pk)
    services.page_event_record(page=instance, action="deleted")


def forget_deleted(sender, instance, **kwargs) -> None:
    _being_deleted().discard(instance.pk)


def on_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs) -> None:
    if url_path_before == url_path_after:  # reordered among its siblings: nothing a partner sees changed
        return
    page = instance.specific
    if page.live:
        services.page_event_record(page=page, action="updated")


def connect() -> None:
    pre_save.connect(remember_previous_state, dispatch_uid="webhooks_previous_state")
    page_published.connect(on_published, dispatch_uid="webhooks_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="webhooks_unpublished")
    pre_delete.connect(on_deleted, sender=Page, dispatch_uid="webhooks_deleted")
    post_delete.connect(forget_deleted, sender=Page, dispatch_uid="webhooks_forget_deleted")
    post_page_move.connect(on_moved, dispatch_uid="webhooks_moved")
