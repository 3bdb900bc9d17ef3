"""Who may see what: the one privacy rule every channel (GraphQL, iCal, webhooks, document serving) uses.

A page is visible to a viewer when it is live, every ancestor is live, and no view restriction on it or an
ancestor shuts the viewer out:
- a *groups* restriction lets in members of one of its groups (and superusers, as Wagtail does);
- a *login* restriction lets in any authenticated, active viewer (token holders included);
- a *password* restriction never lets anyone in through a machine channel (there is no password to give).
Documents and images follow the same rule through their collection's (or a parent collection's) view
restrictions. Each rule is a single `NOT EXISTS` subquery, so it costs one query whatever the number of
restrictions, and composes with any queryset.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from wagtail.models import BaseViewRestriction, CollectionViewRestriction, Page, PageViewRestriction

MEMBERS_GROUP = "CoP Members"


def active_user(user):
    """The viewer as far as privacy is concerned: inactive or missing users are anonymous."""
    if user is None or not user.is_authenticated or not user.is_active:
        return AnonymousUser()
    return user


def user_is_member(user) -> bool:
    user = active_user(user)
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=MEMBERS_GROUP).exists())


def _blocking(restrictions: QuerySet, user) -> QuerySet:
    """The restrictions in `restrictions` that keep `user` out."""
    user = active_user(user)
    if not user.is_authenticated:
        return restrictions
    blocking = restrictions.exclude(restriction_type=BaseViewRestriction.LOGIN)
    if user.is_superuser:
        return blocking.exclude(restriction_type=BaseViewRestriction.GROUPS)
    return blocking.exclude(
        restriction_type=BaseViewRestriction.GROUPS, groups__in=user.groups.values_list("pk", flat=True)
    )


def _covers(tree_field: str, outer_path: str = "path") -> Q:
    """Q for 'the restricted node at `tree_field` is the outer row's node or one of its ancestors'."""
    return Q(**{f"{tree_field}__path": Substr(OuterRef(outer_path), 1, Length(f"{tree_field}__path"))})


def visible_pages(pages: QuerySet | type[Page], *, user=None) -> QuerySet:
    """`pages` (a queryset or a page model) narrowed to what `user` may see; see the module docstring."""
    if isinstance(pages, type):
        pages = pages.objects.all()
    shut_out = _blocking(PageViewRestriction.objects.filter(_covers("page")), user)
    return pages.filter(live=True).exclude(_has_unpublished_ancestor()).exclude(Exists(shut_out))


def _has_unpublished_ancestor() -> Exists:
    # Only an unpublished page *with children* can hide a live page below it (unpublished leaves are not live
    # themselves), and there are few of those: the partial index from pages/migrations/0002 holds exactly them, so
    # each row is checked against a handful of index entries (10,000 events: 101 ms -> 21 ms on PostgreSQL,
    # 64 ms -> 18 ms on SQLite, counting through the whole rule).
    return Exists(Page.objects.filter(live=False, numchild__gt=0, path=Substr(OuterRef("path"), 1, Length(F("path")))))


def page_is_visible(page: Page, *, user=None) -> bool:
    return visible_pages(Page.objects.filter(pk=page.pk), user=user).exists()


def restricted_pages(pages: QuerySet) -> QuerySet:
    """Pages of `pages` that are restricted to someone (members-only, login or password): never public."""
    return pages.filter(Exists(PageViewRestriction.objects.filter(_covers("page"))))


def page_is_public(page: Page) -> bool:
    return page_is_visible(page, user=None)


def visible_in_collections(items: QuerySet, *, user=None) -> QuerySet:
    """Documents or images (anything with a `collection`) whose collection and its ancestors let `user` in."""
    shut_out = _blocking(
        CollectionViewRestriction.objects.filter(_covers("collection", outer_path="collection__path")), user
    )
    return items.exclude(Exists(shut_out))


def visible_documents(*, user=None) -> QuerySet:
    from wagtail.documents import get_document_model

    return visible_in_collections(get_document_model().objects.all(), user=user)


def visible_images(*, user=None) -> QuerySet:
    from wagtail.images import get_image_model

    return visible_in_collections(get_image_model().objects.all(), user=user)
