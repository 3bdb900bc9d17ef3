"""Uploads as the Editors group would do them, in headless Chromium: an image uploaded without alt text is saved and
flagged until alt text is given, a collection is chosen by audience, and moving a members-only document to Public
needs the confirmation and is logged. Saves the upload screen for docs/editors.md."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from PIL import Image as PILImage
from playwright.sync_api import expect
from wagtail.models import Collection, CollectionViewRestriction, ModelLogEntry

from media_library.factories import DocumentFactory
from media_library.forms import LEFT_MEMBERS_ONLY
from media_library.models import CustomDocument, CustomImage
from pages.access import MEMBERS_GROUP
from pages.editorial import EDITORS
from tests.browser_helpers import admin_browser, log_in, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC = "Public: anyone, including partner sites"
MEMBERS = "Members only: signed-in members of the Community of Practice"


def photo(path: Path, colour: tuple[int, int, int]) -> Path:
    buffer = io.BytesIO()  # distinct colours: Wagtail asks about duplicates of identical files
    PILImage.new("RGB", (640, 360), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_editor_uploads_chooses_an_audience_and_moves_a_document_out_of_members_only(
    chromium, live_server, users, tmp_path
):
    editor = users[EDITORS]
    root = Collection.get_first_root_node()
    public, private = root.add_child(name="Public"), root.add_child(name="Members only")
    restriction = CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    document = DocumentFactory(title="Members' roster", collection=private)
    first = photo(tmp_path / "cit-class.jpg", (30, 90, 160))
    second = photo(tmp_path / "crisis-line.jpg", (200, 120, 40))

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, editor)
        page.goto("/admin/images/multiple/add/")
        audience = page.locator("#id_addimage_collection")
        expect(audience.locator("option:checked")).to_have_text(PUBLIC)
        expect(audience.locator("option")).to_have_count(2)
        expect(audience.locator("option", has_text=MEMBERS)).to_have_count(1)

        # Without alt text: saved at once, with a warning that stays until alt text is given.
        page.locator("#fileupload").set_input_files(first)
        item = page.locator("#upload-list > li").first
        expect(item.get_by_text("Saved, but not shown anywhere yet: add alt text.")).to_be_visible()
        page.screenshot(path=screenshot_dir(tmp_path) / "upload-images.png")
        item.get_by_label("Alt text").fill("Officers and clinicians in a CIT training class")
        item.get_by_role("button", name="Update").click()
        expect(page.locator("#upload-list > li").filter(has_text="cit-class")).to_have_count(0)

        # Into Members only, alt text given straight away.
        audience.select_option(label=MEMBERS)
        page.locator("#fileupload").set_input_files(second)
        item = page.locator("#upload-list > li").filter(has_text="crisis-line")
        expect(item.get_by_label("Alt text")).to_be_visible()
        item.get_by_label("Alt text").fill("A crisis line call taker at work")
        item.get_by_role("button", name="Update").click()
        expect(item).to_have_count(0)

        # A members-only document to Public: refused until confirmed.
        page.goto(f"/admin/documents/edit/{document.pk}/")
        page.get_by_label("Who can see this file").select_option(label=PUBLIC)
        page.get_by_role("button", name="Save").click()
        refusal = "This file will become visible to anyone, including partner sites. Tick"
        expect(page.get_by_text(refusal)).to_be_visible()
        page.get_by_label("Yes, make it visible to anyone").check()
        page.get_by_role("button", name="Save").click()
        expect(page).to_have_url(re.compile(r"/admin/documents/$"))

    images = {image.title: image for image in CustomImage.objects.all()}
    assert (images["cit-class"].collection, images["cit-class"].description) == (
        public,
        "Officers and clinicians in a CIT training class",
    )
    assert (images["crisis-line"].collection, images["crisis-line"].description) == (
        private,
        "A crisis line call taker at work",
    )
    assert CustomDocument.objects.get(pk=document.pk).collection == public
    entry = ModelLogEntry.objects.get(action=LEFT_MEMBERS_ONLY)
    assert (entry.user, entry.object_id) == (editor, str(document.pk))
