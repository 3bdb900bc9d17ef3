"""The admin's "Failed emails" screen: emails that failed for real (a mail server nobody listens on) are listed with
their error in plain words and the next retry, filtered by status, resent by those allowed to; the dashboard says
when any failed. Nobody without the permission sees them, and the screen never shows an email's body."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community import notifications
from community.factories import TaRequestFactory
from community.models import TA_STAFF_GROUP, Notification
from tests.integrations.graphql.helpers import user_in

pytestmark = pytest.mark.django_db

SECRET = "Budget frozen until July"  # in the email's body only: never on the screen


@pytest.fixture
def dead_mail_server(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    settings.NOTIFICATION_RETRY_SCHEDULE = [0, 600]
    return settings


def status_email(member, ta_request):
    return notifications.notify(
        recipient=member,
        category="ta_updates",
        kind="ta_request.reply",
        template="ta_reply",
        context={"ta_request": ta_request, "message": type("M", (), {"body": SECRET})(), "author_name": "Tay"},
        link="https://cms.example.org/x",
        audience_agency=ta_request.agency,
    )


@pytest.fixture
def failed_and_retrying(dead_mail_server, member, agency, focus_area):
    """One email failed for good (three attempts), one retrying (one attempt), one sent, one never tried."""
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    failed, retrying, sent, waiting = (status_email(member, ta_request) for _ in range(4))
    for _ in range(3):
        Notification.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())
        notifications.notification_send(notification_id=failed.pk)
    notifications.notification_send(notification_id=retrying.pk)
    Notification.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    for row in (failed, retrying):
        row.refresh_from_db()
    assert (failed.status, failed.attempts, retrying.status, retrying.attempts) == ("failed", 3, "pending", 1)
    return failed, retrying, sent, waiting


def viewer_with(*codenames):
    username = "ops" + str(len(codenames))
    user = get_user_model().objects.create_user(username, f"{username}@ncpi.example.org", "x", first_name="Olu")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="community", codename__in=codenames),
    )
    return user


def test_superusers_see_failed_and_retrying_emails_in_plain_words(client, admin_user, failed_and_retrying, member):
    failed, retrying, sent, waiting = failed_and_retrying
    client.force_login(admin_user)
    page = client.get(reverse("notifications:index")).content.decode()
    assert page.count(failed.subject) == 2  # the two rows with that subject: failed and retrying
    assert "Nothing accepted our connection at the mail server" in page
    assert member.email in page and "Retrying" in page and "Failed" in page
    assert reverse("notifications:inspect", args=[sent.pk]) not in page
    assert reverse("notifications:inspect", args=[waiting.pk]) not in page
    assert SECRET not in page

    only_failed = client.get(reverse("notifications:index") + "?state=failed").content.decode()
    assert reverse("notifications:inspect", args=[failed.pk]) in only_failed
    assert reverse("notifications:inspect", args=[retrying.pk]) not in only_failed
    only_retrying = client.get(reverse("notifications:index") + "?state=retrying").content.decode()
    assert reverse("notifications:inspect", args=[retrying.pk]) in only_retrying
    assert reverse("notifications:inspect", args=[failed.pk]) not in only_retrying
    assert client.get(reverse("notifications:index") + "?state=nonsense").status_code == 200

    detail = client.get(reverse("notifications:inspect", args=[failed.pk])).content.decode()
    assert "ConnectionRefusedError" in detail and "Send again" in detail and SECRET not in detail
    # The same screens never offer to add, edit or delete.
    assert client.get(reverse("notifications:edit", args=[failed.pk])).status_code in (302, 403)
    assert client.get(reverse("notifications:delete", args=[failed.pk])).status_code in (302, 403)


def test_resend_queues_it_again_and_it_is_sent(client, admin_user, failed_and_retrying, settings, member):
    failed, *_ = failed_and_retrying
    client.force_login(admin_user)
    url = reverse("notifications:resend", args=[failed.pk])
    assert "Send again" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is fixed
    assert notifications.notification_send(notification_id=failed.pk) == "sent"
    assert [message.to for message in mail.outbox] == [[member.email]]
    # Sent now: sending again is refused, nothing changes, the admin says why.
    response = client.post(url, follow=True)
    assert "Only failed or retrying emails" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "sent" and len(mail.outbox) == 1
    assert client.post(reverse("notifications:resend", args=[999999])).status_code == 404


def test_a_resent_email_still_goes_only_to_someone_allowed(failed_and_retrying, settings, member):
    failed, *_ = failed_and_retrying
    notifications.notification_resend(notification_id=failed.pk)
    member.membership.delete()  # left the agency meanwhile
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.notification_send(notification_id=failed.pk) == "skipped"
    assert mail.outbox == []


def test_who_may_see_and_resend(client, failed_and_retrying, member):
    failed, *_ = failed_and_retrying
    index, resend = reverse("notifications:index"), reverse("notifications:resend", args=[failed.pk])
    # Wagtail turns a refused admin view into a redirect (with a message) for signed-in users, a sign-in page else.
    for outsider in (user_in(TA_STAFF_GROUP, "tay"), member, None):
        client.logout()
        if outsider is not None:
            client.force_login(outsider)
        assert client.get(index).status_code in (302, 403)
        assert client.post(resend).status_code in (302, 403)
        assert failed.subject not in client.get(reverse("wagtailadmin_home")).content.decode()
    failed.refresh_from_db()
    assert failed.status == "failed"

    client.force_login(viewer_with("view_notification"))
    assert failed.subject in client.get(index).content.decode()
    assert "Send again" not in client.get(reverse("notifications:inspect", args=[failed.pk])).content.decode()
    assert client.post(resend).status_code in (302, 403)
    failed.refresh_from_db()
    assert failed.status == "failed"
    client.force_login(viewer_with("view_notification", "resend_notification"))
    assert client.post(resend).status_code == 302
    failed.refresh_from_db()
    assert failed.status == "pending"


def test_the_dashboard_says_when_emails_failed(client, admin_user, failed_and_retrying):
    failed, *_ = failed_and_retrying
    client.force_login(admin_user)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "data-failed-notifications-panel" in home and "<strong>1</strong> email failed" in home
    assert reverse("notifications:index") + "?state=failed" in home
    Notification.objects.filter(pk=failed.pk).update(status="sent")
    assert "data-failed-notifications-panel" not in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize(
    ("last_error", "words"),
    [
        ("SMTPRecipientsRefused: {'x@y': (550, b'no such user')}", "refused the recipient"),
        ("SMTPAuthenticationError: (535, b'bad')", "refused our sign-in"),
        ("TimeoutError: timed out", "did not answer in time"),
        ("gaierror: [Errno -2] Name or service not known", "could not be found"),
        ("SomethingNew: ???", "could not be handed to the mail server"),
        ("", ""),
    ],
)
def test_errors_in_plain_words(last_error, words):
    assert words in notifications.error_in_plain_words(last_error)
