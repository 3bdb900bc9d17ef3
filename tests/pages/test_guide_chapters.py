"""eGuide chapters get a slug partner sites can link to: made from the title when left empty, unique in the guide,
a valid slug; what the admin's form runs (the chapters block's clean)."""

import pytest
from wagtail.blocks import StreamBlockValidationError

from pages.blocks import ChaptersBlock, chapter_slug

pytestmark = pytest.mark.django_db


def cleaned(*chapters):
    block = ChaptersBlock()
    raw = [
        {
            "type": "chapter",
            "value": {
                "title": title,
                "slug": slug,
                "summary": "",
                "body": [{"type": "paragraph", "value": "<p>Text</p>"}],
            },
        }
        for title, slug in chapters
    ]
    return block.clean(block.to_python(raw))


def test_an_empty_slug_is_made_from_the_title():
    value = cleaned(("Building Partnerships", ""), ("Why CIT?", "why"))
    assert [child.value["slug"] for child in value] == ["building-partnerships", "why"]
    assert ChaptersBlock().get_prep_value(value)[0]["value"]["slug"] == "building-partnerships"


@pytest.mark.parametrize(
    "chapters",
    [
        (("Why CIT", "why"), ("Why not", "why")),  # the same slug twice
        (("Why CIT", ""), ("Why CIT", "")),  # the same title twice, no slugs
        (("Why CIT", ""), ("Other", "why-cit")),  # a given slug equal to a made one
        (("???", ""),),  # nothing to make a slug from
    ],
)
def test_chapters_without_a_unique_slug_are_refused(chapters):
    with pytest.raises(StreamBlockValidationError) as refused:
        cleaned(*chapters)
    assert refused.value.block_errors


@pytest.mark.parametrize("slug", ["not a slug", "a/b", "x" * 101, "<script>"])
def test_a_malformed_slug_is_refused(slug):
    with pytest.raises(StreamBlockValidationError):
        cleaned(("Why CIT", slug))


def test_chapters_saved_before_slugs_get_one_from_their_title():
    assert chapter_slug({"title": "Measuring Success"}) == "measuring-success"
    assert chapter_slug({"title": "Measuring Success", "slug": "metrics"}) == "metrics"
    assert chapter_slug({}) == ""
