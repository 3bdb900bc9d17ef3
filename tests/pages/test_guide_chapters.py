"""eGuide chapters get a slug partner sites can link to: made from the title when left empty, unique in the guide,
a valid slug; what the admin's form runs (the chapters block's clean)."""

import pytest
from wagtail.blocks import StreamBlockValidationError

from pages.blocks import (
    MAX_CHECKLIST_ITEMS,
    TEXT_ANSWER_LIMIT,
    ChaptersBlock,
    QuestionKind,
    chapter_slug,
    guide_outline,
)
from pages.factories import GuidePageFactory, checklist, question

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


# --- checklist items and self-assessment questions: keys members' progress refers to --------------------------


def interactive_chapter(title, *blocks):
    return {
        "type": "chapter",
        "value": {
            "title": title,
            "slug": "",
            "summary": "",
            "body": [{"type": kind, "value": v} for kind, v in blocks],
        },
    }


def items(*pairs):
    return ("checklist", {"heading": "Checklist", "intro": "", "items": [{"key": k, "text": t} for k, t in pairs]})


def questions(*entries):
    return ("self_assessment", {"heading": "Where are you?", "intro": "", "questions": list(entries)})


def cleaned_raw(*chapters):
    block = ChaptersBlock()
    return block.get_prep_value(block.clean(block.to_python(list(chapters))))


def test_empty_keys_are_made_from_the_text_unique_in_the_guide_and_stored():
    raw = cleaned_raw(
        interactive_chapter("Partnerships", items(("", "Sign an MOU"), ("mou", "Name a coordinator"))),
        interactive_chapter("Policy", items(("", "Sign an MOU")), questions(question("", "Do you have a policy?"))),
    )
    first = [item["value"]["key"] for item in raw[0]["value"]["body"][0]["value"]["items"]]
    second = raw[1]["value"]["body"]
    assert first == ["sign-an-mou", "mou"]
    assert second[0]["value"]["items"][0]["value"]["key"] == "sign-an-mou-2"  # taken in another chapter
    assert second[1]["value"]["questions"][0]["value"]["key"] == "do-you-have-a-policy"
    # Stored: rewording the text later keeps the key members' progress was saved under.
    raw[0]["value"]["body"][0]["value"]["items"][0]["value"]["text"] = "Sign a memorandum of understanding"
    assert guide_outline(cleaned_raw(*raw))[0].items == ("sign-an-mou", "mou")


def test_a_made_key_never_takes_one_typed_further_down():
    raw = cleaned_raw(interactive_chapter("One", items(("", "Train dispatchers"), ("train-dispatchers", "Other"))))
    assert [item["value"]["key"] for item in raw[0]["value"]["body"][0]["value"]["items"]] == [
        "train-dispatchers-2",
        "train-dispatchers",
    ]


@pytest.mark.parametrize(
    "chapters",
    [
        (interactive_chapter("One", items(("mou", "A"), ("mou", "B"))),),  # twice in one checklist
        (interactive_chapter("One", items(("mou", "A"))), interactive_chapter("Two", items(("mou", "B")))),
        (interactive_chapter("One", items(("policy", "A")), questions(question("policy", "Q?"))),),  # item = question
    ],
)
def test_a_key_typed_twice_in_the_guide_is_refused(chapters):
    with pytest.raises(StreamBlockValidationError) as refused:
        cleaned_raw(*chapters)
    assert "more than one" in str(refused.value.block_errors)


@pytest.mark.parametrize("key", ["not a key", "a/b", "x" * 61, "<b>"])
def test_a_malformed_key_is_refused(key):
    with pytest.raises(StreamBlockValidationError):
        cleaned_raw(interactive_chapter("One", items((key, "Text"))))


def test_a_scale_question_needs_both_ends_labelled_and_a_text_question_gets_a_length():
    unlabelled = question("q", "How far along?")
    unlabelled["scale_high_label"] = ""
    with pytest.raises(StreamBlockValidationError):
        cleaned_raw(interactive_chapter("One", questions(unlabelled)))
    text = question("notes", "What is missing?", "text")
    text["max_length"] = None
    raw = cleaned_raw(interactive_chapter("One", questions(text)))
    assert raw[0]["value"]["body"][0]["value"]["questions"][0]["value"]["max_length"] == 500
    too_long = question("notes", "What is missing?", "text", max_length=TEXT_ANSWER_LIMIT + 1)
    with pytest.raises(StreamBlockValidationError):
        cleaned_raw(interactive_chapter("One", questions(too_long)))


@pytest.mark.parametrize(
    "block",
    [
        ("checklist", {"heading": "Empty", "intro": "", "items": []}),
        items(*[("", f"Item {n}") for n in range(MAX_CHECKLIST_ITEMS + 1)]),
        ("self_assessment", {"heading": "Empty", "intro": "", "questions": []}),
    ],
)
def test_empty_and_oversized_lists_are_refused(block):
    with pytest.raises(StreamBlockValidationError):
        cleaned_raw(interactive_chapter("One", block))


def test_the_outline_reads_stored_content_without_converting_it():
    raw = cleaned_raw(
        interactive_chapter("Partnerships", items(("mou", "A")), questions(question("ready", "Ready?", "yes_no"))),
        interactive_chapter("Evaluation", questions(question("notes", "Notes?", "text", max_length=80))),
    )
    first, second = guide_outline(raw)
    assert (first.slug, first.items, first.steps) == ("partnerships", ("mou",), 2)
    assert first.questions["ready"].kind == QuestionKind.YES_NO
    assert second.questions["notes"].max_length == 80
    # Hostile or legacy shapes are skipped, not fatal.
    assert guide_outline([{"type": "chapter", "value": None}, {"type": "x"}, "junk"]) == []


def test_keys_left_empty_by_code_are_filled_when_the_guide_is_saved(course_index):
    guide = GuidePageFactory(
        parent=course_index,
        chapters=[
            ("chapter", {"title": "One", "slug": "one", "summary": "", "body": [checklist("C", [("", "Do it")])]})
        ],
    )
    guide.refresh_from_db()
    assert guide_outline(guide.chapters.raw_data)[0].items == ("do-it",)
    assert guide.chapters.raw_data[0]["value"]["body"][0]["value"]["items"][0]["value"]["key"] == "do-it"
