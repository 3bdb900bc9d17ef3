"""Outbound HTTP to partner endpoints, safe against SSRF.

`requests` re-resolves the name when it connects (DNS rebinding), follows redirects with the body and signature,
applies its read timeout per read and reads any size of body, so delivery uses `http.client` directly:
- the host is resolved once and *every* address is checked; the connection then goes to a checked address while
  the Host header and TLS SNI/certificate check keep the name;
- numeric oddities (`http://2852039166/`, `http://0x7f.1/`) are whatever the system resolver makes of them, and
  that resolved address is what gets checked and connected to;
- IPv4 embedded in IPv6 (`::ffff:a.b.c.d`, NAT64, 6to4) is checked as the IPv4 address it carries;
- `WEBHOOKS_ALLOWED_NETWORKS` may open private ranges (a local receiver in development and tests), never
  link-local and cloud-metadata addresses;
- a connect timeout for connecting only, one total deadline for the whole attempt enforced by a watchdog that
  shuts the socket down (a 1-byte-per-second drip cannot hold the worker, whether the receiver keeps the
  connection alive, answers `Connection: close` or speaks HTTP/1.0), at most `WEBHOOKS_MAX_RESPONSE_BYTES` read,
  redirects never followed.
"""

import contextlib
import heapq
import http.client
import ipaddress
import itertools
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# Blocked whatever WEBHOOKS_ALLOWED_NETWORKS says: link-local (cloud metadata lives at 169.254.169.254) and the
# metadata addresses some clouds put elsewhere.
ALWAYS_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in ("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32", "0.0.0.0/8", "::/128")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class BlockedDestination(Exception):
    """The URL may never be delivered to: a permanent failure."""


class UnresolvableHost(Exception):
    """DNS gave no answer: worth retrying later (at save time it is refused)."""


class DeadlineExceeded(Exception):
    pass


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    retry_after: str | None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to. A module-level hook: tests point it at a fake DNS answer."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def allowed_networks() -> list:
    return [ipaddress.ip_network(net.strip(), strict=False) for net in settings.WEBHOOKS_ALLOWED_NETWORKS if net]


def _embedded_ipv4(ip):
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(address: str) -> str | None:
    """Why `address` may not be connected to, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    ip = _embedded_ipv4(ip) or ip
    if any(ip in net for net in ALWAYS_BLOCKED):
        return f"{ip} is a link-local or cloud-metadata address, never allowed"
    if any(ip in net for net in allowed_networks()):
        return None
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_private or ip.is_loopback:
        return f"{ip} is a private, loopback, shared (CGNAT), multicast or reserved address"
    return None


def check_url(url: str) -> Target:
    """Parse `url`, resolve its host and check every address; raise BlockedDestination or UnresolvableHost."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise BlockedDestination(f"Not a valid URL: {error}") from error
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination("Only http and https URLs are allowed.")
    if not parts.hostname:
        raise BlockedDestination("The URL has no host.")
    if parts.username or parts.password:
        raise BlockedDestination("Credentials in the URL are not allowed; use a custom header instead.")
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError) as error:
        raise UnresolvableHost(f"{parts.hostname} could not be resolved ({error}).") from error
    if not addresses:
        raise UnresolvableHost(f"{parts.hostname} could not be resolved.")
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            raise BlockedDestination(f"{parts.hostname} resolves to a blocked address: {reason}.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, tuple(addresses))


class _Watch:
    """One attempt's deadline and, once connected, the watchdog's own handle on its socket."""

    __slots__ = ("deadline", "done", "expired", "sock")

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.sock: socket.socket | None = None
        self.expired = self.done = False


class _Watchdog:
    """One long-lived thread that cuts connections whose deadline has passed (a threading.Timer per request cost
    about as much as the request itself to a fast local receiver).

    It holds a duplicate of each connection's socket rather than the connection: http.client hands the socket from
    the connection to the response when the receiver answers HTTP/1.0 or `Connection: close` (connection.sock is
    then None), and TLS wraps it in a new socket object; shutting down any descriptor of the socket ends them all.
    """

    def __init__(self):
        self._condition = threading.Condition()
        self._heap: list = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float) -> _Watch:
        watch = _Watch(deadline)
        with self._condition:
            # Wake the sleeping thread only when it must now wake earlier: waking it on every request would cost a
            # GIL hand-over each time.
            wake = not self._heap or deadline < self._heap[0][0]
            heapq.heappush(self._heap, (deadline, next(self._order), watch))
            if self._thread is None or not self._thread.is_alive():  # also after a fork (RQ's work horses)
                self._thread = threading.Thread(target=self._run, name="webhooks-watchdog", daemon=True)
                self._thread.start()
            elif wake:
                self._condition.notify()
        return watch

    def attach(self, watch: _Watch, sock: socket.socket) -> None:
        """Watch the connected `sock`; raises DeadlineExceeded when the deadline passed while connecting."""
        with self._condition:
            if watch.expired:
                raise DeadlineExceeded("The deadline passed while connecting.")
            watch.sock = sock.dup()

    def unwatch(self, watch: _Watch) -> None:
        # Under the lock: the watchdog never shuts down a descriptor number that was closed and reused meanwhile.
        with self._condition:
            watch.done = True
            if watch.sock is not None:
                watch.sock.close()

    def _run(self) -> None:
        with self._condition:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._condition.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._condition.wait(wait)
                    continue
                watch = heapq.heappop(self._heap)[2]
                watch.expired = True
                if watch.sock is not None:
                    with contextlib.suppress(OSError):  # the peer already closed: nothing left to cut
                        watch.sock.shutdown(socket.SHUT_RDWR)  # any blocked send/recv returns at once


_watchdog = _Watchdog()


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` once; never follows a redirect (the caller sees the 3xx). Raises BlockedDestination,
    UnresolvableHost, DeadlineExceeded, OSError or http.client.HTTPException.

    The deadline covers the whole attempt from name resolution to the last byte read; connecting to each address
    is also held to the shorter connect timeout, but the answer may take whatever is left of the deadline.
    """
    total = settings.WEBHOOKS_DEADLINE_SECONDS
    deadline = time.monotonic() + total
    target = check_url(url)
    connect_timeout = settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=connect_timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=connect_timeout)
    watch = _watchdog.watch(deadline)

    def connect_to_checked_address(_address, timeout, source_address=None):
        error: Exception = DeadlineExceeded(f"Could not connect within the {total:g} s deadline.")
        for address in target.addresses:  # all checked above; never re-resolved
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                sock = socket.create_connection((address, target.port), min(timeout, remaining), source_address)
            except OSError as exc:
                error = exc
                continue
            # Connected: each read may now wait for what is left of the deadline (a partner that takes 7 s to
            # answer is fine); the watchdog ends the attempt at the deadline however the bytes trickle in.
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            try:
                _watchdog.attach(watch, sock)
            except DeadlineExceeded:
                sock.close()
                raise
            return sock
        raise error

    connection._create_connection = connect_to_checked_address
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read(settings.WEBHOOKS_MAX_RESPONSE_BYTES)
        if watch.expired:  # the watchdog cut a read short: http.client returns what it had
            raise DeadlineExceeded(f"No complete response within the {total:g} s deadline.")
        return Response(response.status, data, response.getheader("Retry-After"))
    except (OSError, http.client.HTTPException) as error:
        if watch.expired or time.monotonic() >= deadline:  # cut by the watchdog, or a read timed out at the end
            raise DeadlineExceeded(f"No complete response within the {total:g} s deadline.") from error
        raise
    finally:
        _watchdog.unwatch(watch)
        connection.close()
