"""The admin: endpoints (validation at save, ping, rotation, replay) and the filterable delivery log (resend)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from integrations.webhooks import services
from integrations.webhooks.models import Delivery, DeliveryStatus, Endpoint, OutboxMessage, generate_secret

pytestmark = pytest.mark.django_db


def endpoint_form(**overrides) -> dict:
    data = {
        "url": "http://127.0.0.1:9/hooks",
        "description": "CIT International",
        "event_types": '["event.*", "publication.published"]',
        "audience": "public",
        "active": "on",
        "secret": generate_secret(),
        "headers": "{}",
        "owner_email": "web@citinternational.example",
    }
    return data | overrides


@pytest.fixture
def endpoint():
    return services.endpoint_create(url="http://127.0.0.1:9/hooks", event_types=["*"], description="Partner")


def test_an_endpoint_is_added_in_the_admin(admin_client):
    response = admin_client.post(reverse("webhook_endpoints:add"), endpoint_form())
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["event.*", "publication.published"]
    assert endpoint.secret.startswith("whsec_")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "http://[::ffff:169.254.169.254]/", "link-local"),
        ("url", "http://10.0.0.1/", "private"),
        ("url", "javascript:alert(1)", "valid URL"),
        ("event_types", '"event.*"', "at least one event type"),
        ("event_types", '["nothing.here"]', "matches no event type"),
        ("event_types", "{not json", "valid JSON"),
        ("headers", '{"Host": "evil.example"}', "cannot be overridden"),
        ("headers", '{"X-Key": "a\\r\\nInjected: 1"}', "single-line"),
        ("headers", '["X-Key"]', "JSON object"),
        ("secret", "whsec_short", "24 to 64"),
        ("secret", "x" * 60, "whsec_"),
    ],
)
def test_hostile_endpoint_forms_are_refused_with_a_clear_error(admin_client, field, value, message):
    response = admin_client.post(reverse("webhook_endpoints:add"), endpoint_form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Endpoint.objects.exists()


def test_edit_page_offers_ping_rotate_replay_and_the_log(admin_client, endpoint):
    html = admin_client.get(reverse("webhook_endpoints:edit", args=[endpoint.pk])).content.decode()
    for name in ("ping", "rotate", "replay"):
        assert reverse(f"webhook_endpoints:{name}", args=[endpoint.pk]) in html
    assert reverse("webhook_deliveries:index") in html


def test_test_ping_is_confirmed_then_queued(admin_client, endpoint, django_capture_on_commit_callbacks):
    url = reverse("webhook_endpoints:ping", args=[endpoint.pk])
    assert admin_client.get(url).status_code == 200
    assert not Delivery.objects.exists()  # a GET changes nothing

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(url)

    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.message.type == "webhook.ping"
    assert delivery.endpoint == endpoint
    assert len(callbacks) == 1  # the delivery task is enqueued after commit


def test_rotate_secret_keeps_the_old_one_signing(admin_client, endpoint):
    old = endpoint.secret
    admin_client.post(reverse("webhook_endpoints:rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.signing_secrets() == [endpoint.secret, old]


def test_replay_since_queues_matching_messages_again(admin_client, endpoint):
    old = OutboxMessage.objects.create(type="event.published", object_key="page:1", data={}, public=True)
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    recent = OutboxMessage.objects.create(type="event.updated", object_key="page:1", data={}, public=True)
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")

    response = admin_client.post(reverse("webhook_endpoints:replay", args=[endpoint.pk]), {"since": since})

    assert response.status_code == 302
    assert list(Delivery.objects.values_list("message_id", flat=True)) == [recent.pk]


def test_replay_with_a_bad_time_is_a_form_error(admin_client, endpoint):
    response = admin_client.post(reverse("webhook_endpoints:replay", args=[endpoint.pk]), {"since": "yesterday"})
    assert response.status_code == 200
    assert "Enter a valid date/time" in response.content.decode()


def test_delivery_log_is_filterable_and_read_only(admin_client, endpoint):
    message = OutboxMessage.objects.create(type="event.published", object_key="page:1", data={}, public=True)
    failed = Delivery.objects.create(
        message=message, endpoint=endpoint, object_key="page:1", status=DeliveryStatus.FAILED
    )
    Delivery.objects.create(message=message, endpoint=endpoint, object_key="page:1", status=DeliveryStatus.SUCCEEDED)

    response = admin_client.get(reverse("webhook_deliveries:index"), {"status": "failed"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["object_list"]] == [failed.pk]
    assert admin_client.get(reverse("webhook_deliveries:inspect", args=[failed.pk])).status_code == 200
    assert admin_client.get(reverse("webhook_deliveries:add")).status_code in (302, 403)
    assert admin_client.get(reverse("webhook_deliveries:edit", args=[failed.pk])).status_code in (302, 403)


def test_resend_creates_a_new_delivery_of_the_same_message(admin_client, endpoint):
    message = OutboxMessage.objects.create(type="event.published", object_key="page:1", data={}, public=True)
    failed = Delivery.objects.create(
        message=message, endpoint=endpoint, object_key="page:1", status=DeliveryStatus.FAILED
    )

    response = admin_client.post(reverse("webhook_deliveries:resend", args=[failed.pk]))

    assert response.status_code == 302
    again = Delivery.objects.exclude(pk=failed.pk).get()
    assert again.message == message
    assert again.status == DeliveryStatus.PENDING


def test_actions_need_permission(client, endpoint):
    user = get_user_model().objects.create_user("someone", "someone@example.org", "password")
    client.force_login(user)
    assert client.post(reverse("webhook_endpoints:ping", args=[endpoint.pk])).status_code in (302, 403)
    assert not Delivery.objects.exists()


def test_unknown_ids_are_404(admin_client):
    assert admin_client.get(reverse("webhook_endpoints:ping", args=[999999])).status_code == 404
