"""Documents in the "Members only" collection are served to CoP members only, through Wagtail's serve view."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from media_library.factories import DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_only_document(members_collection):
    return DocumentFactory(title="CoP meeting notes", collection=members_collection)


def test_anonymous_download_is_sent_to_log_in(client, members_only_document):
    response = client.get(members_only_document.url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_non_member_cannot_download(client, members_only_document):
    client.force_login(get_user_model().objects.create_user("partner", password="pw"))
    response = client.get(members_only_document.url)
    assert response.status_code in {302, 403}
    assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_member_downloads_the_file(client, members_only_document, member):
    client.force_login(member)
    response = client.get(members_only_document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_public_document_downloads_for_anyone(client):
    document = DocumentFactory(title="CIT starter guide")
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_served_documents_carry_download_and_hardening_headers(client):
    document = DocumentFactory(title="CIT starter guide")
    response = client.get(document.url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_text_documents_are_served_as_attachments_with_their_type(client):
    document = DocumentFactory(title="Roster", file=ContentFile(b"agency,state\nHouston PD,TX\n", name="roster.csv"))
    response = client.get(document.url)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_document_url_with_a_wrong_or_hostile_filename_is_404(client):
    document = DocumentFactory(title="CIT starter guide")
    for name in ("other.pdf", "../../settings.py", "resource.pdf%00.html"):
        assert client.get(f"/documents/{document.pk}/{name}").status_code == 404


# --- caching: a restricted document's answers are private, a public one's are left as they are -----------------


def assert_private(response) -> None:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert "private" in directives, response.get("Cache-Control")
    assert not directives & {"public", "s-maxage"}


def test_a_member_downloading_a_members_only_document_gets_a_private_response(client, members_only_document, member):
    client.force_login(member)
    response = client.get(members_only_document.url)
    assert response.status_code == 200
    assert_private(response)
    revalidated = client.get(members_only_document.url, headers={"If-None-Match": response["ETag"]})
    assert revalidated.status_code == 304
    assert_private(revalidated)


def test_refusals_of_a_members_only_document_are_private_too(client, members_only_document):
    assert_private(client.get(members_only_document.url))  # anonymous: sent to sign in
    client.force_login(get_user_model().objects.create_user("partner", password="pw"))
    assert_private(client.get(members_only_document.url))  # not a member: 403


def test_a_public_document_is_not_marked_private(client, member):
    document = DocumentFactory(title="CIT starter guide")
    for viewer in (None, member):
        if viewer:
            client.force_login(viewer)
        response = client.get(document.url)
        assert response.status_code == 200
        assert "private" not in response.get("Cache-Control", "")
