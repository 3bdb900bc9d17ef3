"""Object types of the StreamField blocks: Wagtail's rich text and image blocks and those of `pages.blocks`.

They live in the framework rather than in `pages`, which stays a leaf (it imports no other app, the API included),
and every content app's StreamFields use them. Blocks hold bare ids (choosers never store loaded objects): each id
is resolved through the request's `Loader`, so an image or document the caller may not see comes back as null
and a topic list leaves out what is gone. Document, image and topic types are looked up in the registry.
"""

import graphene
from django.conf import settings
from wagtail import blocks

from integrations.graphql.fields import choices_enum
from integrations.graphql.interfaces import StreamFieldBlockInterface, stream_values
from integrations.graphql.loaders import get_loader, image_id, list_items
from integrations.graphql.registry import registry
from integrations.graphql.richtext import render_rich_text
from pages import blocks as page_blocks
from pages.blocks import chapter_slug
from pages.models import Topic


def struct_field(name: str, required: bool = False, description: str | None = None):
    """A String field read from the block's stored value."""
    return graphene.String(
        required=required,
        description=description,
        resolver=lambda value, info: value.get(name) or ("" if required else None),
    )


def block_meta(name: str) -> type:
    return type("Meta", (), {"name": name, "interfaces": (StreamFieldBlockInterface,)})


@registry.register_block(page_blocks.HeadingBlock)
class HeadingBlockType(graphene.ObjectType):
    """A section heading within the page's content."""

    text = struct_field("text", required=True, description="The heading's words (plain text).")
    level = struct_field("level", required=True, description="The HTML heading element to use: h2, h3 or h4.")
    Meta = block_meta("HeadingBlock")


@registry.register_block(blocks.RichTextBlock)
class RichTextBlockType(graphene.ObjectType):
    """Paragraphs of formatted text: headings, lists, emphasis and links."""

    html = graphene.String(required=True, description="HTML; internal links point at public URLs.")
    Meta = block_meta("RichTextBlock")

    @staticmethod
    def resolve_html(value, info):
        return render_rich_text(value.raw, get_loader(info))


@registry.register_block(page_blocks.ImageBlock)
class ImageBlockType(graphene.ObjectType):
    """An image placed in the content, with the alt text chosen for this place."""

    image = graphene.Field(
        registry.lazy(settings.WAGTAILIMAGES_IMAGE_MODEL), description="Null when the image is gone or private."
    )
    alt = graphene.String(
        required=True,
        description='Alt text for this use of the image (else the image\'s own); empty when decorative: render alt="".',
    )
    decorative = graphene.Boolean(
        required=True, description="True when the image adds nothing for screen-reader users (empty alt)."
    )
    Meta = block_meta("ImageBlock")

    @staticmethod
    def resolve_image(value, info):
        pk = image_id(value.raw)
        return get_loader(info).image(pk) if pk is not None else None

    @staticmethod
    def resolve_alt(value, info):
        if value.get("decorative"):
            return ""
        image = ImageBlockType.resolve_image(value, info)
        return value.get("alt_text") or (image.description if image else "")

    @staticmethod
    def resolve_decorative(value, info):
        return bool(value.get("decorative"))


@registry.register_block(page_blocks.QuoteBlock)
class QuoteBlockType(graphene.ObjectType):
    """A pull quote or testimonial."""

    quote = struct_field("quote", required=True, description="The quoted words (plain text; line breaks kept).")
    attribution = struct_field("attribution", description="Who said it, e.g. a name and agency; null when not given.")
    Meta = block_meta("QuoteBlock")


@registry.register_block(page_blocks.CallToActionBlock)
class CallToActionBlockType(graphene.ObjectType):
    """A button-style link, e.g. "Register for the training"."""

    label = struct_field("label", required=True, description="The button's text.")
    url = struct_field("url", required=True, description="Where the button goes (an https URL).")
    Meta = block_meta("CallToActionBlock")


@registry.register_block(page_blocks.DocumentLinkBlock)
class DocumentLinkBlockType(graphene.ObjectType):
    """A link to download a document (e.g. a PDF toolkit)."""

    document = graphene.Field(
        registry.lazy(settings.WAGTAILDOCS_DOCUMENT_MODEL), description="Null when the document is gone or private."
    )
    label = graphene.String(required=True, description="The label, or the document's title.")
    Meta = block_meta("DocumentLinkBlock")

    @staticmethod
    def resolve_document(value, info):
        pk = value.get("document")
        return get_loader(info).document(pk) if isinstance(pk, int) else None

    @staticmethod
    def resolve_label(value, info):
        document = DocumentLinkBlockType.resolve_document(value, info)
        return value.get("label") or (document.title if document else "")


