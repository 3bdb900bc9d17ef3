"""A real HTTP receiver on 127.0.0.1 (ephemeral port) that verifies every webhook with the standardwebhooks library.

Each request is answered by the next scripted behaviour (then the default, 200): a status code, or one of the
hostile behaviours "hang", "drip", "drip-close", "drip-http10", "redirect", "huge". Verification uses each secret
given; `verified_with` records which secrets accepted the request's signatures. Given a certificate (see
`self_signed_certificate`), it speaks HTTPS.
"""

import datetime
import ipaddress
import json
import ssl
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict
    body: bytes
    verified_with: list
    received_at: float

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secrets: list = field(default_factory=list)
    script: list = field(default_factory=list)
    received: list = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    delay: float = 0.0  # seconds before each answer: a partner that takes its time (deliveries stay in flight)
    server: ThreadingHTTPServer | None = None
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}/hooks?source=cms"

    def verified(self) -> list:
        return [item for item in self.received if item.verified_with]

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        until = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < until:
            time.sleep(0.02)
        return self.received


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # a real server's listen backlog (the default 5 drops connections under a burst)

    def handle_error(self, request, client_address):
        # A sender killed mid-delivery (the fault suite's SIGKILL) leaves nobody to answer: expected, not news.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def self_signed_certificate(directory: Path) -> Path:
    """A PEM file holding a key and a self-signed certificate for 127.0.0.1 (clients trust exactly this file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "receiver.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    return path


def start_receiver(secrets=(), script=(), certificate: Path | None = None) -> Receiver:
    receiver = Receiver(secrets=list(secrets), script=list(script))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output clean
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            headers = {key.lower(): value for key, value in self.headers.items()}
            verified = []
            for secret in receiver.secrets:
                try:
                    Webhook(secret).verify(body, headers)
                    verified.append(secret)
                except WebhookVerificationError:
                    pass
            receiver.received.append(Received(headers, body, verified, time.monotonic()))
            if receiver.delay:
                time.sleep(receiver.delay)
            behaviour = receiver.script.pop(0) if receiver.script else 200
            self.respond(behaviour)

        def respond(self, behaviour):
            if behaviour == "hang":
                receiver.release.wait(60)
                return
            if behaviour == "drip":  # headers at once, then one byte per 0.5 s of a long body
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.drip(1000, 0.5)
                return
            if behaviour in ("drip-close", "drip-http10"):
                # No Content-Length: the body ends when the server closes, as with Python's own http.server. The
                # client's http.client then hands the socket over to the response (connection.sock is None).
                if behaviour == "drip-http10":
                    self.protocol_version = "HTTP/1.0"
                self.close_connection = True
                self.send_response(200)
                if behaviour == "drip-close":
                    self.send_header("Connection", "close")
                self.end_headers()
                self.drip(40, 0.25)  # 10 s in all
                return
            if behaviour == "redirect":
                self.send_response(307)
                self.send_header("Location", receiver.url.replace("/hooks", "/elsewhere"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if behaviour == "huge":  # 200 MB, streamed until the client hangs up
                self.send_response(200)
                self.send_header("Content-Length", str(200 * 1024 * 1024))
                self.end_headers()
                chunk = b"y" * 65536
                try:
                    for _ in range(200 * 16):
                        self.wfile.write(chunk)
                except OSError:
                    pass
                return
            status, headers = behaviour if isinstance(behaviour, tuple) else (behaviour, {})
            body = json.dumps({"ok": 200 <= status < 300}).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def drip(self, count: int, interval: float):
            for _ in range(count):
                if receiver.release.is_set():
                    return
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(interval)

    receiver.server = Server(("127.0.0.1", 0), Handler)
    receiver.server.daemon_threads = True
    if certificate:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate)
        receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
        receiver.scheme = "https"
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    return receiver


def stop_receiver(receiver: Receiver) -> None:
    receiver.release.set()
    receiver.server.shutdown()
    receiver.server.server_close()
