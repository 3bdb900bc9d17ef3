"""Turn content changes into outbox rows, from signals only.

Admin hooks miss scheduled publishing and workflow approvals; signals see every path (Wagtail's scheduled
publishing, workflows, the privacy dialog, management commands). Each handler runs inside the transaction making
the change, so a rolled back publish or delete leaves no message behind.

A page is *announced* once a publish has put it live: Wagtail then sets `first_published_at`. Pages made live
without a publish (Wagtail's install-time "Welcome" page, bulk imports, the `--volume` benchmark pages) were never
announced, so their deletion, unpublishing or move is no news to a partner either.
- `page_published` fires for every publish, also when a future go-live only schedules the page (live is False):
  only a publish that puts the page live counts. It is "published" when the page was not live and announced
  before, "updated" for a republish, and "event.cancelled" when a live event's status changes to cancelled.
- `page_unpublished` fires per page (Wagtail unpublishes descendants one by one).
- `pre_delete` on the base Page fires once per page of a deleted subtree (the collector gathers them all).
- `post_page_move` sends a base Page: its URL changed, so partners get "<kind>.updated".
- A view restriction (the admin's privacy dialog) hides a page and everything below it from the public: public
  endpoints are told "<kind>.unpublished" for each page they could see until then, and "<kind>.published" when
  the restriction goes. Trusted endpoints see members-only pages in full, so for them nothing changed.
  Collection view restrictions concern documents and images, which send no webhooks.
"""

import threading

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from integrations.webhooks import selectors, services
from integrations.webhooks.models import Audience
from pages.access import visible_pages

CANCELLED = "cancelled"
_deleting = threading.local()  # ids of pages whose pre_delete ran and post_delete has not yet


def remember_previous_state(sender, instance, update_fields=None, **kwargs) -> None:
    """Before a page row is saved, note whether it was announced and its status (what "published" vs "updated" vs
    "cancelled" depends on). The publish signal later receives this same instance. Saves that do not touch
    `live` (draft revisions) are skipped."""
    if not isinstance(instance, Page) or instance.pk is None:
        return
    if update_fields is not None and "live" not in update_fields:
        return
    fields = ["live", "first_published_at"]
    if any(field.name == "status" for field in instance._meta.fields):
        fields.append("status")
    row = type(instance).objects.filter(pk=instance.pk).values(*fields).first() or {}
    # A page created live and then published for the first time (the demo, any plain `add_child`) was live but
    # never announced: this publish is its "published".
    instance._webhooks_was_announced = bool(row.get("live")) and row.get("first_published_at") is not None
    instance._webhooks_previous_status = row.get("status")


def _announced(page: Page) -> bool:
    return page.live and page.first_published_at is not None


def on_published(sender, instance, **kwargs) -> None:
    if not instance.live:  # a future go-live was scheduled; the real publish comes later
        return
    was_announced = getattr(instance, "_webhooks_was_announced", False)
    previous_status = getattr(instance, "_webhooks_previous_status", None)
    status = getattr(instance, "status", None)
    if selectors.page_kind(instance) == "event" and status == CANCELLED and previous_status != CANCELLED:
        action = CANCELLED
    else:
        action = "updated" if was_announced else "published"
    services.page_message_record(page=instance, action=action)


def on_unpublished(sender, instance, **kwargs) -> None:
    if instance.pk in _being_deleted():  # Wagtail unpublishes each page it deletes: "deleted" says it all
        return
    if instance.first_published_at is None:  # live without ever being announced
        return
    services.page_message_record(page=instance, action="unpublished")


def _being_deleted() -> set:
    if not hasattr(_deleting, "ids"):
        _deleting.ids = set()
    return _deleting.ids


def on_deleted(sender, instance, **kwargs) -> None:
    if type(instance) is not Page or not instance.live:  # drafts were never announced
        return
    _being_deleted().add(instance.pk)
    if _announced(instance):
        services.page_message_record(page=instance, action="deleted")


def forget_deleted(sender, instance, **kwargs) -> None:
    _being_deleted().discard(instance.pk)


def on_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs) -> None:
    if url_path_before == url_path_after:  # reordered among its siblings: nothing a partner sees changed
        return
    page = instance.specific
    if _announced(page):
        services.page_message_record(page=page, action="updated")


def remember_public_pages(sender, instance, **kwargs) -> None:
    """Before a new view restriction is saved: the announced pages it covers that the public can still see."""
    if instance.pk is None:  # a changed restriction keeps its pages hidden from the public: no news
        instance._webhooks_public_pages = list(_public_announced_pages(instance.page))


def on_restricted(sender, instance, **kwargs) -> None:
    for page in getattr(instance, "_webhooks_public_pages", ()):
        services.page_message_record(page=page, action="unpublished", audience=Audience.PUBLIC)
    instance._webhooks_public_pages = ()


def on_unrestricted(sender, instance, **kwargs) -> None:
    """The restriction is gone: the pages below it the public can now see are news to public endpoints. A page
    being deleted (its restrictions go with it) is not."""
    for page in _public_announced_pages(instance.page).exclude(pk__in=_being_deleted()):
        services.page_message_record(page=page, action="published", audience=Audience.PUBLIC)


def _public_announced_pages(page: Page):
    subtree = Page.objects.descendant_of(page, inclusive=True).filter(first_published_at__isnull=False)
    return visible_pages(subtree, user=None).order_by("path").specific()


def connect() -> None:
    pre_save.connect(remember_previous_state, dispatch_uid="webhooks_previous_state")
    page_published.connect(on_published, dispatch_uid="webhooks_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="webhooks_unpublished")
    pre_delete.connect(on_deleted, sender=Page, dispatch_uid="webhooks_deleted")
    post_delete.connect(forget_deleted, sender=Page, dispatch_uid="webhooks_forget_deleted")
    post_page_move.connect(on_moved, dispatch_uid="webhooks_moved")
    pre_save.connect(remember_public_pages, sender=PageViewRestriction, dispatch_uid="webhooks_public_pages")
    post_save.connect(on_restricted, sender=PageViewRestriction, dispatch_uid="webhooks_restricted")
    post_delete.connect(on_unrestricted, sender=PageViewRestriction, dispatch_uid="webhooks_unrestricted")
