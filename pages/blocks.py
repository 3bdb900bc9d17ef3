"""StreamField blocks shared by every page type.

Each block is a typed structure (no raw HTML blocks) so the GraphQL API can expose it field by field and a partner
site can render it in its own design.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.text import slugify
from wagtail import blocks
from wagtail.blocks import StreamBlockValidationError
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
    body = BodyBlock()

    class Meta:
        icon = "doc-full-inverse"
        template = "pages/blocks/chapter.html"


class ChaptersBlock(blocks.StreamBlock):
    """The eGuide's chapters: every chapter gets a slug (from its title when left empty), unique in the guide, so
    partner sites can link to a chapter."""

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
        if errors:
            raise StreamBlockValidationError(block_errors=errors)
        return value
