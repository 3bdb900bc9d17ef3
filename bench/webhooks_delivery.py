"""Webhook benchmarks, measured side by side in one run (never run as tests).

    .venv/bin/python bench/webhooks_delivery.py [--publishes 40] [--rate-deliveries 300] [--events 1000]

1. publish cost: publishing a page with 20 subscribed endpoints vs none (target <= 1.2x);
2. delivery rate: one `run_worker` process vs a bare http.client loop posting the same signed payloads to the
   same local receiver (target >= 50%);
3. fan-out: 1,000 events x 10 endpoints, every delivery must arrive; deliveries/s, p50/p95 publish-to-receipt.

It uses a fresh SQLite database in a temporary directory (or DATABASE_URL), the test settings (which allow a
receiver on 127.0.0.1), and a receiver in its own process so that it competes with neither side.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="webhooks-bench-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORKDIR / 'bench.sqlite3'}")
os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"

RECEIVER = r"""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
log = []
class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        log.append((time.time(), self.headers.get("webhook-id"), self.path))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def do_GET(self):
        data = json.dumps(log if self.path == "/dump" else {"count": len(log)}).encode()
        if self.path == "/reset":
            log.clear()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
class Server(ThreadingHTTPServer):
    request_queue_size = 128  # a real server's listen backlog (the default 5 drops connections under a burst)
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def site_tree():
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from events.factories import EventIndexPageFactory
    from pages.factories import HomePageFactory

    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="bench-home")
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    return EventIndexPageFactory(parent=home)


def receiver_get(port: int, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return json.loads(response.read())


def wait_for(port: int, count: int, timeout: float = 600.0) -> float:
    started = time.monotonic()
    while receiver_get(port, "/count")["count"] < count:
        if time.monotonic() - started > timeout:
            raise SystemExit(f"only {receiver_get(port, '/count')['count']} of {count} deliveries arrived")
        time.sleep(0.05)
    return time.monotonic() - started


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.05"],
        cwd=ROOT,
        env=os.environ | {"LOG_LEVEL": "ERROR"},
        stdout=subprocess.DEVNULL,
    )


def bench_publish(event_index, publishes: int) -> tuple[float, float]:
    """Median seconds per publish with no endpoint, then with 20 (rounds interleaved to share any drift)."""
    from events.factories import TrainingEventPageFactory
    from integrations.webhooks import services
    from integrations.webhooks.models import Endpoint

    page = TrainingEventPageFactory(parent=event_index, title="Bench event")
    endpoints = [
        services.endpoint_create(url="http://127.0.0.1:9/", event_types=["*"], description=f"bench {n}")
        for n in range(20)
    ]
    ids = [endpoint.pk for endpoint in endpoints]
    times = {0: [], 20: []}
    for round_ in range(publishes):
        for count in (0, 20) if round_ % 2 else (20, 0):
            Endpoint.objects.filter(pk__in=ids).update(active=count > 0)
            page.summary = f"Round {round_} with {count}"
            started = time.perf_counter()
            page.save_revision().publish()
            times[count].append(time.perf_counter() - started)
    Endpoint.objects.filter(pk__in=ids).delete()
    return statistics.median(times[0]), statistics.median(times[20])


def bench_rate(port: int, deliveries: int) -> tuple[float, float]:
    """Deliveries per second: a bare loop, then one worker process, same signed payloads, same receiver."""
    import http.client

    from integrations.webhooks import selectors, services
    from integrations.webhooks.models import Delivery, OutboxMessage

    endpoint = services.endpoint_create(url=f"http://127.0.0.1:{port}/rate", event_types=["*"])
    message = OutboxMessage.objects.create(type="event.updated", object_key="page:1", data={"id": 1}, public=True)
    body = selectors.delivery_body(message, endpoint.audience)

    started = time.perf_counter()
    for _ in range(deliveries):
        headers = services.signed_headers(endpoint=endpoint, webhook_id=message.webhook_id, body=body)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("POST", "/bare", body=body.encode(), headers=headers)
        connection.getresponse().read()
        connection.close()
    bare = deliveries / (time.perf_counter() - started)

    from integrations.webhooks import tasks

    worker = start_worker()
    try:
        # Warm up: the worker has imported everything and delivered once before the clock starts.
        services.endpoint_ping(endpoint=endpoint)
        tasks.enqueue(tasks.drain)
        wait_for(port, deliveries + 1)
        receiver_get(port, "/reset")
        messages = OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(type="event.updated", object_key=f"page:{n}", data={"id": n}, public=True)
                for n in range(deliveries)
            ]
        )
        Delivery.objects.bulk_create(
            [Delivery(message=m, endpoint=endpoint, object_key=m.object_key) for m in messages]
        )
        started = time.monotonic()
        tasks.enqueue(tasks.drain)  # what the commit of a publish does
        wait_for(port, deliveries)
        worker_rate = deliveries / (time.monotonic() - started)
    finally:
        worker.terminate()
        worker.wait(30)
    endpoint.delete()
    return bare, worker_rate


