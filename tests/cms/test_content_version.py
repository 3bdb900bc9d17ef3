"""The content version (cms/content_version.py): every path that can change a public or members' answer bumps it,
inside the writing transaction. `test_every_tracked_path_has_a_scenario` fails when a path is added to the list
without a scenario here, and each scenario fails when its write does not bump the number."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction, Site

from cms import content_version
from cms.models import ContentVersion
from community.factories import AgencyContactFactory, AgencyFactory, member_user
from community.models import Member
from events.factories import TrainingEventPageFactory
from media_library.factories import DocumentFactory, ImageFactory
from pages.access import MEMBERS_GROUP
from pages.factories import PersonFactory, ProgramPageFactory, TopicFactory

pytestmark = pytest.mark.django_db


def counter() -> int:
    return ContentVersion.objects.get(pk=1).value


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def members():
    return Group.objects.get(name=MEMBERS_GROUP)


# Each scenario: (setup) -> the write that must bump. Setup runs before the counter is read.
def _page(ctx):
    return publish(TrainingEventPageFactory(parent=ctx["event_index"], title="Deflection 101"))


def _restriction(ctx):
    return PageViewRestriction.objects.create(page=_page(ctx), restriction_type=PageViewRestriction.GROUPS)


def _collection_restriction(ctx):
    collection = Collection.get_first_root_node().add_child(name="Members' files")
    return CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )


def _agency_member(ctx):
    agency = AgencyFactory()
    user = member_user("casey")
    return agency, user


def scenario_page_published(ctx):
    page = TrainingEventPageFactory(parent=ctx["event_index"], live=False)
    return lambda: page.save_revision().publish()


def scenario_page_unpublished(ctx):
    page = _page(ctx)
    return page.unpublish


def scenario_post_page_move(ctx):
    page = _page(ctx)
    target = ProgramPageFactory(parent=ctx["home_page"])
    return lambda: page.move(target, pos="last-child")


def scenario_page_save(ctx):
    page = _page(ctx)

    def save():
        page.title = "Renamed without a revision"
        page.save()

    return save


def scenario_page_delete(ctx):
    return _page(ctx).delete


def scenario_scheduled_go_live(ctx):
    page = TrainingEventPageFactory(parent=ctx["event_index"], live=False)
    revision = page.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(seconds=1)  # approved for a time that has come
    revision.save()
    return lambda: call_command("publish_scheduled", verbosity=0)


def scenario_scheduled_expiry(ctx):
    page = _page(ctx)
    type(page).objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(seconds=1))
    return lambda: call_command("publish_scheduled", verbosity=0)


def scenario_page_restriction_save(ctx):
    page = _page(ctx)
    return lambda: PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def scenario_page_restriction_delete(ctx):
    return _restriction(ctx).delete


def scenario_page_restriction_groups(ctx):
    restriction = _restriction(ctx)
    return lambda: restriction.groups.add(members())


def scenario_collection_restriction_save(ctx):
    restriction = _collection_restriction(ctx)

    def change():
        restriction.restriction_type = CollectionViewRestriction.LOGIN
        restriction.save()

    return change


def scenario_collection_restriction_delete(ctx):
    return _collection_restriction(ctx).delete


def scenario_collection_restriction_groups(ctx):
    restriction = _collection_restriction(ctx)
    return lambda: restriction.groups.add(members())


def scenario_document_save(ctx):
    return lambda: DocumentFactory(title="Annual report")


def scenario_document_delete(ctx):
    return DocumentFactory().delete


def scenario_image_save(ctx):
    return lambda: ImageFactory(title="Cover")


def scenario_image_delete(ctx):
    return ImageFactory().delete


def scenario_user_groups(ctx):
    user = User.objects.create_user("partner-turned-member")
    return lambda: user.groups.add(members())


def scenario_topic_save(ctx):
    topic = TopicFactory()

    def rename():
        topic.name = "Crisis response"
        topic.save()

    return rename


def scenario_topic_delete(ctx):
    return TopicFactory().delete


def scenario_person_save(ctx):
    return lambda: PersonFactory(name="Dr. Rivera")


def scenario_person_delete(ctx):
    return PersonFactory().delete


def scenario_agency_save(ctx):
    return lambda: AgencyFactory(name="Springfield PD")


def scenario_agency_delete(ctx):
    return AgencyFactory().delete


def scenario_agency_contact_save(ctx):
    return lambda: AgencyContactFactory(agency=AgencyFactory())


def scenario_agency_contact_delete(ctx):
    return AgencyContactFactory(agency=AgencyFactory()).delete


def scenario_member_save(ctx):
    agency, user = _agency_member(ctx)
    return lambda: Member.objects.create(user=user, agency=agency)


def scenario_member_delete(ctx):
    agency, user = _agency_member(ctx)
    return Member.objects.create(user=user, agency=agency).delete


def scenario_site_save(ctx):
    site = Site.objects.get(is_default_site=True)

    def move_host():
        site.hostname = "www.citassist.example"
        site.save()

    return move_host


def scenario_site_delete(ctx):
    return Site.objects.create(hostname="partners.example", root_page=ctx["home_page"]).delete


# The tracked paths (content_version.tracked() names) and the scenarios exercising each.
SCENARIOS = {
    "page_published": [scenario_page_published, scenario_scheduled_go_live],
    "page_unpublished": [scenario_page_unpublished, scenario_scheduled_expiry],
    "post_page_move": [scenario_post_page_move],
    "Page.save": [scenario_page_save],
    "Page.delete": [scenario_page_delete],
    "wagtailcore.PageViewRestriction.save": [scenario_page_restriction_save],
    "wagtailcore.PageViewRestriction.delete": [scenario_page_restriction_delete],
    "wagtailcore.PageViewRestriction.groups": [scenario_page_restriction_groups],
    "wagtailcore.CollectionViewRestriction.save": [scenario_collection_restriction_save],
    "wagtailcore.CollectionViewRestriction.delete": [scenario_collection_restriction_delete],
    "wagtailcore.CollectionViewRestriction.groups": [scenario_collection_restriction_groups],
    "media_library.CustomDocument.save": [scenario_document_save],
    "media_library.CustomDocument.delete": [scenario_document_delete],
    "media_library.CustomImage.save": [scenario_image_save],
    "media_library.CustomImage.delete": [scenario_image_delete],
    "wagtailcore.Site.save": [scenario_site_save],
    "wagtailcore.Site.delete": [scenario_site_delete],
    "User.groups": [scenario_user_groups],
    "pages.Topic.save": [scenario_topic_save],
    "pages.Topic.delete": [scenario_topic_delete],
    "pages.Person.save": [scenario_person_save],
    "pages.Person.delete": [scenario_person_delete],
    "community.Agency.save": [scenario_agency_save],
    "community.Agency.delete": [scenario_agency_delete],
    "community.AgencyContact.save": [scenario_agency_contact_save],
    "community.AgencyContact.delete": [scenario_agency_contact_delete],
    "community.Member.save": [scenario_member_save],
    "community.Member.delete": [scenario_member_delete],
}


def test_every_tracked_path_has_a_scenario():
    assert {path.name for path in content_version.tracked()} == set(SCENARIOS)


@pytest.mark.parametrize(
    "scenario", [scenario for scenarios in SCENARIOS.values() for scenario in scenarios], ids=lambda s: s.__name__
)
def test_the_write_bumps_the_version(scenario, home_page, event_index):
    write = scenario({"home_page": home_page, "event_index": event_index})
    before = counter()
    write()
    assert counter() > before


def test_a_rolled_back_write_leaves_the_version_as_it_was(event_index):
    page = TrainingEventPageFactory(parent=event_index, live=False)
    before, before_key = counter(), content_version.current()
    bumped = []

    def publish_then_fail():
        with transaction.atomic():
            page.save_revision().publish()
            bumped.append(counter())  # bumped inside the publish's transaction...
            raise RuntimeError("the publish fails after the bump")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert bumped[0] > before
    assert counter() == before  # ...and gone with it
    assert content_version.current() == before_key


def test_a_passing_expiry_moves_the_version_without_any_write(event_index):
    page = publish(TrainingEventPageFactory(parent=event_index))
    type(page).objects.filter(pk=page.pk).update(expire_at=timezone.now() + timedelta(hours=1))
    before = content_version.current()
    type(page).objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(seconds=1))  # time passed
    assert content_version.current() != before


def test_reading_the_version_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        content_version.current()
