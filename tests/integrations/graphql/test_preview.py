"""Headless preview: a draft reaches the partner's preview front end only with a genuine, unexpired token."""

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory, override_settings
from wagtail_headless_preview.models import PagePreview

from events.factories import TrainingEventPageFactory
from events.models import TrainingEventPage
from pages.preview import PARTNER_PREVIEW_MODE
from tests.integrations.graphql.helpers import data, error_messages

pytestmark = pytest.mark.django_db

PREVIEW = "query ($token: String!) { preview(token: $token) { title ... on TrainingEventPage { summary } } }"


@pytest.fixture
def draft(event_index):
    event = TrainingEventPageFactory(parent=event_index, title="Live title", slug="preview-me")
    event.title = "Draft title"
    event.summary = "Draft summary"
    return event


def test_partner_preview_mode_stores_the_draft_and_the_token_shows_it(draft):
    request = RequestFactory().get("/admin/")
    request.user = AnonymousUser()
    assert (PARTNER_PREVIEW_MODE, "Partner site") in draft.preview_modes
    assert ("", "Default") in draft.preview_modes
    response = draft.serve_preview(request, PARTNER_PREVIEW_MODE)
    assert response.status_code == 200
    token = PagePreview.objects.get().token
    assert data(PREVIEW, token=token)["preview"] == {"title": "Draft title", "summary": "Draft summary"}
    # The live version is untouched, and the ordinary lookups still show it.
    assert TrainingEventPage.objects.get(pk=draft.pk).title == "Live title"
    assert data('{ event(slug: "preview-me") { title } }')["event"] == {"title": "Live title"}


def test_expired_token_is_refused(draft, monkeypatch):
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 7200)
    token = draft.create_page_preview().token
    monkeypatch.undo()
    with override_settings(GRAPHQL_PREVIEW_TOKEN_MAX_AGE=3600):
        (message,) = error_messages(PREVIEW, token=token)
    assert message == "This preview token has expired: open the preview again from the admin."
    with override_settings(GRAPHQL_PREVIEW_TOKEN_MAX_AGE=3 * 3600):
        assert data(PREVIEW, token=token)["preview"]["title"] == "Draft title"


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature tampered
        lambda token: token.replace("id=", "id=9"),  # payload changed
        lambda token: "id=1:1tZ0aa:not-a-signature",
        lambda token: "",
        lambda token: "x" * 5000,
        lambda token: "'; DROP TABLE wagtail_headless_preview_pagepreview; --",
    ],
)
def test_forged_tokens_are_refused_without_internals(draft, forge):
    token = draft.create_page_preview().token
    (message,) = error_messages(PREVIEW, token=forge(token))
    assert message == "Invalid preview token."


def test_genuine_token_whose_preview_was_collected_is_a_clear_error(draft):
    token = draft.create_page_preview().token
    PagePreview.objects.all().delete()
    (message,) = error_messages(PREVIEW, token=token)
    assert message == "This preview is no longer available: open the preview again from the admin."
