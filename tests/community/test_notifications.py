"""Email notifications: sent after commit by the task worker through Django's SMTP backend to a real SMTP server on
127.0.0.1 (written here on socketserver: it refuses, then accepts), retried from the queue, rate-limited per
recipient, with a preferences link that works signed out."""

import re
import socketserver
import threading
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community import notifications
from community.factories import TaRequestFactory
from community.models import Notification, NotificationPreference

TEXT = "Hello there"


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: refuses every connection while `server.refusing`."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        if self.server.refusing:
            self.server.refused += 1
            self.reply("421 4.3.2 Service not available, try later")
            return
        self.reply("220 test SMTP")
        envelope = {"to": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "MAIL":
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(re.search(r"<(.*)>", command).group(1))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.server.received.append((envelope["to"], message_from_bytes(body)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server(settings):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
    server.daemon_threads = True
    server.refusing, server.refused, server.received = True, 0, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def status_email(member, ta_request):
    return notifications.notify(
        recipient=member,
        category="ta_updates",
        kind="ta_request.status",
        template="ta_status",
        context={"ta_request": ta_request, "old_status": "New"},
        link="https://cms.example.org/x",
        audience_agency=ta_request.agency,
    )


@pytest.mark.django_db(transaction=True)
def test_refusing_mail_server_loses_nothing_and_the_worker_retries(smtp_server, member, agency, focus_area):
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    notification = status_email(member, ta_request)  # autocommit: on_commit enqueues at once
    assert DBTaskResult.objects.filter(task_path="community.tasks.send_notification").count() == 1

    call_command("run_worker", "--once")  # the real worker; the server refuses
    notification.refresh_from_db()
    assert smtp_server.refused == 1 and smtp_server.received == []
    assert notification.status == "pending" and notification.attempts == 1
    assert "SMTP" in notification.last_error and notification.next_attempt_at > timezone.now()
    retry = DBTaskResult.objects.filter(task_path="community.tasks.send_notification", status="READY").get()
    assert retry.run_after == notification.next_attempt_at

    # Time passes; the server accepts now.
    smtp_server.refusing = False
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("run_worker", "--once")
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.attempts == 2
    [(recipients, message)] = smtp_server.received
    assert recipients == [member.email]
    assert message["Subject"] == f"TA request #{ta_request.pk} is now new"
    assert message["List-Unsubscribe"].strip().startswith("<https://cms.example.org/members/email-preferences/")
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert "changed from" in parts["text/plain"] and "<strong>" in parts["text/html"]

    # Another run sends nothing twice.
    call_command("run_worker", "--once")
    assert len(smtp_server.received) == 1


@pytest.mark.django_db(transaction=True)
def test_sweep_finds_a_notification_whose_task_was_lost(smtp_server, member, agency, focus_area, settings):
    smtp_server.refusing = False
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 0
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    notification = status_email(member, ta_request)
    DBTaskResult.objects.all().delete()  # the queue lost it
    call_command("run_worker", "--once")  # the beat enqueues the sweep, which enqueues the email
    call_command("run_worker", "--once")
    notification.refresh_from_db()
    assert notification.status == "sent" and len(smtp_server.received) == 1


@pytest.mark.django_db
def test_retries_end_in_failed_after_the_schedule(member, agency, focus_area, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    settings.NOTIFICATION_RETRY_SCHEDULE = [0, 0]
    notification = status_email(member, TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member))
    statuses = [notifications.notification_send(notification_id=notification.pk) for _ in range(3)]
    assert statuses == ["pending", "pending", "failed"]


@pytest.mark.django_db
def test_rate_limit_per_recipient_defers_the_rest(member, agency, focus_area, settings):
    settings.NOTIFICATION_RATE_LIMIT = 2
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    rows = [status_email(member, ta_request) for _ in range(3)]
    statuses = [notifications.notification_send(notification_id=row.pk) for row in rows]
    assert statuses == ["sent", "sent", "pending"] and len(mail.outbox) == 2
    rows[2].refresh_from_db()
    assert rows[2].next_attempt_at > timezone.now() and rows[2].attempts == 0


@pytest.mark.django_db
def test_preferences_link_works_signed_out_and_stops_emails(client, member, agency, focus_area):
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    notifications.notification_send(notification_id=status_email(member, ta_request).pk)
    url = re.search(r"https://cms\.example\.org(/members/email-preferences/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(url)
    assert page.status_code == 200 and member.email in page.content.decode()
    assert not NotificationPreference.objects.exists()  # GET changes nothing
    response = client.post(url, {"ta_updates": "", "ta_staff": "on", "forum_replies": "daily", "forum_reports": "on"})
    assert response.status_code == 200 and "saved" in response.content.decode()
    preferences = NotificationPreference.objects.get(user=member)
    assert preferences.ta_updates is False and preferences.forum_replies == "daily"
    assert status_email(member, ta_request) is None  # opted out: nothing written
    # One-click unsubscribe (RFC 8058) from the List-Unsubscribe header: no CSRF token, no session.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    preferences.refresh_from_db()
    assert preferences.forum_replies == "off" and not preferences.ta_staff


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJ1IjoxfQ:1xYd8T:forged", "x" * 5000, "%00", "' OR 1=1 --", "eyJ1IjoiYWRtaW4ifQ"],
)
def test_forged_preferences_links_are_refused(client, member, token):
    response = client.get(
        reverse("community:notification_preferences", args=["placeholder"]).replace("placeholder", token)
    )
    assert response.status_code in (404, 400)
    response = client.post(
        reverse("community:notification_preferences", args=["placeholder"]).replace("placeholder", token),
        {"unsubscribe_all": "1"},
    )
    assert response.status_code in (404, 400) and not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_preferences_form_refuses_a_bad_choice(client, member):
    url = notifications.preferences_url(member).removeprefix("https://cms.example.org")
    response = client.post(url, {"forum_replies": "<script>", "save": "1"})
    assert response.status_code == 400 and not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_a_non_member_never_gets_a_members_only_email(agency, focus_area):
    from tests.integrations.graphql.helpers import user_in

    partner = user_in("Partners", "partner-web")
    partner.email = "web@partner.example.org"
    partner.save()
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area)
    assert status_email(partner, ta_request) is None and not Notification.objects.exists()
