"""The demo eGuide: one chapter per building block of a CIT program, each with a checklist and self-assessment
questions; the demo member's progress; reruns change nothing; a guide from an earlier demo is made interactive."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Revision

from community.models import GuideProgress
from demo.eguide import EARLIER_DEMO_CHAPTERS, MEMBER_PROGRESS
from pages.blocks import guide_outline
from pages.factories import paragraph
from pages.models import GuidePage
from tests.integrations.graphql.helpers import data

pytestmark = pytest.mark.django_db

PROGRESS = """{ guideProgress(slug: "cit-eguide") { chaptersVisited chaptersCompleted percentComplete
  chapters { chapter completed checkedItems answers { question scale yesNo text } } } }"""


def seed():
    call_command("seed_demo", "--allow-production", verbosity=0)


def state():
    return (
        sorted(GuideProgress.objects.values_list("chapter_slug", "checked_items", "answers", "completed")),
        Revision.objects.filter(object_id=str(GuidePage.objects.get().pk)).count(),
        GuidePage.objects.get().chapters.raw_data[0]["value"]["body"][-1]["value"],
    )


def test_the_guide_walks_through_the_building_blocks_and_the_member_is_part_way():
    seed()
    guide = GuidePage.objects.live().get(slug="cit-eguide")
    outline = guide_outline(guide.chapters.raw_data)
    assert len(outline) >= 7
    for chapter in outline:
        assert 3 <= len(chapter.items) <= 6, chapter.slug
        assert 1 <= len(chapter.questions) <= 4, chapter.slug
    slugs = {chapter.slug for chapter in outline}
    assert {"relationships-and-consensus", "policies-and-procedures", "training", "data-and-evaluation"} <= slugs
    for raw in guide.chapters.raw_data:
        paragraphs = [block for block in raw["value"]["body"] if block["type"] == "paragraph"]
        assert sum(len(block["value"]) for block in paragraphs) > 400, raw["value"]["slug"]  # substantive

    member = get_user_model().objects.get(username="member")
    found = data(PROGRESS, user=member)["guideProgress"]
    assert (found["chaptersVisited"], found["chaptersCompleted"]) == (len(MEMBER_PROGRESS), 1)
    assert 0 < found["percentComplete"] < 100
    first = found["chapters"][0]
    assert first["completed"] and len(first["checkedItems"]) == 4 and len(first["answers"]) == 3

    before = state()
    seed()
    assert state() == before


def test_a_guide_from_an_earlier_demo_is_made_interactive_and_an_edited_one_is_left_alone():
    seed()
    guide = GuidePage.objects.get(slug="cit-eguide")
    earlier = [
        ("chapter", {"title": slug, "slug": slug, "summary": "", "body": [paragraph("One sentence.")]})
        for slug in sorted(EARLIER_DEMO_CHAPTERS)
    ]
    guide.chapters = earlier
    guide.save_revision().publish()
    seed()
    guide.refresh_from_db()
    assert len(guide_outline(guide.chapters.raw_data)) >= 7
    assert all(chapter.steps for chapter in guide_outline(guide.chapters.raw_data))

    edited = [*earlier, ("chapter", {"title": "Our own", "slug": "our-own", "summary": "", "body": []})]
    guide.chapters = edited
    guide.save_revision().publish()
    seed()
    guide.refresh_from_db()
    assert [chapter.slug for chapter in guide_outline(guide.chapters.raw_data)][-1] == "our-own"
    # The member's stored progress on chapters that are gone is simply not shown.
    member = get_user_model().objects.get(username="member")
    assert data(PROGRESS, user=member)["guideProgress"]["chaptersVisited"] == 0
