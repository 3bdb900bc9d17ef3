"""Who can see a file, in the words an editor needs when uploading or moving it.

A file's audience is its collection's: the collection's (or an ancestor's) view restriction, the same rule
`pages.access.visible_in_collections` applies on every channel. Nothing here is stored; labels and defaults are read
from the restrictions, so an operator who adds or renames a collection gets the right wording without a code change.

Uploads offer the collections below the root (the demo's "Public" and "Members only"): the root is Wagtail's
bookkeeping node, and a file left there says nothing about who it is for. The root stays available only on a site
that has no other collection (a fresh install), where it is the one place a file can go.
"""

from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.urls import Resolver404, resolve
from wagtail.models import BaseViewRestriction, Collection, CollectionViewRestriction, Page

from pages.access import MEMBERS_GROUP, covering_paths, restricted_pages

PUBLIC_AUDIENCE = "anyone, including partner sites"
MEMBERS_AUDIENCE = "signed-in members of the Community of Practice"
OTHER_AUDIENCE = "restricted (see Settings → Collections → Privacy)"
LEAVING_MEMBERS_ONLY = "This file will become visible to anyone, including partner sites."
COLLECTION_LABEL = "Who can see this file"
COLLECTION_HELP = (
    "Public: anyone, including partner sites. Members only: signed-in members of the Community of Practice. "
    "You can change this later; moving a file out of Members only asks you to confirm."
)


def _covering_restrictions(collection: Collection) -> QuerySet:
    return CollectionViewRestriction.objects.filter(collection__path__in=covering_paths(collection))


def is_restricted(collection: Collection | None) -> bool:
    """True when a view restriction on `collection` or an ancestor keeps someone out: never public."""
    return collection is not None and _covering_restrictions(collection).exists()


def audience(collection: Collection) -> str:
    """Who can see files in `collection`, in plain words."""
    restrictions = list(_covering_restrictions(collection).prefetch_related("groups"))
    if not restrictions:
        return PUBLIC_AUDIENCE
    members = all(
        restriction.restriction_type == BaseViewRestriction.LOGIN
        or (
            restriction.restriction_type == BaseViewRestriction.GROUPS
            and any(group.name == MEMBERS_GROUP for group in restriction.groups.all())
        )
        for restriction in restrictions
    )
    return MEMBERS_AUDIENCE if members else OTHER_AUDIENCE


def audience_label(collection: Collection) -> str:
    """ "Public: anyone, including partner sites" / "Members only: signed-in members of the Community of Practice"."""
    return f"{collection.name}: {audience(collection)}"


def upload_collections(collections: QuerySet) -> QuerySet:
    """`collections` (those a user may add to) without the root, in tree order; unchanged when nothing else is left."""
    below_root = collections.filter(depth__gt=1).order_by("path")
    return below_root if below_root.exists() else collections


def default_collection(collections, *, members_only: bool = False) -> Collection | None:
    """The first of `collections` whose audience matches: public by default, members-only when asked."""
    collections = list(collections)
    matching = [collection for collection in collections if is_restricted(collection) == members_only]
    return (matching or collections or [None])[0]


def page_is_members_only(page_id) -> bool:
    return restricted_pages(Page.objects.filter(pk=page_id)).exists()


def page_audience_from_referer(request) -> bool:
    """Whether the admin page that opened a chooser edits (or adds below) a restricted page.

    Wagtail's choosers are not told which page they were opened from; the modal's requests are made by the page
    editor itself, so their Referer is the editor's URL (Django's default Referrer-Policy, same-origin, keeps it for
    our own origin). A missing or foreign Referer gives the public default; the editor sees and can change the choice
    either way, so a forged Referer only changes a default.
    """
    referer = request.headers.get("referer", "")
    if not referer:
        return False
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.get_host():
        return False
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    if match.view_name == "wagtailadmin_pages:edit":
        return page_is_members_only(match.kwargs.get("page_id"))
    if match.view_name == "wagtailadmin_pages:add":
        # A new page inherits its parent's restriction.
        return page_is_members_only(match.kwargs.get("parent_page_id"))
    return False
