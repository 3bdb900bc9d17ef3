"""Empty rich text round-trips as empty, so a form sent before Draftail has loaded does not count as changed."""

import json

import pytest
from django.conf import settings
from wagtail.admin.rich_text import get_rich_text_editor_widget

from cms.rich_text import DraftailRichTextAreaEmptyAsEmpty


def posted(blocks: list[dict]) -> str:
    return json.dumps({"blocks": blocks, "entityMap": {}}, indent=4)


def block(text: str = "", key: str = "2it6g", kind: str = "unstyled") -> dict:
    return {"key": key, "type": kind, "depth": 0, "text": text, "inlineStyleRanges": [], "entityRanges": []}


@pytest.fixture
def widget():
    editor = get_rich_text_editor_widget(
        features=settings.WAGTAILADMIN_RICH_TEXT_EDITORS["default"]["OPTIONS"]["features"]
    )
    assert isinstance(editor, DraftailRichTextAreaEmptyAsEmpty)  # the admin's default editor
    return editor


def test_the_empty_editor_wagtail_renders_comes_back_empty(widget):
    rendered = widget.format_value("")  # what the page carries before the editor's script runs
    assert widget.value_from_datadict({"transcript": rendered}, {}, "transcript") == ""


@pytest.mark.parametrize("blocks", [[block()], [block(key="a"), block(key="b")], [block("   ")]])
def test_only_empty_paragraphs_is_empty(widget, blocks):
    assert widget.value_from_datadict({"transcript": posted(blocks)}, {}, "transcript") == ""


def test_text_headings_and_lists_are_kept(widget):
    blocks = [block(), block("Opening remarks", key="h", kind="header-three"), block("Welcome", key="p")]
    value = widget.value_from_datadict({"transcript": posted(blocks)}, {}, "transcript")
    assert "Opening remarks" in value and "Welcome" in value and value.startswith("<p")


def test_nothing_sent_stays_nothing(widget):
    assert widget.value_from_datadict({}, {}, "transcript") is None
    assert widget.value_from_datadict({"transcript": "null"}, {}, "transcript") == ""
