"""A partner writes "we never got msg_…": staff find that delivery in the admin by its webhook-id, read what went
wrong in plain words, and resend it, in headless Chromium. The delivery failed for real (tests/integrations/
webhooks/conftest.py: the worker sent it to a port where nothing listens)."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from integrations.webhooks.models import Delivery, DeliveryStatus
from tests.browser_helpers import admin_browser, log_in
from tests.integrations.webhooks.conftest import FAILED_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_find_a_failed_delivery_by_its_webhook_id_and_resend_it(
    chromium, live_server, tmp_path, failed_delivery, event_index
):
    ops = User.objects.create_superuser("ops", "ops@ncpi.example.org", "ops-secret")
    webhook_id = failed_delivery.message.webhook_id

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, ops)
        page.get_by_role("button", name="Webhooks").click()
        page.get_by_role("link", name="Delivery log").click()
        page.get_by_role("textbox", name="Search term").fill(f" {webhook_id} ")  # pasted from a partner's email
        page.keyboard.press("Enter")

        rows = page.locator("table.listing tbody tr")
        expect(rows).to_have_count(1)
        row = rows.first
        expect(row).to_contain_text(f"event.published: {FAILED_TITLE}")
        expect(row).to_contain_text("CIT International (staging)")
        expect(row).to_contain_text(webhook_id)
        expect(row).to_contain_text("refused the connection")
        expect(row).not_to_contain_text("ConnectionRefusedError")

        row.get_by_role("link", name=f"event.published: {FAILED_TITLE}").click()
        expect(page).to_have_url(re.compile(rf"/deliveries/inspect/{failed_delivery.pk}/$|/{failed_delivery.pk}/$"))
        expect(page.get_by_text("Next retry", exact=True)).to_be_visible()
        expect(page.get_by_role("table")).to_contain_text("refused the connection")
        expect(page.locator("pre code")).to_contain_text('"type": "event.published"')

        page.get_by_role("link", name="Resend").click()
        expect(page.get_by_text("Send this message to this endpoint again, with the same webhook-id?")).to_be_visible()
        page.get_by_role("button", name="Resend").click()
        expect(page.get_by_text("Delivery queued again.")).to_be_visible()

    # A fresh delivery of the same message (same webhook-id, so the partner can dedupe); the failed one's log stays.
    [resent] = Delivery.objects.exclude(pk=failed_delivery.pk)
    assert (resent.message_id, resent.endpoint_id, resent.status) == (
        failed_delivery.message_id,
        failed_delivery.endpoint_id,
        DeliveryStatus.PENDING,
    )
    failed_delivery.refresh_from_db()
    assert failed_delivery.attempts == 1
