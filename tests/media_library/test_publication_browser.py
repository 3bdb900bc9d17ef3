"""Publishing a publication as docs/editors.md tells it, in headless Chromium: the editor adds the page, uploads its
PDF from the document chooser (Public, the default), submits; a moderator approves both steps; partner sites then
read it over GraphQL with the page count the upload measured. The screenshots are the documentation's pictures
(tests/browser_helpers.py `screenshot_dir`)."""

import hashlib
import io
import re

import pytest
from playwright.sync_api import expect
from wagtail.models import Collection

from media_library.files import pdf_page_count
from media_library.models import PublicationPage
from media_library.pdf import Section, make_report_pdf
from pages.editorial import EDITORS, MODERATORS
from tests.browser_helpers import (
    SUBMIT_LABEL,
    admin_browser,
    approve_both_steps,
    graphql,
    log_in,
    log_out,
    open_action_menu,
    screenshot_dir,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Building a CIT program: a guide for new coordinators"
DOCUMENT_TITLE = "CIT coordinators' guide (PDF)"
QUERY = "{ publications { items { title publicationType document { title pageCount fileExtension } } } }"


def guide_pdf() -> bytes:
    sections = [
        Section(
            heading=f"{area}: where to start",
            paragraphs=[
                f"{area} is one of the areas a new CIT coordinator works on in the first year. " * 12,
                ["Name who owns it", "Agree on a first step", "Check back in three months"],
            ],
        )
        for area in ("Partnerships", "Policy and procedures", "Training", "Data and evaluation")
    ]
    return make_report_pdf("Building a CIT program", sections, subtitle="CIT ASSIST", cover=True)


def partner_reads(base_url: str) -> list[dict]:
    return graphql(base_url, None, QUERY)["publications"]["items"]


def test_editor_publishes_a_publication_with_its_pdf(
    chromium, live_server, publication_index, members_collection, users, tmp_path
):
    editor, moderator = users[EDITORS], users[MODERATORS]
    public = Collection.get_first_root_node().add_child(name="Public")
    pdf = tmp_path / "building-a-cit-program.pdf"
    pdf.write_bytes(guide_pdf())
    shots = screenshot_dir(tmp_path)

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, editor)
        page.goto(f"/admin/pages/{publication_index.pk}/add_subpage/")  # one page type allowed: its form opens
        expect(page).to_have_url(re.compile(r"/admin/pages/add/media_library/publicationpage/\d+/$"))
        page.locator("#id_title").fill(TITLE)
        page.locator("#id_publication_type").select_option("guide")
        page.locator("#id_publication_date").fill("2026-11-02")
        page.keyboard.press("Escape")  # close the date picker
        abstract = page.locator("[data-contentpath='abstract'] [contenteditable='true']")
        abstract.click()
        abstract.type("Where a new coordinator starts: partners, policy, training and data, with first steps.")

        # The PDF, uploaded from the document chooser: saved in Public unless the editor chooses otherwise.
        page.locator("[data-contentpath='document']").get_by_role("button", name="Choose a document").click()
        modal = page.get_by_role("dialog")
        modal.get_by_role("tab", name="Upload").click()
        who = modal.get_by_label("Who can see this file")
        expect(who.locator("option:checked")).to_have_text("Public: anyone, including partner sites")
        # Wagtail fills the title from the file's name; the editor replaces it with one readers understand.
        modal.locator("#id_document-chooser-upload-file").set_input_files(pdf)
        modal.locator("#id_document-chooser-upload-title").fill(DOCUMENT_TITLE)
        page.screenshot(path=shots / "publication-upload.png")
        modal.get_by_role("button", name="Upload").click()
        expect(modal).to_be_hidden()
        expect(page.locator("[data-contentpath='document']")).to_contain_text(DOCUMENT_TITLE)
        page.locator("#id_title").scroll_into_view_if_needed()
        page.screenshot(path=shots / "publication-form.png")

        open_action_menu(page)
        page.get_by_role("button", name=SUBMIT_LABEL).click()
        expect(page.get_by_text(f"Page '{TITLE}' created and submitted for moderation.")).to_be_visible()
        assert partner_reads(live_server.url) == []  # in review: nothing reaches partner sites yet
        log_out(page, editor)

        log_in(page, moderator)
        approve_both_steps(page, TITLE, publication_index)

    [item] = partner_reads(live_server.url)
    assert item["title"] == TITLE and item["publicationType"] == "GUIDE"
    assert item["document"]["title"] == DOCUMENT_TITLE and item["document"]["fileExtension"] == "pdf"
    assert item["document"]["pageCount"] == pdf_page_count(io.BytesIO(guide_pdf())) >= 3
    publication = PublicationPage.objects.get(title=TITLE)
    assert publication.live and publication.document.collection == public
    assert publication.document.sha256 == hashlib.sha256(guide_pdf()).hexdigest()
