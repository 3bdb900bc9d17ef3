"""StreamField blocks shared by every page type.

Each block is a typed structure (no raw HTML blocks) so the GraphQL API can expose it field by field and a partner
site can render it in its own design.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images import blocks as image_blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from pages.validators import validate_web_url
from pages.viewer import viewer_may_see

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class WebURLBlock(blocks.URLBlock):
    """A URL block that accepts only http(s) links."""

    def clean(self, value):
        value = super().clean(value)
        validate_web_url(value)
        return value


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(choices=[("h2", "Heading 2"), ("h3", "Heading 3"), ("h4", "Heading 4")], default="h2")

    class Meta:
        icon = "title"
        template = "pages/blocks/heading.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "pages/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=80, help_text="The button text, e.g. 'Register for the training'.")
    url = WebURLBlock(help_text="Where the button goes (https://...).")

    class Meta:
        icon = "link"
        template = "pages/blocks/call_to_action.html"


class ImageBlock(image_blocks.ImageBlock):
    """Wagtail's image block, rendered on the CMS's own pages only for a visitor who may see the image (nothing
    otherwise, as the GraphQL API gives null). Deconstructs as Wagtail's, so migrations do not change."""

    def render(self, value, context=None):
        return super().render(value, context) if viewer_may_see(value) else ""


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    label = blocks.CharBlock(required=False, max_length=120, help_text="Defaults to the document title.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        # The link only for a visitor who may download the file; the label stays, the title of a private one does not.
        context["document"] = value["document"] if viewer_may_see(value["document"]) else None
        return context

    class Meta:
        icon = "doc-full"
        template = "pages/blocks/document_link.html"


class TopicListBlock(blocks.StructBlock):
    """A titled list of topics, e.g. the technical-assistance focus areas."""

    heading = blocks.CharBlock(max_length=120)
    topics = blocks.ListBlock(SnippetChooserBlock("pages.Topic"))

    class Meta:
        icon = "list-ul"
        template = "pages/blocks/topic_list.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    document = DocumentLinkBlock()
    topic_list = TopicListBlock()


CHAPTER_SLUG_LENGTH = 100


def chapter_slug(value) -> str:
    """A chapter's slug: the one stored, else (chapters saved before slugs existed) one made from its title."""
    return (value.get("slug") or "").strip() or slugify(value.get("title") or "")[:CHAPTER_SLUG_LENGTH]


GUIDE_KEY_LENGTH = 60
MAX_CHECKLIST_ITEMS = 30
MAX_QUESTIONS = 20
TEXT_ANSWER_LIMIT = 2000  # the longest free-text answer an editor may allow
SCALE_MIN, SCALE_MAX = 1, 5
DEFAULT_TEXT_ANSWER_LENGTH = 500


def _key_block(what: str) -> blocks.CharBlock:
    return blocks.CharBlock(
        required=False,
        max_length=GUIDE_KEY_LENGTH,
        validators=[validate_slug],
        help_text=f"The {what}'s id, unique in the guide, e.g. 'mou-signed'. Members' saved progress refers to it: "
        "once the guide is published, keep it when you reword the text. Leave empty to make one from the text.",
    )


class ChecklistItemBlock(blocks.StructBlock):
    key = _key_block("item")
    text = blocks.CharBlock(max_length=300, help_text="What the member can tick off, e.g. 'A signed MOU is on file'.")

    class Meta:
        icon = "tick"


class InteractiveBlock(blocks.StructBlock):
    """What a checklist and a self-assessment both start with."""

    heading = blocks.CharBlock(max_length=120)
    intro = blocks.TextBlock(required=False, help_text="A sentence or two before the list.")


class ChecklistBlock(InteractiveBlock):
    """Things a member ticks off as their agency does them; which ones they ticked is saved as their progress."""

    items = blocks.ListBlock(ChecklistItemBlock(), min_num=1, max_num=MAX_CHECKLIST_ITEMS)

    class Meta:
        icon = "tasks"
        template = "pages/blocks/checklist.html"


class QuestionKind(models.TextChoices):
    """How a self-assessment question is answered."""

    SCALE = "scale", f"Scale: a number from {SCALE_MIN} to {SCALE_MAX} between two labelled ends."
    YES_NO = "yes_no", "Yes or no."
    TEXT = "text", "Free text, up to the question's maximum length."


class AssessmentQuestionBlock(blocks.StructBlock):
    key = _key_block("question")
    prompt = blocks.CharBlock(max_length=300)
    kind = blocks.ChoiceBlock(choices=QuestionKind.choices, default=QuestionKind.SCALE)
    scale_low_label = blocks.CharBlock(
        required=False, max_length=60, help_text=f"Scale questions: what {SCALE_MIN} means, e.g. 'Not started'."
    )
    scale_high_label = blocks.CharBlock(
        required=False, max_length=60, help_text=f"Scale questions: what {SCALE_MAX} means, e.g. 'Fully in place'."
    )
    max_length = blocks.IntegerBlock(
        required=False,
        min_value=1,
        max_value=TEXT_ANSWER_LIMIT,
        help_text=f"Free-text questions: the longest answer in characters (default 500, at most {TEXT_ANSWER_LIMIT}).",
    )

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if value["kind"] == QuestionKind.SCALE:
            for name in ("scale_low_label", "scale_high_label"):
                if not value.get(name):
                    errors[name] = ValidationError("A scale question needs both ends labelled.")
        if value["kind"] == QuestionKind.TEXT and not value.get("max_length"):
            value["max_length"] = DEFAULT_TEXT_ANSWER_LENGTH
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    class Meta:
        icon = "help"


class SelfAssessmentBlock(InteractiveBlock):
    """Questions a member answers about their own agency; the answers are saved as their private progress."""

    questions = blocks.ListBlock(AssessmentQuestionBlock(), min_num=1, max_num=MAX_QUESTIONS)

    class Meta:
        icon = "form"
        template = "pages/blocks/self_assessment.html"


class ChapterBodyBlock(BodyBlock):
    """A chapter's content: every body block, plus the interactive ones members save progress on."""

    checklist = ChecklistBlock()
    self_assessment = SelfAssessmentBlock()


class ChapterBlock(blocks.StructBlock):
    """One chapter of the interactive eGuide."""

    title = blocks.CharBlock(max_length=150)
    slug = blocks.CharBlock(
        required=False,
        max_length=CHAPTER_SLUG_LENGTH,
        validators=[validate_slug],
        help_text="The chapter's address within the guide, e.g. 'building-partnerships'. Leave empty to make one "
        "from the title.",
    )
    summary = blocks.TextBlock(required=False, help_text="One or two sentences shown in the table of contents.")
    body = ChapterBodyBlock()

    class Meta:
        icon = "doc-full-inverse"
        template = "pages/blocks/chapter.html"


INTERACTIVE_LISTS = {"checklist": ("items", "text"), "self_assessment": ("questions", "prompt")}


def _list_values(raw) -> list:
    """ListBlock raw data: [{"type": "item", "value": v, "id": ...}] (current) or [v, ...] (legacy)."""
    return [item["value"] if isinstance(item, dict) and item.get("type") == "item" else item for item in raw or []]


def assign_keys(entries: list[tuple[str, str]]) -> tuple[list[str], set[str]]:
    """The key of each (given key, text) entry of a guide, in order, and the given keys used more than once.

    A given key is kept; an empty one is made from the text (a number added when taken). Given keys are reserved
    first, so a made key never takes one an editor typed further down. The admin's clean stores what it makes, so
    a key survives later rewording; content saved without the admin gets the same keys every time it is read."""
    taken, duplicated = set(), set()
    for given, _text in entries:
        if given:
            (duplicated if given in taken else taken).add(given)
    keys = []
    for given, text in entries:
        key = given
        if not key:
            base = slugify(text or "")[: GUIDE_KEY_LENGTH - 4].strip("-") or "item"
            key, number = base, 1
            while key in taken:
                number += 1
                key = f"{base}-{number}"
            taken.add(key)
        keys.append(key)
    return keys, duplicated


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    max_length: int  # what a text answer may hold (every kind has one; only TEXT questions use it)

    @classmethod
    def from_raw(cls, key: str, raw: dict) -> "Question":
        kind = raw.get("kind") if raw.get("kind") in QuestionKind.values else QuestionKind.SCALE
        length = raw.get("max_length") if isinstance(raw.get("max_length"), int) else 0
        return cls(key, kind, min(length or DEFAULT_TEXT_ANSWER_LENGTH, TEXT_ANSWER_LIMIT))


@dataclass(frozen=True)
class ChapterOutline:
    """What members' progress on one chapter may refer to: its slug, checklist items and questions."""

    slug: str
    title: str
    items: tuple[str, ...]
    questions: dict[str, Question] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """How many things there are to do in the chapter (items to tick, questions to answer)."""
        return len(self.items) + len(self.questions)


def _chapter_values(raw_chapters) -> list[dict]:
    return [
        raw["value"]
        for raw in raw_chapters or []
        if isinstance(raw, dict) and raw.get("type") == "chapter" and isinstance(raw.get("value"), dict)
    ]


def _raw_entries(raw_chapters):
    """(chapter index, (list name, text name), raw entry) of every checklist item and question in stored
    chapters."""
    for index, value in enumerate(_chapter_values(raw_chapters)):
        for child in value.get("body") or []:
            names = INTERACTIVE_LISTS.get(child.get("type")) if isinstance(child, dict) else None
            if names is not None and isinstance(child.get("value"), dict):
                for entry in _list_values(child["value"].get(names[0])):
                    if isinstance(entry, dict):
                        yield index, names, entry


def keys_missing(raw_chapters) -> bool:
    return any(not entry.get("key") for _, _, entry in _raw_entries(raw_chapters))


def guide_outline(raw_chapters) -> list[ChapterOutline]:
    """The chapters of a guide's stored (raw) `chapters`, with their item and question keys, in order. Read from
    the raw JSON: no block is converted, no chooser loads anything."""
    chapters = _chapter_values(raw_chapters)
    entries = [
        (index, names[0], entry.get("key") or "", entry.get(names[1]), entry)
        for index, names, entry in _raw_entries(raw_chapters)
    ]
    keys, _ = assign_keys([(given, text) for _, _, given, text, _ in entries])
    items, questions = [[] for _ in chapters], [{} for _ in chapters]
    for (index, list_name, _, _, entry), key in zip(entries, keys, strict=True):
        if list_name == "items":
            items[index].append(key)
        else:
            questions[index][key] = Question.from_raw(key, entry)
    return [
        ChapterOutline(chapter_slug(value), value.get("title") or "", tuple(items[index]), questions[index])
        for index, value in enumerate(chapters)
    ]


class ChaptersBlock(blocks.StreamBlock):
    """The eGuide's chapters: every chapter gets a slug (from its title when left empty), unique in the guide, so
    partner sites can link to a chapter; every checklist item and self-assessment question gets a key (from its
    text when left empty), unique in the guide, which members' saved progress refers to."""

    chapter = ChapterBlock()

    def clean(self, value):
        value = super().clean(value)
        seen, errors = set(), {}
        for index, child in enumerate(value):
            if not child.value.get("slug"):
                child.value["slug"] = chapter_slug(child.value)
            slug = child.value["slug"]
            if not slug:
                errors[index] = ValidationError("Enter a slug: the title has no letters or digits to make one from.")
            elif slug in seen:
                errors[index] = ValidationError(f"Another chapter already uses the slug “{slug}”: enter another.")
            seen.add(slug)
        self._clean_keys(value, errors)
        if errors:
            raise StreamBlockValidationError(block_errors=errors)
        return value

    @classmethod
    def fill_keys(cls, value) -> None:
        """Give every checklist item and question of `value` (a StreamValue of chapters) its key, in place."""
        cls._clean_keys(value, {})

    @staticmethod
    def _clean_keys(value, errors: dict) -> None:
        entries = []  # (chapter index, the entry's StructValue, its text)
        for index, child in enumerate(value):
            for block in child.value["body"]:
                names = INTERACTIVE_LISTS.get(block.block_type)
                if names is not None:
                    entries.extend((index, entry, entry.get(names[1])) for entry in block.value[names[0]])
        keys, duplicated = assign_keys([(entry.get("key") or "", text) for _, entry, text in entries])
        for (index, entry, _), key in zip(entries, keys, strict=True):
            entry["key"] = key
            if key in duplicated and index not in errors:
                errors[index] = ValidationError(
                    f"The id “{key}” is given to more than one checklist item or question in this guide: ids must be "
                    "unique, because members' saved progress refers to them."
                )
