"""SSRF defence: destinations refused when an endpoint is saved and again at every send (DNS may change)."""

import ssl
import time

import pytest
from django.core.exceptions import ValidationError

from integrations.webhooks import network, services
from integrations.webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, OutboxMessage
from tests.integrations.webhooks.receiver import self_signed_certificate, start_receiver, stop_receiver

HOSTILE_URLS = [
    "http://[::ffff:169.254.169.254]/",  # IPv4-mapped IPv6 metadata address
    "http://2852039166/",  # 169.254.169.254 as one decimal number
    "http://0x7f.1/",  # 127.0.0.1 in hex-and-short notation: loopback, allowed only by WEBHOOKS_ALLOWED_NETWORKS
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://192.168.1.10:8080/",
    "http://100.64.0.1/",  # CGNAT, which ipaddress does not call private
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[64:ff9b::a00:1]/",  # NAT64 form of 10.0.0.1
    "http://[2002:a00:1::]/",  # 6to4 form of 10.0.0.1
    "ftp://partner.example/",
    "file:///etc/passwd",
    "http://user:pass@8.8.8.8/",
    "http:///nohost",
]


@pytest.fixture
def no_allowed_networks(settings):
    """Production: nothing private is allowed."""
    settings.WEBHOOKS_ALLOWED_NETWORKS = []


@pytest.fixture
def fake_dns(monkeypatch):
    """DNS cannot be controlled on this machine, so the resolver hook answers for made-up names; other names
    (and numeric hosts) go to the real resolver."""
    answers = {}
    real = network.resolve

    def resolve(host, port):
        return answers[host] if host in answers else real(host, port)

    monkeypatch.setattr(network, "resolve", resolve)
    return answers


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.django_db
def test_hostile_urls_are_refused_at_save(url, no_allowed_networks):
    with pytest.raises(ValidationError) as error:
        services.endpoint_create(url=url, event_types=["*"])
    assert "url" in error.value.message_dict


@pytest.mark.parametrize(
    "url", ["http://[::ffff:169.254.169.254]/", "http://2852039166/", "http://[fe80::1]/", "http://169.254.170.2/"]
)
@pytest.mark.django_db
def test_link_local_and_metadata_stay_blocked_when_loopback_is_allowed(url):
    with pytest.raises(ValidationError, match="link-local or cloud-metadata"):
        services.endpoint_create(url=url, event_types=["*"])


@pytest.mark.django_db
def test_loopback_forms_are_allowed_only_through_the_setting(settings):
    assert services.endpoint_create(url="http://127.0.0.1:9/", event_types=["*"]).pk  # tests allow 127.0.0.0/8
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError, match="private, loopback"):
        services.endpoint_create(url="http://127.0.0.1:9/", event_types=["*"])


@pytest.mark.django_db
def test_a_name_resolving_to_a_private_address_is_refused_at_save(fake_dns):
    fake_dns["partner.example"] = ["93.184.216.34", "10.0.0.1"]  # one bad answer is enough
    with pytest.raises(ValidationError, match=r"10\.0\.0\.1 is a private"):
        services.endpoint_create(url="https://partner.example/hooks", event_types=["*"])


@pytest.mark.django_db
def test_an_unresolvable_name_is_refused_at_save(fake_dns):
    fake_dns["gone.example"] = []
    with pytest.raises(ValidationError, match="could not be resolved"):
        services.endpoint_create(url="https://gone.example/hooks", event_types=["*"])


@pytest.mark.django_db
def test_dns_rebinding_to_a_private_address_fails_permanently_at_send(fake_dns, django_capture_on_commit_callbacks):
    """Saved while the name pointed at a public address; at send time it answers 10.0.0.1."""
    fake_dns["partner.example"] = ["93.184.216.34"]
    endpoint = services.endpoint_create(url="http://partner.example/hooks", event_types=["*"])
    message = OutboxMessage.objects.create(type="page.published", object_key="page:1", data={"id": 1}, public=True)
    delivery = Delivery.objects.create(message=message, endpoint=endpoint, object_key=message.object_key)
    fake_dns["partner.example"] = ["10.0.0.1"]

    services.deliveries_drain()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1  # permanent: no retry scheduled
    assert "Blocked destination" in delivery.last_error
    assert "10.0.0.1 is a private" in DeliveryAttempt.objects.get().error


@pytest.mark.parametrize("url", ["http://2852039166/", "http://[::ffff:169.254.169.254]/", "http://0x0a.0.0.1/"])
def test_numeric_forms_are_refused_at_send(url, no_allowed_networks):
    with pytest.raises(network.BlockedDestination):
        network.post(url, b"{}", {})


def test_settings_match_the_contract():
    from django.conf import settings

    assert settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS == 5
    assert settings.WEBHOOKS_DEADLINE_SECONDS == 15
    assert settings.WEBHOOKS_MAX_RESPONSE_BYTES == 64 * 1024
    assert settings.WEBHOOKS_RETRY_SCHEDULE == [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]


def test_connection_goes_to_the_checked_address_with_the_original_host_header(receiver, fake_dns):
    """The name resolves (once) to 127.0.0.1; the request carries `Host: partner.example`."""
    fake_dns["partner.example"] = ["127.0.0.1"]
    port = receiver.server.server_address[1]
    response = network.post(f"http://partner.example:{port}/hooks", b"{}", {"Content-Type": "application/json"})
    assert response.status == 200
    assert receiver.received[0].headers["host"] == f"partner.example:{port}"


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """A receiver speaking HTTPS with a self-signed certificate for 127.0.0.1, which the client is made to trust."""
    certificate = self_signed_certificate(tmp_path)
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda: real(cafile=certificate))
    server = start_receiver(certificate=certificate)
    yield server
    stop_receiver(server)


def test_delivery_over_tls_verifies_the_certificate_and_is_cut_at_the_deadline(tls_receiver, settings):
    """TLS wraps the connected socket in a new object; the deadline still reaches it."""
    assert network.post(tls_receiver.url, b"{}", {"Content-Type": "application/json"}).status == 200

    settings.WEBHOOKS_DEADLINE_SECONDS = 2.0
    tls_receiver.script = ["drip-http10"]  # 10 s if nothing cuts it
    started = time.monotonic()
    with pytest.raises(network.DeadlineExceeded):
        network.post(tls_receiver.url, b"{}", {"Content-Type": "application/json"})
    assert time.monotonic() - started < 2 + 5
