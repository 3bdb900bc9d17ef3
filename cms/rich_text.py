"""The admin's rich text editor (Draftail), with empty text saved as empty.

Wagtail renders an empty rich text field as contentstate holding one empty block. When the form is sent before
the editor's script has taken over (a moderator who clicks "Approve" while the page is still loading), that block
comes back as `<p data-block-key="…"></p>`, which differs from the stored "": the form then counts as changed,
saves a new revision and, with re-approval on edit, restarts the workflow instead of publishing. Text that is
only empty paragraphs is empty.
"""

import re

from wagtail.admin.rich_text import DraftailRichTextArea

EMPTY_PARAGRAPHS = re.compile(r'(\s*<p(?: data-block-key="[^"]*")?>\s*(?:<br/?>)?\s*</p>)*\s*')


class DraftailRichTextAreaEmptyAsEmpty(DraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return "" if value and EMPTY_PARAGRAPHS.fullmatch(value) else value