@registry.register_block(page_blocks.TopicListBlock)
class TopicListBlockType(graphene.ObjectType):
    """A titled list of topics, e.g. the technical-assistance focus areas."""

    heading = struct_field("heading", required=True, description="The list's heading (plain text).")
    topics = graphene.List(
        graphene.NonNull(registry.lazy(Topic)),
        required=True,
        description="The topics, in the editors' order (deleted ones left out).",
    )
    Meta = block_meta("TopicListBlock")

    @staticmethod
    def resolve_topics(value, info):
        loader = get_loader(info)
        topics = (loader.topic(pk) for pk in list_items(value.get("topics")) if isinstance(pk, int))
        return [topic for topic in topics if topic is not None]


class ChecklistItemType(graphene.ObjectType):
    """One thing to tick off in a checklist."""

    key = graphene.String(
        required=True,
        description="The item's id, unique in the guide and kept when the text is reworded: send it in "
        "saveGuideProgress(checkedItems:).",
    )
    text = graphene.String(required=True, description="What the member ticks off (plain text).")

    class Meta:
        name = "ChecklistItem"


def _entries(value, list_name: str) -> list[dict]:
    return [entry for entry in list_items(value.get(list_name)) if isinstance(entry, dict)]


class InteractiveFields:
    """What a checklist and a self-assessment both start with."""

    heading = struct_field("heading", required=True, description="The heading (plain text).")
    intro = struct_field("intro", description="A sentence or two before the list; null when not given.")


@registry.register_block(page_blocks.ChecklistBlock)
class ChecklistBlockType(InteractiveFields, graphene.ObjectType):
    """A checklist in an eGuide chapter: things a member ticks off as their agency does them. Which ones a member
    ticked is their own progress (guideProgress, saveGuideProgress)."""

    items = graphene.List(
        graphene.NonNull(ChecklistItemType), required=True, description="The items, in the editors' order."
    )
    Meta = block_meta("ChecklistBlock")

    @staticmethod
    def resolve_items(value, info):
        return [
            ChecklistItemType(key=entry.get("key") or "", text=entry.get("text") or "")
            for entry in _entries(value, "items")
        ]


QuestionKindEnum = choices_enum(page_blocks.QuestionKind)


class AssessmentQuestionType(graphene.ObjectType):
    """One self-assessment question and how it is answered."""

    key = graphene.String(
        required=True,
        description="The question's id, unique in the guide and kept when the prompt is reworded: send it in "
        "saveGuideProgress(answers: [{question:}]).",
    )
    prompt = graphene.String(required=True, description="The question (plain text).")
    kind = QuestionKindEnum(required=True, description="How it is answered: SCALE, YES_NO or TEXT.")
    scale_low_label = graphene.String(description=f"SCALE: what {page_blocks.SCALE_MIN} means; null otherwise.")
    scale_high_label = graphene.String(description=f"SCALE: what {page_blocks.SCALE_MAX} means; null otherwise.")
    max_length = graphene.Int(description="TEXT: the longest answer accepted, in characters; null otherwise.")

    class Meta:
        name = "AssessmentQuestion"


def _question(entry: dict) -> AssessmentQuestionType:
    question = page_blocks.Question.from_raw(entry.get("key") or "", entry)
    scale = question.kind == page_blocks.QuestionKind.SCALE
    return AssessmentQuestionType(
        key=question.key,
        prompt=entry.get("prompt") or "",
        kind=question.kind,
        scale_low_label=(entry.get("scale_low_label") or "") if scale else None,
        scale_high_label=(entry.get("scale_high_label") or "") if scale else None,
        max_length=question.max_length if question.kind == page_blocks.QuestionKind.TEXT else None,
    )


@registry.register_block(page_blocks.SelfAssessmentBlock)
class SelfAssessmentBlockType(InteractiveFields, graphene.ObjectType):
    """A self-assessment in an eGuide chapter: questions a member answers about their own agency. Answers are the
    member's own and private (guideProgress, saveGuideProgress)."""

    questions = graphene.List(
        graphene.NonNull(AssessmentQuestionType), required=True, description="The questions, in the editors' order."
    )
    Meta = block_meta("SelfAssessmentBlock")

    @staticmethod
    def resolve_questions(value, info):
        return [_question(entry) for entry in _entries(value, "questions")]


@registry.register_block(page_blocks.ChapterBlock)
class ChapterBlockType(graphene.ObjectType):
    """One chapter of the interactive eGuide; its block `id` is stable, usable as an anchor."""

    title = struct_field("title", required=True, description="The chapter's title.")
    slug = graphene.String(
        required=True,
        description="The chapter's address within its guide, e.g. building-partnerships: pass it to "
        "guide { chapter(slug:) }.",
        resolver=lambda value, info: chapter_slug(value),
    )
    summary = struct_field("summary", description="A sentence about the chapter; null when not given.")
    body = graphene.List(
        graphene.NonNull(StreamFieldBlockInterface),
        required=True,
        description="The chapter's content as typed blocks: a page body's blocks, plus ChecklistBlock and "
        "SelfAssessmentBlock.",
    )
    Meta = block_meta("ChapterBlock")

    @staticmethod
    def resolve_body(value, info):
        return stream_values(value.block.child_blocks["body"], value.get("body"))
