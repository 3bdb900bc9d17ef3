"""The delivery log as staff read it: which page changed, which endpoint, the `webhook-id` a partner quotes, every
attempt in plain words, the exact payload; endpoints with their last success and failure.

Deliveries here are real: the project's worker sends them to a real receiver on 127.0.0.1, or to a port on
127.0.0.1 where nothing listens (a partner whose server is down).
"""

import pytest
from django.urls import reverse

from events.factories import TrainingEventPageFactory
from integrations.webhooks.wording import in_plain_words
from tests.integrations.webhooks.conftest import FAILED_TITLE as TITLE

pytestmark = pytest.mark.django_db(transaction=True)

LOG = reverse("webhook_deliveries:index")


def test_the_log_names_the_page_the_endpoint_and_the_problem_in_plain_words(admin_client, failed_delivery):
    html = admin_client.get(LOG).content.decode()

    assert f"event.published: {TITLE}" in html
    assert "CIT International (staging)" in html
    assert failed_delivery.message.webhook_id in html
    assert f'href="{reverse("webhook_deliveries:inspect", args=[failed_delivery.pk])}"' in html  # each row opens
    assert "refused the connection: nothing is accepting requests at that address and port" in html
    assert "ConnectionRefusedError" not in html  # the technical text is on the delivery's own page
    assert "None" not in html.split("<tbody>")[1].split("</tbody>")[0]


def test_a_delivery_shows_every_attempt_the_next_retry_and_the_payload_it_sent(admin_client, failed_delivery):
    html = admin_client.get(reverse("webhook_deliveries:inspect", args=[failed_delivery.pk])).content.decode()

    assert failed_delivery.message.webhook_id in html
    assert "Next retry" in html and "Not yet" in html  # unfinished: no "Finished at None"
    assert "Technical detail: <code>ConnectionRefusedError" in html
    assert "&quot;type&quot;: &quot;event.published&quot;" in html  # the payload, pretty-printed
    assert TITLE in html
    assert reverse("wagtailadmin_pages:edit", args=[failed_delivery.message.data["id"]]) in html


@pytest.mark.parametrize(
    "quote",
    [
        lambda message: message.webhook_id,
        lambda message: message.webhook_id.upper().replace("MSG_", "msg_"),
        lambda message: message.id.hex,
        lambda message: f"  {message.webhook_id} ",
    ],
)
def test_staff_find_a_delivery_by_the_webhook_id_a_partner_quotes(admin_client, failed_delivery, quote, event_index):
    other = TrainingEventPageFactory(parent=event_index, title="Deflection webinar", live=False)
    other.save_revision().publish()

    response = admin_client.get(LOG, {"q": quote(failed_delivery.message)})

    assert [row.pk for row in response.context["object_list"]] == [failed_delivery.pk]


def test_searching_by_title_and_hostile_searches(admin_client, failed_delivery):
    assert [r.pk for r in admin_client.get(LOG, {"q": "core course"}).context["object_list"]] == [failed_delivery.pk]
    for query in ["msg_" + "0" * 32, "msg_zz", "'; DROP TABLE webhooks_delivery; --", "%", "x" * 5000, "\u202e"]:
        response = admin_client.get(LOG, {"q": query})
        assert response.status_code == 200
        assert list(response.context["object_list"]) == []  # "%" is a literal character, not a wildcard


def test_endpoints_list_their_last_success_last_failure_and_failing_since(
    admin_client, failed_delivery, subscribe, event_index, run_worker
):
    working = subscribe(description="Tulsa PD site")
    page = TrainingEventPageFactory(parent=event_index, title="Crisis Intervention for 911 dispatchers", live=False)
    page.save_revision().publish()
    run_worker()

    response = admin_client.get(reverse("webhook_endpoints:index"))

    rows = {endpoint.description: endpoint for endpoint in response.context["object_list"]}
    assert rows["Tulsa PD site"].last_success_at and rows["Tulsa PD site"].last_failure_at is None
    assert (
        rows["CIT International (staging)"].last_failure_at
        and rows["CIT International (staging)"].last_success_at is None
    )
    html = response.content.decode()
    assert "Last success" in html and "Last failure" in html and "Failing since" in html
    assert working.pk in rows["Tulsa PD site"].deliveries.values_list("endpoint", flat=True)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("HTTP 500", "The partner's server had an error: 500 (Internal Server Error). It is retried later."),
        ("HTTP 401", "refused the delivery: 401 (Unauthorized). Check that it uses this endpoint's current secret"),
        ("HTTP 302 (redirects are not followed)", "webhooks do not follow redirects"),
        ("HTTP 429", "asked us to slow down"),
        ("HTTP 499", "rejected the delivery: 499 (an unknown status)"),
        ("DeadlineExceeded: No complete response within the 10 s deadline.", "did not answer within 10 seconds"),
        ("DeadlineExceeded: Could not connect within the 5 s deadline.", "did not accept a connection within 5"),
        ("RemoteDisconnected: Remote end closed connection without response", "closed the connection before"),
        ("UnresolvableHost: hooks.example.invalid could not be resolved ([Errno -2])", "could not be found (DNS)"),
        ("Blocked destination: 10.0.0.5 is a private address", "private or reserved network"),
        ("SSLCertVerificationError: certificate verify failed", "certificate or TLS"),
        ("Gave up after 8 attempts; last: HTTP 503", "Gave up after 8 attempts. The last one: The partner's server"),
        ("Something new", "Something new"),
        ("", ""),
    ],
)
def test_errors_in_plain_words(error, words):
    assert words in in_plain_words(error)
