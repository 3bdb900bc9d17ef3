"""Attachments of real size on TA requests: a member uploads a file (POST /members/ta-attachments/, their bearer
token) and references the returned id in addTaMessage; TA staff attach files to replies in the admin. The same
checks as every upload, the size cap from settings, stored in the members-only collection, fetched only by the
requesting agency's members and TA staff; every refusal is clear and stores nothing."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community import services
from community.factories import AgencyFactory, TaRequestFactory, member_user, ta_staff_user
from community.models import TaMessage, TaRequestStatus, TaUpload
from media_library.models import CustomDocument
from media_library.pdf import make_pdf
from tests.integrations.graphql.helpers import data, user_in

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/members/ta-attachments/"
FOLLOW_UP = """
mutation ($input: AddTaMessageInput!) {
  addTaMessage(input: $input) {
    message { kind body attachment { title url } }
    errors { field message code }
  }
}
"""


def two_megabyte_pdf() -> bytes:
    """A real PDF (any viewer opens it) of about 2 MB: a call log of many lines."""
    line = "behavioral health, CIT officer dispatched, referred to mobile crisis"
    lines = [f"Call {n:06d}: {line}" for n in range(26000)]
    content = make_pdf("Franklin County CIT call log", lines)
    assert 2_000_000 <= len(content) <= 2_600_000
    return content


def upload(client, token, content: bytes, name="call-log.pdf", **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content)}, **headers, **extra)


def errors(response) -> list[dict]:
    return json.loads(response.content)["errors"]


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def ta_request(member, agency, focus_area):
    return TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member, status="in_progress")


@pytest.fixture
def ta_staff(db):
    return ta_staff_user("tstaff")


def test_a_member_uploads_a_2_mb_pdf_and_attaches_it(client, member, agency, ta_request, ta_staff, token_for):
    content = two_megabyte_pdf()
    response = upload(client, token_for(member), content)
    assert response.status_code == 201, response.content
    stored = json.loads(response.content)
    assert stored["filename"] == "call-log.pdf" and stored["size"] == len(content)
    pending = TaUpload.objects.get()
    document = pending.document
    assert str(pending.public_id) == stored["id"] and document.collection.name == "TA request attachments"

    # Until attached, only its uploader (and TA staff) may fetch it, not even a colleague.
    colleague = member_user("colleague", agency=agency)
    client.force_login(colleague)
    assert client.get(document.url).status_code == 403
    client.force_login(member)
    assert downloaded(client.get(document.url)) == content

    result = data(
        FOLLOW_UP,
        user=member,
        input={"taRequestId": str(ta_request.pk), "body": "Our call log.", "attachmentUploadId": stored["id"]},
    )["addTaMessage"]
    assert result["errors"] == [] and result["message"]["attachment"]["title"] == "call-log.pdf"
    assert TaMessage.objects.get().attachment == document and not TaUpload.objects.exists()

    for reader in (colleague, ta_staff):
        client.force_login(reader)
        assert downloaded(client.get(document.url)) == content
    client.force_login(member_user("outsider", agency=AgencyFactory(name="Elsewhere PD", state="TX")))
    assert client.get(document.url).status_code == 403
    client.logout()
    assert client.get(document.url).status_code in (302, 403)

    # Used once: the same id again is refused.
    again = data(
        FOLLOW_UP,
        user=member,
        input={"taRequestId": str(ta_request.pk), "body": "Again.", "attachmentUploadId": stored["id"]},
    )["addTaMessage"]
    assert again["errors"][0]["code"] == "not_found" and TaMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, 400, "invalid"),  # a type nobody may upload
        ("report.pdf", b"date,calls\n2026-01-01,4\n", 400, "invalid"),  # named .pdf, is text
        ("notes.txt", b"<script>alert(1)</script>", 400, "invalid"),  # markup
        ("empty.csv", b"", 400, "invalid"),
        ("big.csv", b"a,b\n" * 300_000, 413, "too_large"),  # 1.2 MB over a 1 MB cap: refused unread
        ("just-over.csv", b"a,b\n" * 262_147, 413, "too_large"),  # within the multipart allowance, over the cap
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(
    client, member, token_for, settings, name, content, status, code
):
    settings.TA_ATTACHMENT_MAX_BYTES = 1024 * 1024
    documents = CustomDocument.objects.count()
    response = upload(client, token_for(member), content, name=name)
    assert response.status_code == status, response.content
    [error] = errors(response)
    assert error["code"] == code and error["message"]
    assert not TaUpload.objects.exists() and CustomDocument.objects.count() == documents


def test_callers_who_may_not_upload(client, member, token_for, agency):
    content = b"date,calls\n2026-01-01,4\n"
    assert upload(client, None, content).status_code == 401  # anonymous
    assert errors(upload(client, "not-a-token", content))[0]["code"] == "UNAUTHENTICATED"
    partner = user_in("Partners", "partner-web")
    response = upload(client, token_for(partner), content)
    assert response.status_code == 403 and errors(response)[0]["code"] == "forbidden"
    agencyless = member_user("loner")  # a member without an agency
    assert upload(client, token_for(agencyless), content).status_code == 403
    # A signed-in session is not enough: the endpoint reads only the bearer token (no cookies, so no CSRF).
    client.force_login(member)
    assert upload(client, None, content).status_code == 401
    assert not TaUpload.objects.exists()


def test_malformed_requests(client, member, token_for, settings):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(member)}"}
    settings.GRAPHQL_CORS_ALLOWED_ORIGINS = ["https://partner.example.org"]
    preflight = client.options(UPLOAD_URL, HTTP_ORIGIN="https://partner.example.org")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://partner.example.org"
    assert "Access-Control-Allow-Origin" not in client.options(UPLOAD_URL, HTTP_ORIGIN="https://evil.example")
    assert client.get(UPLOAD_URL, **auth).status_code == 405
    assert client.post(UPLOAD_URL, "{}", content_type="application/json", **auth).status_code == 415
    assert errors(client.post(UPLOAD_URL, {"other": "x"}, **auth))[0]["code"] == "required"
    two = [SimpleUploadedFile("a.csv", b"a\n"), SimpleUploadedFile("b.csv", b"b\n")]
    assert client.post(UPLOAD_URL, {"file": two}, **auth).status_code == 400
    broken = client.post(
        UPLOAD_URL, b"--x\r\nContent-Disposition: form-data; name=", content_type="multipart/form-data", **auth
    )
    assert broken.status_code == 400
    # A path in the name is reduced to the name (Django's parser), never used as a path.
    response = upload(client, auth["HTTP_AUTHORIZATION"].split()[1], b"a,b\n", name="../../etc/calls.csv")
    assert response.status_code == 201 and json.loads(response.content)["filename"] == "calls.csv"
    assert TaUpload.objects.count() == 1


def test_uploads_are_rate_limited(client, member, token_for, settings):
    settings.TA_UPLOAD_RATE_LIMIT = 1
    token = token_for(member)
    assert upload(client, token, b"a,b\n", name="a.csv").status_code == 201
    response = upload(client, token, b"a,b\n", name="b.csv")
    assert response.status_code == 429 and errors(response)[0]["code"] == "RATE_LIMITED"
    assert TaUpload.objects.count() == 1


def test_an_upload_is_only_its_uploaders_for_their_agencys_requests(member, agency, focus_area, ta_request):
    pending = services.ta_upload_create(user=member, filename="calls.csv", content=b"date,calls\n")
    other_agency = AgencyFactory(name="Elsewhere PD", state="TX")
    outsider = member_user("outsider", agency=other_agency)
    their_request = TaRequestFactory(agency=other_agency, focus_area=focus_area, submitted_by=outsider)
    colleague = member_user("colleague", agency=agency)

    def follow_up(user, request, upload_id, body="More data.", **extra):
        values = {"taRequestId": str(request.pk), "body": body, "attachmentUploadId": upload_id, **extra}
        return data(FOLLOW_UP, user=user, input=values)["addTaMessage"]

    key = str(pending.public_id)
    assert follow_up(outsider, their_request, key)["errors"][0]["code"] == "not_found"  # someone else's upload
    assert follow_up(colleague, ta_request, key)["errors"][0]["code"] == "not_found"  # a colleague's: the uploader's
    assert follow_up(member, their_request, key)["errors"][0]["code"] == "not_found"  # another agency's request
    for bad in ("", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "1' OR '1'='1"):
        assert follow_up(member, ta_request, bad)["errors"][0]["code"] == "not_found"
    inline = {"filename": "x.csv", "contentBase64": "YSxiCg=="}
    assert follow_up(member, ta_request, key, attachment=inline)["errors"][0]["field"] == "attachmentUploadId"
    # A follow-up refused for its own reasons leaves the upload usable (all or nothing).
    assert follow_up(member, ta_request, key, body="   ")["errors"][0]["field"] == "body"
    assert not TaMessage.objects.exists() and TaUpload.objects.count() == 1
    assert follow_up(member, ta_request, key)["errors"] == []
    assert TaMessage.objects.get().attachment == pending.document


def test_closed_requests_and_expired_uploads_are_refused(member, ta_request):
    pending = services.ta_upload_create(user=member, filename="calls.csv", content=b"date,calls\n")
    ta_request.status = TaRequestStatus.CLOSED
    ta_request.save()
    values = {"taRequestId": str(ta_request.pk), "body": "x", "attachmentUploadId": str(pending.public_id)}
    assert data(FOLLOW_UP, user=member, input=values)["addTaMessage"]["errors"][0]["code"] == "finished"
    assert TaUpload.objects.count() == 1
    ta_request.status = TaRequestStatus.IN_PROGRESS
    ta_request.save()
    TaUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert data(FOLLOW_UP, user=member, input=values)["addTaMessage"]["errors"][0]["code"] == "not_found"


@pytest.mark.django_db(transaction=True)  # the real worker runs, committing and closing its connections
def test_expired_uploads_are_deleted_with_their_files(wagtail_tree, member):
    kept = services.ta_upload_create(user=member, filename="kept.csv", content=b"a,b\n")
    gone = services.ta_upload_create(user=member, filename="gone.csv", content=b"a,b\n")
    storage, name = gone.document.file.storage, gone.document.file.name
    assert storage.exists(name)
    TaUpload.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.ta_uploads_expire() == 1
    assert list(TaUpload.objects.all()) == [kept]
    assert not CustomDocument.objects.filter(pk=gone.document_id).exists()
    call_command("run_worker", "--once")  # Wagtail removes the stored file in a task
    assert not storage.exists(name) and storage.exists(kept.document.file.name)


def staff_saves(client, ta_request, files=None, **fields):
    values = {"status": ta_request.status, "assignee": ta_request.assignee_id or "", "staff_notes": "", **fields}
    return client.post(reverse("ta_requests:edit", args=[ta_request.pk]), {**values, **(files or {})})


def test_ta_staff_attach_a_file_to_a_reply_in_the_admin(client, member, agency, ta_request, ta_staff):
    client.force_login(ta_staff)
    content = two_megabyte_pdf()
    response = staff_saves(
        client,
        ta_request,
        reply="Here is the template we use.",
        files={"reply_attachment": SimpleUploadedFile("template.pdf", content)},
    )
    assert response.status_code == 302, response.content[-2000:]
    message = TaMessage.objects.get()
    assert message.kind == "reply" and message.attachment.title == "template.pdf"
    assert message.attachment.collection.name == "TA request attachments"
    page = client.get(reverse("ta_requests:edit", args=[ta_request.pk])).content.decode()
    assert message.attachment.url in page and 'enctype="multipart/form-data"' in page
    client.force_login(member)
    assert downloaded(client.get(message.attachment.url)) == content
    client.force_login(member_user("outsider", agency=AgencyFactory(name="Elsewhere PD", state="TX")))
    assert client.get(message.attachment.url).status_code == 403


def test_a_file_on_an_internal_note_stays_with_ta_staff(client, member, ta_request, ta_staff):
    client.force_login(ta_staff)
    staff_saves(
        client,
        ta_request,
        internal_note="Budget sheet they sent by post.",
        files={"reply_attachment": SimpleUploadedFile("budget.csv", b"line,amount\n1,100\n")},
    )
    note = TaMessage.objects.get()
    assert note.kind == "note" and note.attachment is not None
    assert client.get(note.attachment.url).status_code == 200
    client.force_login(member)  # the requesting agency's own member: notes are never theirs
    assert client.get(note.attachment.url).status_code == 403


@pytest.mark.parametrize(
    ("fields", "file", "problem"),
    [
        ({"reply": "See attached."}, SimpleUploadedFile("tool.exe", b"MZ\x90\x00"), "cannot be uploaded"),
        ({"reply": "See attached."}, SimpleUploadedFile("a.pdf", b"not a pdf"), "its content is"),
        ({}, SimpleUploadedFile("a.csv", b"a,b\n"), "for the file to go with"),
        ({"reply": "See attached."}, SimpleUploadedFile("big.csv", b"a,b\n" * 300_000), "at most 1.0"),
    ],
)
def test_refused_staff_attachments_save_nothing(client, ta_request, ta_staff, settings, fields, file, problem):
    settings.TA_ATTACHMENT_MAX_BYTES = 1024 * 1024
    documents = CustomDocument.objects.count()
    client.force_login(ta_staff)
    response = staff_saves(client, ta_request, files={"reply_attachment": file}, status="scheduled", **fields)
    assert response.status_code == 200 and problem in response.content.decode()
    ta_request.refresh_from_db()
    assert ta_request.status == "in_progress"  # the status change in the same form was not saved either
    assert not TaMessage.objects.exists() and CustomDocument.objects.count() == documents
