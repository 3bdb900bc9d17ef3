"""The one privacy rule (pages.access) from every side: restrictions on ancestors, nested collections,
login/password/group restrictions, unpublished and expired ancestors, inactive users, and a constant query count."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction

from media_library.factories import DocumentFactory, ImageFactory
from pages.access import (
    page_is_public,
    page_is_visible,
    restricted_pages,
    user_is_member,
    visible_documents,
    visible_images,
    visible_pages,
)
from pages.factories import ProgramPageFactory

pytestmark = pytest.mark.django_db


def restrict(page_or_collection, kind, group_name=None, model=PageViewRestriction):
    field = "page" if model is PageViewRestriction else "collection"
    restriction = model.objects.create(**{field: page_or_collection}, restriction_type=kind, password="pw")
    if group_name:
        restriction.groups.set([Group.objects.get(name=group_name)])
    return restriction


def user_in(*group_names, active=True, superuser=False):
    user = get_user_model().objects.create_user(
        f"u-{'-'.join(group_names) or 'none'}-{active}-{superuser}", password="pw", is_active=active
    )
    user.is_superuser = superuser
    user.save()
    user.groups.set(Group.objects.filter(name__in=group_names))
    return user


@pytest.fixture
def tree(home_page):
    public = ProgramPageFactory(parent=home_page, title="Program")
    members_section = ProgramPageFactory(parent=home_page, title="Online Resource Center")
    restrict(members_section, PageViewRestriction.GROUPS, "CoP Members")
    deep_members = ProgramPageFactory(parent=ProgramPageFactory(parent=members_section, title="Forum"), title="Deep")
    login_only = ProgramPageFactory(parent=home_page, title="Login only")
    restrict(login_only, PageViewRestriction.LOGIN)
    password = ProgramPageFactory(parent=home_page, title="Password")
    restrict(password, PageViewRestriction.PASSWORD)
    draft_parent = ProgramPageFactory(parent=home_page, title="Draft parent")
    live_child_of_draft = ProgramPageFactory(parent=draft_parent, title="Live child of draft")
    Page.objects.filter(pk=draft_parent.pk).update(live=False)
    ProgramPageFactory(parent=public, title="Draft", live=False)
    return {"public": public, "deep_members": deep_members, "live_child_of_draft": live_child_of_draft}


def titles(user):
    return set(visible_pages(Page.objects.filter(depth__gt=2), user=user).values_list("title", flat=True))


def test_anonymous_sees_live_public_pages_under_live_ancestors_only(tree):
    assert titles(None) == {"Program"}


def test_member_sees_members_only_subtrees_and_login_pages_never_password_or_drafts(tree):
    assert titles(user_in("CoP Members")) == {"Program", "Online Resource Center", "Forum", "Deep", "Login only"}


def test_login_restrictions_are_members_only_so_other_accounts_see_public_pages_only(tree):
    """Partners and editors have accounts (API tokens, the admin) but are not the members a login restriction
    means: they see what anonymous visitors see."""
    assert titles(user_in("Partners")) == {"Program"}
    assert titles(user_in("Editors")) == {"Program"}
    assert titles(user_in()) == {"Program"}


def test_a_password_restriction_lets_in_the_session_that_gave_its_password_only(tree):
    password = PageViewRestriction.objects.get(restriction_type=PageViewRestriction.PASSWORD)
    visible = visible_pages(Page.objects.filter(depth__gt=2), passwords=[password.pk]).values_list("title", flat=True)
    assert set(visible) == {"Program", "Password"}
    other = visible_pages(Page.objects.filter(depth__gt=2), passwords=[password.pk + 1000])
    assert set(other.values_list("title", flat=True)) == {"Program"}


def test_superuser_passes_group_restrictions_but_never_passwords(tree):
    superuser = user_in(superuser=True)
    assert "Password" not in titles(superuser)
    assert "Deep" in titles(superuser)


def test_inactive_member_is_anonymous(tree):
    inactive = user_in("CoP Members", active=False)
    assert titles(inactive) == {"Program"}
    assert not user_is_member(inactive)


def test_single_page_checks_agree_with_the_listing(tree):
    member = user_in("CoP Members")
    assert page_is_visible(tree["deep_members"], user=member)
    assert not page_is_visible(tree["deep_members"], user=None)
    assert not page_is_public(tree["deep_members"])
    assert page_is_public(tree["public"])
    assert not page_is_visible(tree["live_child_of_draft"], user=member)
    assert set(restricted_pages(Page.objects.all()).values_list("title", flat=True)) == {
        "Online Resource Center",
        "Forum",
        "Deep",
        "Login only",
        "Password",
    }


def test_listing_costs_one_query_whatever_the_number_of_restrictions(tree, django_assert_num_queries, home_page):
    member = user_in("CoP Members")
    with django_assert_num_queries(1):
        list(visible_pages(Page.objects.all(), user=None))
    for index in range(10):
        restrict(
            ProgramPageFactory(parent=home_page, title=f"Members {index}"), PageViewRestriction.GROUPS, "CoP Members"
        )
    with django_assert_num_queries(1):
        list(visible_pages(Page.objects.all(), user=member))


def test_a_page_whose_expiry_has_passed_is_hidden_with_everything_below_it(home_page):
    """At once, for every viewer: the worker that unpublishes expired pages may be late or down."""
    campaign = ProgramPageFactory(parent=home_page, title="Campaign")
    ProgramPageFactory(parent=campaign, title="Campaign detail")
    ProgramPageFactory(parent=home_page, title="Ends tomorrow", expire_at=timezone.now() + timedelta(days=1))
    superuser = user_in(superuser=True)
    assert titles(None) == titles(superuser) == {"Campaign", "Campaign detail", "Ends tomorrow"}

    Page.objects.filter(pk=campaign.pk).update(expire_at=timezone.now() - timedelta(seconds=1))
    assert titles(None) == titles(superuser) == {"Ends tomorrow"}
    assert not page_is_public(campaign)


def test_listing_costs_one_query_with_expiring_and_unpublished_parents(home_page, django_assert_num_queries):
    for index in range(5):
        parent = ProgramPageFactory(parent=home_page, title=f"Parent {index}", expire_at=timezone.now())
        ProgramPageFactory(parent=parent, title=f"Child {index}")
    member = user_in("CoP Members")
    with django_assert_num_queries(1):
        assert list(visible_pages(Page.objects.filter(depth__gt=2), user=member)) == []


def test_documents_and_images_under_a_private_parent_collection_stay_private(home_page):
    members = Collection.get_first_root_node().add_child(name="Members only")
    restrict(members, CollectionViewRestriction.GROUPS, "CoP Members", model=CollectionViewRestriction)
    nested = members.add_child(name="2025 meetings")
    public = Collection.get_first_root_node().add_child(name="Public")
    DocumentFactory(title="Public toolkit", collection=public)
    DocumentFactory(title="Nested notes", collection=nested)
    ImageFactory(title="Public photo", collection=public)
    ImageFactory(title="Nested photo", collection=nested)

    assert set(visible_documents(user=None).values_list("title", flat=True)) == {"Public toolkit"}
    assert set(visible_images(user=None).values_list("title", flat=True)) == {"Public photo"}
    member = user_in("CoP Members")
    assert set(visible_documents(user=member).values_list("title", flat=True)) == {"Public toolkit", "Nested notes"}
    assert set(visible_images(user=user_in("Partners")).values_list("title", flat=True)) == {"Public photo"}


@pytest.mark.parametrize("unpublished_depth", [3, 10, 17, 18])
def test_unpublished_ancestor_hides_descendants_at_any_depth(home_page, unpublished_depth):
    """Whatever the depth of the unpublished page, everything below it is hidden and everything above is not."""
    chain = [home_page]
    while chain[-1].depth < 20:
        chain.append(chain[-1].add_child(instance=Page(title=f"Level {len(chain)}", slug=f"level-{len(chain)}")))
    leaf, chain = chain[-1], Page.objects.filter(path__in=[page.path for page in chain])
    assert page_is_public(leaf)
    chain.filter(depth=unpublished_depth).update(live=False)
    assert not page_is_public(leaf)
    assert not visible_pages(chain.filter(depth__gt=unpublished_depth)).exists()
    assert visible_pages(chain.filter(depth__lt=unpublished_depth)).count() == unpublished_depth - 2


def test_the_unpublished_parent_and_expiry_indexes_exist(db):
    """Without them the hidden-ancestor checks scan the page table once per row (seconds at 10,000 events), and
    every feed request scans it for the last expiry."""
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "wagtailcore_page")
    assert {"pages_unpublished_parent_path", "pages_expiring_parent_path", "pages_expire_at"} <= set(indexes)