def bench_fan_out(port: int, event_index, events: int, endpoints: int, workers: int) -> dict:
    from django.db import transaction

    from events.factories import TrainingEventPageFactory
    from integrations.webhooks import services
    from integrations.webhooks.models import Delivery, DeliveryStatus, OutboxMessage

    receiver_get(port, "/reset")
    for n in range(endpoints):
        services.endpoint_create(url=f"http://127.0.0.1:{port}/fan/{n}", event_types=["event.*"])
    pages = [TrainingEventPageFactory(parent=event_index, title=f"Fan-out {n}") for n in range(20)]
    processes = [start_worker() for _ in range(workers)]
    time.sleep(2)
    try:
        created_at = {}
        started = time.monotonic()
        for n in range(events):
            with transaction.atomic():  # each as its own publish transaction would be
                message = services.page_message_record(page=pages[n % len(pages)], action="updated")
            created_at[message.webhook_id] = message.created_at.timestamp()
        wait_for(port, events * endpoints)
        elapsed = time.monotonic() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    log = receiver_get(port, "/dump")
    pairs = {(webhook_id, path) for _, webhook_id, path in log}
    latencies = sorted(received - created_at[webhook_id] for received, webhook_id, _ in log)
    return {
        "expected": events * endpoints,
        "received": len(log),
        "distinct": len(pairs),
        "succeeded": Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED, message__type="event.updated").count(),
        "messages": OutboxMessage.objects.filter(type="event.updated").count(),
        "seconds": elapsed,
        "per_second": events * endpoints / elapsed,
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[int(len(latencies) * 0.95)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publishes", type=int, default=40)
    parser.add_argument("--rate-deliveries", type=int, default=300)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    event_index = site_tree()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    port = int(receiver.stdout.readline())
    try:
        none, twenty = bench_publish(event_index, args.publishes)
        bare, worker_rate = bench_rate(port, args.rate_deliveries)
        fan = bench_fan_out(port, event_index, args.events, args.endpoints, args.workers)
    finally:
        receiver.terminate()
    print(f"database: {connection.vendor}; python {sys.version.split()[0]}")
    print(f"{'measure':<58} {'value':>12} {'target':>10}")
    print(f"{'publish, median ms, no endpoint':<58} {none * 1000:>12.2f}")
    print(f"{'publish, median ms, 20 endpoints':<58} {twenty * 1000:>12.2f}")
    print(f"{'publish ratio 20 endpoints / none':<58} {twenty / none:>12.2f} {'<= 1.20':>10}")
    print(f"{'bare http.client loop, posts/s':<58} {bare:>12.1f}")
    print(f"{'one run_worker process, deliveries/s':<58} {worker_rate:>12.1f}")
    print(f"{'worker / bare loop':<58} {worker_rate / bare:>12.2f} {'>= 0.50':>10}")
    label = f"fan-out {args.events} events x {args.endpoints} endpoints, {args.workers} worker(s)"
    print(f"{label + ': received/expected':<58} {fan['received']:>6}/{fan['expected']:<5}")
    print(f"{'  distinct (webhook-id, endpoint) pairs received':<58} {fan['distinct']:>12}")
    print(f"{'  deliveries marked succeeded':<58} {fan['succeeded']:>12}")
    print(f"{'  deliveries/s':<58} {fan['per_second']:>12.1f}")
    print(f"{'  publish-to-receipt p50 / p95, s':<58} {fan['p50']:>6.2f} / {fan['p95']:.2f}")


if __name__ == "__main__":
    main()
