"""Access control: who may see what. The one privacy rule every channel (GraphQL, REST, iCal, webhooks, document
serving, the CMS's own HTML pages) uses.

A page is visible to a viewer when it is *published* (live, its expiry time, if any, not passed, and the same for
every ancestor) and no view restriction on it or an ancestor shuts the viewer out:
- a *groups* restriction lets in members of one of its groups (and superusers, as Wagtail does);
- a *login* restriction lets in signed-in members: the "CoP Members" group and superusers. Editors and partners
  have accounts too (for the admin, for API tokens), but "logged-in users" on this site means members;
- a *password* restriction lets in a browser session that has given its password (Wagtail's form, on the HTML pages
  and /documents/); machine channels have no session, so nobody passes one there.
Documents and images follow the same rule through their collection's (or a parent collection's) view
restrictions. Expiry is applied here rather than left to the worker's `publish_scheduled`, so an expired page
leaves every channel the moment it expires, even when the worker is late or down. Each rule is a single `NOT EXISTS`
subquery, so it costs one query whatever the number of restrictions, and composes with any queryset.
"""

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone
from wagtail.models import BaseViewRestriction, Collection, CollectionViewRestriction, Page, PageViewRestriction

from pages.access_store import PUBLIC, RESTRICTED

MEMBERS_GROUP = "CoP Members"


def active_user(user):
    """The viewer as far as privacy is concerned: inactive or missing users are anonymous."""
    if user is None or not user.is_authenticated or not user.is_active:
        return AnonymousUser()
    return user


def user_is_member(user) -> bool:
    user = active_user(user)
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=MEMBERS_GROUP).exists())


def passwords_given(request, restriction_model: type[BaseViewRestriction]) -> list[int]:
    """Ids of the password restrictions (of `restriction_model`) this browser session has given the password for.

    Wagtail's password form records them in the session; API and feed requests have none.
    """
    session = getattr(request, "session", None)
    return list(session.get(restriction_model.passed_view_restrictions_session_key, [])) if session else []


def _blocking(restrictions: QuerySet, user, passwords: Sequence[int] = ()) -> QuerySet:
    """The restrictions in `restrictions` that keep `user` (who has given the `passwords` restrictions') out."""
    if passwords:
        restrictions = restrictions.exclude(restriction_type=BaseViewRestriction.PASSWORD, pk__in=passwords)
    user = active_user(user)
    if not user.is_authenticated:
        return restrictions
    if user.is_superuser:
        return restrictions.exclude(restriction_type__in=[BaseViewRestriction.LOGIN, BaseViewRestriction.GROUPS])
    # Both as subqueries of the one query: no separate lookup of the user's groups.
    blocking = restrictions.exclude(restriction_type=BaseViewRestriction.GROUPS, groups__in=user.groups.values("pk"))
    return blocking.exclude(
        Q(restriction_type=BaseViewRestriction.LOGIN) & Exists(user.groups.filter(name=MEMBERS_GROUP))
    )


def _covers(tree_field: str, outer_path: str = "path") -> Q:
    """Q for 'the restricted node at `tree_field` is the outer row's node or one of its ancestors'."""
    return Q(**{f"{tree_field}__path": Substr(OuterRef(outer_path), 1, Length(f"{tree_field}__path"))})


def visible_pages(pages: QuerySet | type[Page], *, user=None, passwords: Sequence[int] = ()) -> QuerySet:
    """`pages` (a queryset or a page model) narrowed to what `user` may see; see the module docstring.

    `passwords`: ids of the page password restrictions the viewer's browser session has passed (`passwords_given`).
    Reads each page's stored decision (pages/access_store.py): public pages cost no subquery, and only restricted
    ones are checked against the viewer's groups and passwords.
    """
    pages = published_pages(pages)
    if not active_user(user).is_authenticated and not passwords:
        return pages.filter(stored_access__audience=PUBLIC)
    shut_out = _blocking(PageViewRestriction.objects.filter(_covers("page")), user, passwords)
    return pages.filter(Q(stored_access__audience=PUBLIC) | ~Exists(shut_out))


def published_pages(pages: QuerySet | type[Page]) -> QuerySet:
    """`pages` that are live and not expired, under live, unexpired ancestors: visible to someone, restrictions
    aside. Read from the stored decision; an expiry is compared with the clock here, so it needs no write."""
    if isinstance(pages, type):
        pages = pages.objects.all()
    return pages.filter(stored_access__audience__in=[PUBLIC, RESTRICTED]).filter(
        Q(stored_access__expires_at__isnull=True) | Q(stored_access__expires_at__gt=timezone.now())
    )


def page_is_visible(page: Page, *, user=None, passwords: Sequence[int] = ()) -> bool:
    return visible_pages(Page.objects.filter(pk=page.pk), user=user, passwords=passwords).exists()


def restricted_pages(pages: QuerySet) -> QuerySet:
    """Pages of `pages` that are restricted to someone (members-only, login or password): never public. Drafts
    included (an editor's form asks this of a page being written), so this reads the restrictions themselves."""
    return pages.filter(Exists(PageViewRestriction.objects.filter(_covers("page"))))


def page_is_public(page: Page) -> bool:
    return page_is_visible(page, user=None)


def visible_in_collections(items: QuerySet, *, user=None, passwords: Sequence[int] = ()) -> QuerySet:
    """Documents or images (anything with a `collection`) whose collection and its ancestors let `user` in.

    `passwords`: ids of the collection password restrictions the viewer's browser session has passed.
    """
    shut_out = _blocking(
        CollectionViewRestriction.objects.filter(_covers("collection", outer_path="collection__path")), user, passwords
    )
    return items.exclude(Exists(shut_out))


def visible_documents(*, user=None, passwords: Sequence[int] = ()) -> QuerySet:
    from wagtail.documents import get_document_model

    return visible_in_collections(get_document_model().objects.all(), user=user, passwords=passwords)


def visible_images(*, user=None, passwords: Sequence[int] = ()) -> QuerySet:
    """Images `user` may see that have alt text: an image saved by the multiple upload before its alt text was given
    reaches no channel until it has some (media_library.models.CustomImage)."""
    from wagtail.images import get_image_model

    images = get_image_model().objects.exclude(description="")
    return visible_in_collections(images, user=user, passwords=passwords)


def covering_paths(node: Page | Collection) -> list[str]:
    """The tree paths of `node` and its ancestors, root first: where a view restriction covering it can sit."""
    return [node.path[:end] for end in range(node.steplen, len(node.path) + 1, node.steplen)]


def restrictions_shutting_out(node: Page | Collection, *, user=None, passwords: Sequence[int] = ()) -> QuerySet:
    """The view restrictions on `node` (a page or a collection) or an ancestor that keep `user` out, top-down: the
    HTML page or /documents/ view asks the visitor for a password or to sign in by the first of them."""
    model, field = (
        (PageViewRestriction, "page") if isinstance(node, Page) else (CollectionViewRestriction, "collection")
    )
    restrictions = model.objects.filter(**{f"{field}__path__in": covering_paths(node)})
    return _blocking(restrictions, user, passwords).order_by(f"{field}__path")
