"""Rate limits and sign-in lockouts key on cms.client_ip: only addresses our own proxies appended count."""

import pytest
from django.test import RequestFactory, override_settings

from cms.client_ip import client_ip


def request_from(remote="10.0.0.5", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/graphql/", **headers)


def test_without_trusted_proxies_a_forwarded_header_is_ignored():
    assert client_ip(request_from(forwarded="203.0.113.9")) == "10.0.0.5"


@override_settings(TRUSTED_PROXY_HOPS=1)
def test_one_load_balancer_the_rightmost_entry_is_the_client_and_forged_entries_are_ignored():
    assert client_ip(request_from(forwarded="203.0.113.9")) == "203.0.113.9"
    # A caller sending its own X-Forwarded-For can't choose whose budget it spends: the balancer appends.
    assert client_ip(request_from(forwarded="198.51.100.1, 203.0.113.9")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_HOPS=2)
def test_cdn_and_load_balancer_the_address_the_cdn_saw():
    assert client_ip(request_from(forwarded="6.6.6.6, 203.0.113.9, 192.0.2.10")) == "203.0.113.9"
    assert client_ip(request_from(forwarded="2001:db8::1, 192.0.2.10")) == "2001:db8::1"


@override_settings(TRUSTED_PROXY_HOPS=2)
@pytest.mark.parametrize(
    "forwarded",
    ["192.0.2.10", "", "not-an-ip, 192.0.2.10", "1.2.3.4\x00, 192.0.2.10", "é, 192.0.2.10", "1.1.1.1, " * 400],
)
def test_short_malformed_or_huge_headers_fall_back_to_the_connection(forwarded):
    assert client_ip(request_from(forwarded=forwarded)) == "10.0.0.5"


@override_settings(TRUSTED_PROXY_HOPS=1, GRAPHQL_RATE_LIMIT_ANONYMOUS=2)
@pytest.mark.django_db
def test_graphql_rate_limit_counts_clients_behind_the_load_balancer_separately(client):
    query = {"query": "{ topics { slug } }"}

    def ask(address):
        return client.get("/graphql/", query, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=address).status_code

    assert [ask("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert ask("203.0.113.2") == 200
