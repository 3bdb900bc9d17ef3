"""`manage.py webhooks add|list|ping|disable|enable|rotate-secret|replay`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from integrations.webhooks.models import Delivery, Endpoint, OutboxMessage, generate_secret

pytestmark = pytest.mark.django_db


def webhooks(*args) -> str:
    out = StringIO()
    call_command("webhooks", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_id_and_the_generated_secret_once():
    output = webhooks("add", "--url", "http://127.0.0.1:9/hooks", "--events", "event.*,publication.published")
    endpoint = Endpoint.objects.get()
    assert f"Endpoint {endpoint.pk} added." in output
    assert endpoint.secret in output
    assert endpoint.event_types == ["event.*", "publication.published"]
    assert endpoint.audience == "public"


def test_add_with_a_given_secret_does_not_print_it():
    secret = generate_secret()
    output = webhooks(
        "add", "--url", "http://127.0.0.1:9/", "--events", "*", "--secret", secret, "--audience", "trusted"
    )
    assert secret not in output
    assert Endpoint.objects.get().audience == "trusted"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://2852039166/", "--events", "*"], "link-local"),
        (["--url", "http://127.0.0.1:9/", "--events", "bogus"], "matches no event type"),
        (["--url", "http://127.0.0.1:9/", "--events", "*", "--secret", "nope"], "whsec_"),
    ],
)
def test_add_refuses_bad_input_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        webhooks("add", *args)
    assert not Endpoint.objects.exists()


def test_list_ping_disable_enable_rotate():
    webhooks("add", "--url", "http://127.0.0.1:9/hooks", "--events", "*")
    endpoint = Endpoint.objects.get()
    assert "http://127.0.0.1:9/hooks" in webhooks("list")

    assert "Ping queued" in webhooks("ping", str(endpoint.pk))
    assert Delivery.objects.get().message.type == "webhook.ping"

    webhooks("disable", str(endpoint.pk))
    assert "disabled" in webhooks("list")
    webhooks("enable", str(endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.active

    old = endpoint.secret
    output = webhooks("rotate-secret", str(endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.secret in output
    assert endpoint.previous_secret == old


def test_replay_since():
    webhooks("add", "--url", "http://127.0.0.1:9/hooks", "--events", "event.*")
    endpoint = Endpoint.objects.get()
    OutboxMessage.objects.create(type="event.updated", object_key="page:3", data={}, public=True)
    OutboxMessage.objects.create(type="page.updated", object_key="page:4", data={}, public=True)  # not subscribed
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    assert "1 message(s) queued" in webhooks("replay", str(endpoint.pk), "--since", since)
    with pytest.raises(CommandError, match="ISO 8601"):
        webhooks("replay", str(endpoint.pk), "--since", "last tuesday")


def test_unknown_endpoint_is_a_clear_error():
    with pytest.raises(CommandError, match="No webhook endpoint with id 4242"):
        webhooks("ping", "4242")


@pytest.mark.django_db(transaction=True)
def test_replaying_200_events_to_3_endpoints_enqueues_one_wake_up_per_replay():
    """Each replay commits its deliveries at once; the drain finds them all in the table, so one task is enough."""
    for n in range(3):
        webhooks("add", "--url", f"http://127.0.0.1:9/hooks/{n}", "--events", "*")
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(type="event.updated", object_key=f"page:{n}", data={"id": n}, public=True) for n in range(200)]
    )
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    for endpoint in Endpoint.objects.all():
        assert "200 message(s) queued" in webhooks("replay", str(endpoint.pk), "--since", since)

    assert Delivery.objects.count() == 600
    assert DBTaskResult.objects.count() == 3
