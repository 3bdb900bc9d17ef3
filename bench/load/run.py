"""Load suite: the production shape under a realistic partner/calendar mix, at 10, 50 and 100 concurrent users.

    .venv/bin/python bench/load/run.py [--duration 30] [--users 10,50,100] [--volume 1000] [--database cms_load]
        [--redis-db 11]
    make bench-load

It starts the production shape itself with deploy/serve-prod.sh (gunicorn + run_worker + RQ worker, PostgreSQL,
Redis, moto_server) on free 127.0.0.1 ports, its own database (re-created, seeded with the demo content plus
--volume events and publications, so the contract `events` query returns full 20-item pages as a real partner
site's does) and Redis db, and stops it at the end.
Then, against 127.0.0.1 only:

- three webhook receivers (tests/integrations/webhooks/receiver.py: real HTTP servers verifying every signature)
  registered as endpoints for every event type;
- an editor process publishing a revision of a demo event every --publish-every seconds (bench/load/cms_side.py),
  so webhooks fan out and feeds and GraphQL answers change while the users read;
- virtual users (one thread each, think time --wait seconds between requests, half of them partners with API
  tokens) sending: partner GraphQL 70% (the contract `events` query by POST and by GET with If-None-Match,
  `event(slug:)` lookups, publications by GET with ETag), iCal polling with If-None-Match/If-Modified-Since 20%,
  GraphQL search 5%, public document downloads 5% (the CMS's 302, then the file from S3).

First a single user sends the contract `events` query back to back (the unloaded p50), then each stage of users
runs for --duration seconds. Printed: req/s, p50/p95/p99 and errors per stage and per request kind, the gunicorn
processes' CPU time per request and the machine's load average (latency on shared cores depends on the neighbours;
CPU per request does not), webhook
deliveries received and verified against expected, and the target: at 50 users no errors and the `events` p95
under 5x the single-user p50.

Why not locust: the mix, the stages, the single-user baseline and the starting and stopping of the served stack
are the whole program either way; threads with http.client need no new dependency (locust brings gevent, Flask
and a web UI) and on 2 cores the client stays cheap next to the server (at most ~60 requests/s here).
The anonymous GraphQL rate limit is off for the run (every virtual user shares 127.0.0.1; in production they are
different addresses); the per-token limit stays on.
"""

import argparse
import base64
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.integrations.webhooks.receiver import start_receiver  # noqa: E402

RUNS = ROOT / "bench" / "load" / ".runs"
PY = sys.executable

# The partner contract query (docs/partners.md).
EVENTS_QUERY = (
    "query Events($topic: String, $page: Int) { events(upcoming: true, topic: $topic, page: $page, perPage: 20) { "
    "items { id title slug url summary startsAt endsAt timeZone status deliveryMode registrationUrl icalUrl "
    "topics { name slug } facilitators { name role organization } } pagination { total totalPages } } }"
)
EVENT_QUERY = (
    "query Event($slug: String) { event(slug: $slug) { id title slug url summary startsAt endsAt timeZone status "
    "deliveryMode registrationUrl icalUrl topics { name slug } facilitators { name role organization } } }"
)
PUBLICATIONS_QUERY = (
    "{ publications(perPage: 20) { items { title slug publishedOn authors { name } documentUrl } "
    "pagination { total } } }"
)
SEARCH_QUERY = "query Search($q: String!) { search(query: $q, perPage: 10) { __typename ... on Page { title url } } }"
SEARCH_TERMS = ["crisis", "suicide", "deflection", "co-response", "988", "youth", "language", "training"]

# Request kinds and their share of a user's requests (percent).
MIX = [
    ("gql events POST", 30),
    ("gql events GET+ETag", 15),
    ("gql event lookup", 15),
    ("gql publications GET+ETag", 10),
    ("ical conditional", 20),
    ("gql search", 5),
    ("document", 5),
]


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    ok: bool
    status: int


@dataclass
class Stage:
    name: str
    users: int
    samples: list = field(default_factory=list)
    seconds: float = 0.0
    web_cpu: float = 0.0  # CPU seconds the gunicorn processes used during the stage
    load: float = 0.0  # the machine's 1-minute load average at the end (other work on the shared cores included)


def group_cpu_seconds(pgid: int, name: str) -> float:
    """CPU seconds (user + system) used so far by the live processes of group `pgid` whose command mentions `name`.

    Server CPU per request does not depend on how busy the rest of the machine is, unlike wall-clock latency.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid or name not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, IndexError, ValueError):  # the process ended while being read
            continue
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


class Client:
    """One virtual user's HTTP connection (gunicorn's sync workers close it after each answer; http.client reopens)."""

    def __init__(self, port: int, token: str | None):
        self.port = port
        self.token = token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.validators: dict[str, dict[str, str]] = {}  # url -> conditional headers from the last 200

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.token and url.startswith("/graphql/"):
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.connection.request(method, url, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response, content

    def conditional_get(self, url: str, headers: dict | None = None):
        """GET with the validators of the last full answer, as a calendar app or a partner's HTTP cache does."""
        response, content = self.request("GET", url, headers={**(headers or {}), **self.validators.get(url, {})})
        if response.status == 200:
            saved = {}
            if response.getheader("ETag"):
                saved["If-None-Match"] = response.getheader("ETag")
            if response.getheader("Last-Modified"):
                saved["If-Modified-Since"] = response.getheader("Last-Modified")
            self.validators[url] = saved
        return response, content


def graphql_ok(response, content) -> bool:
    if response.status == 304:
        return True
    if response.status != 200:
        return False
    return not json.loads(content).get("errors")


def gql_post(client: Client, query: str, variables: dict | None = None) -> tuple[bool, int]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    response, content = client.request("POST", "/graphql/", body, {"Content-Type": "application/json"})
    return graphql_ok(response, content), response.status


def gql_get(client: Client, query: str, variables: dict | None = None) -> tuple[bool, int]:
    params = {"query": query}
    if variables:
        params["variables"] = json.dumps(variables)
    response, content = client.conditional_get("/graphql/?" + urllib.parse.urlencode(params))
    return graphql_ok(response, content), response.status


def run_request(kind: str, client: Client, data: dict, rng: random.Random) -> tuple[bool, int]:
    if kind == "gql events POST":
        topic = rng.choice([None, None, *data["topic_slugs"]])
        return gql_post(client, EVENTS_QUERY, {"topic": topic, "page": 1})
    if kind == "gql events GET+ETag":
        return gql_get(client, EVENTS_QUERY, {"topic": None, "page": 1})
    if kind == "gql event lookup":
        return gql_post(client, EVENT_QUERY, {"slug": rng.choice(data["event_slugs"])})
    if kind == "gql publications GET+ETag":
        return gql_get(client, PUBLICATIONS_QUERY)
    if kind == "gql search":
        return gql_post(client, SEARCH_QUERY, {"q": rng.choice(SEARCH_TERMS)})
    if kind == "ical conditional":
        topics = [f"/calendar/topics/{slug}.ics" for slug in data["topic_slugs"]]
        url = rng.choice(["/calendar/events.ics"] * 3 + topics)
        response, content = client.conditional_get(url)
        ok = response.status == 304 or (response.status == 200 and content.startswith(b"BEGIN:VCALENDAR"))
        return ok, response.status
    if kind == "document":
        response, _ = client.request("GET", rng.choice(data["documents"]))
        location = response.getheader("Location", "")
        if response.status != 302 or not location:
            return False, response.status
        # The file itself comes from the bucket (a pre-signed URL on moto_server here, the CDN in production).
        target = urllib.parse.urlsplit(location)
        s3 = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        try:
            s3.request("GET", target.path + ("?" + target.query if target.query else ""))
            file_response = s3.getresponse()
            file_response.read()
        finally:
            s3.close()
        return file_response.status == 200, response.status
    raise ValueError(kind)


def user_loop(
    client: Client, data: dict, stage: Stage, stop: threading.Event, wait: tuple[float, float], seed: int, kinds=None
):
    rng = random.Random(seed)
    names, weights = zip(*(kinds or MIX), strict=True)
    if wait[1] > 0:
        stop.wait(rng.uniform(0, wait[1]))  # spread the users' first requests over one think time
    while not stop.is_set():
        kind = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            ok, status = run_request(kind, client, data, rng)
        except Exception:  # a refused or dropped connection, a timeout, an unparsable answer: an error
            ok, status = False, 0
        stage.samples.append(Sample(kind, started, time.perf_counter() - started, ok, status))
        if wait[1] > 0:
            stop.wait(rng.uniform(*wait))


def run_stage(
    name: str, users: int, seconds: float, port: int, data: dict, wait: tuple[float, float], pgid: int, kinds=None
) -> Stage:
    stage = Stage(name, users)
    cpu_before = group_cpu_seconds(pgid, "gunicorn")
    stop = threading.Event()
    tokens = data["tokens"]
    threads = [
        threading.Thread(
            target=user_loop,
            args=(Client(port, tokens[n % len(tokens)] if n % 2 else None), data, stage, stop, wait, n, kinds),
            daemon=True,
        )
        for n in range(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=35)
    stage.seconds = time.perf_counter() - started
    stage.web_cpu = group_cpu_seconds(pgid, "gunicorn") - cpu_before
    stage.load = os.getloadavg()[0]
    return stage


def summarise(samples: list[Sample], seconds: float) -> dict:
    times = sorted(sample.seconds * 1000 for sample in samples)
    return {
        "requests": len(samples),
        "rps": len(samples) / seconds if seconds else 0.0,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": sum(not sample.ok for sample in samples),
    }


def start_stack(args, port: int, log) -> subprocess.Popen:
    env = os.environ | {
        "PORT": str(port),
        "DB_NAME": args.database,
        "REDIS_DB": str(args.redis_db),
        "S3_PORT": str(free_port()),
        "SERVE_PROD_DIR": str(RUNS / "state"),
        "AWS_STORAGE_BUCKET_NAME": "cms-load-media",
        "GRAPHQL_RATE_LIMIT_ANONYMOUS": "0",
        "DEMO_CREDENTIALS_FILE": str(RUNS / "state" / "demo-credentials"),
        "SEED_VOLUME": str(args.volume),
    }
    if args.web_concurrency:
        env["WEB_CONCURRENCY"] = str(args.web_concurrency)
    # Its own session, so the whole group (gunicorn, workers, moto) is stopped with one signal.
    return subprocess.Popen(
        [str(ROOT / "deploy" / "serve-prod.sh")], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_healthy(port: int, stack: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise SystemExit(f"the production shape exited ({stack.returncode}); see {RUNS / 'serve.log'}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("the production shape did not become healthy")


def wait_queue_drained(port: int, timeout: float = 180) -> None:
    """Wait for the seed's backlog (hundreds of index-update tasks) to drain, so it does not share the CPU with the
    measured stages; the editor's publishes during the run enqueue their own tasks, as in production."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/healthz")
        queue = json.loads(connection.getresponse().read())["task_queue"]
        if queue.get("ready") == 0 and queue.get("running") == 0:
            return
        time.sleep(2)
    print("  (the task queue did not drain; measuring anyway)", flush=True)


def stack_env(args, port: int) -> dict:
    """The served CMS's environment, for the helper processes that talk to its database (same as serve-prod)."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": (RUNS / "state" / "secret-key").read_text().strip(),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{port}",
        "WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "LOG_LEVEL": "WARNING",
    }


def print_table(stages: list[Stage]) -> None:
    columns = f"{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(f"\n{'stage':<18}{'users':>6}{columns}{'web CPU ms/req':>16}{'load avg':>10}")
    for stage in stages:
        s = summarise(stage.samples, stage.seconds)
        cpu = 1000 * stage.web_cpu / s["requests"] if s["requests"] else float("nan")
        print(
            f"{stage.name:<18}{stage.users:>6}{s['requests']:>10}{s['rps']:>8.1f}{s['p50']:>9.1f}{s['p95']:>9.1f}"
            f"{s['p99']:>9.1f}{s['errors']:>8}{cpu:>16.1f}{stage.load:>10.1f}"
        )
    print(f"\n{'per kind':<28}" + "".join(f"{stage.name + ' p50/p95 ms':>26}" for stage in stages[1:]))
    for kind, _ in MIX:
        cells = []
        for stage in stages[1:]:
            s = summarise([sample for sample in stage.samples if sample.kind == kind], stage.seconds)
            cells.append(f"{s['p50']:>8.1f} /{s['p95']:>8.1f} ({s['errors']} err)")
        print(f"{kind:<28}" + "".join(f"{cell:>26}" for cell in cells))
    for stage in stages:
        failed = Counter(sample.status for sample in stage.samples if not sample.ok)
        if failed:  # status 0: no HTTP answer (connection refused, reset or timed out)
            print(
                f"errors at {stage.name} by HTTP status: " + ", ".join(f"{k}: {n}" for k, n in sorted(failed.items()))
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds per stage of users")
    parser.add_argument("--users", default="10,50,100")
    parser.add_argument("--single-requests", type=int, default=60, help="single-user `events` queries (baseline)")
    parser.add_argument("--wait", default="1,3", help="think time between a user's requests: min,max seconds")
    parser.add_argument("--publish-every", type=float, default=3.0)
    parser.add_argument(
        "--volume", type=int, default=1000, help="events (and publications) seeded beyond the demo's (0: demo only)"
    )
    parser.add_argument("--database", default="cms_load")
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--web-concurrency", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
    args = parser.parse_args()
    wait = tuple(float(value) for value in args.wait.split(","))
    started = time.monotonic()
    RUNS.mkdir(parents=True, exist_ok=True)
    port = free_port()

    receivers = []
    for _ in range(3):
        secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
        receivers.append(start_receiver(secrets=[secret]))

    with open(RUNS / "serve.log", "w") as log:
        stack = start_stack(args, port, log)
        editor = None
        try:
            print(f"starting the production shape on 127.0.0.1:{port} (log: {RUNS / 'serve.log'})", flush=True)
            wait_healthy(port, stack, timeout=300 + args.volume * 0.6)  # seeding the volume comes first
            print(f"  healthy after {time.monotonic() - started:.0f} s", flush=True)
            wait_queue_drained(port)
            print(f"  task queue drained after {time.monotonic() - started:.0f} s", flush=True)
            env = stack_env(args, port)
            prepare = [PY, str(ROOT / "bench/load/cms_side.py"), "prepare"]
            for receiver in receivers:
                prepare += ["--receiver", receiver.url, "--secret", receiver.secrets[0]]
            output = subprocess.run(prepare, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
            data = json.loads(output.strip().splitlines()[-1])
            print(
                f"  {len(data['event_slugs'])} events, {len(data['topic_slugs'])} topics, "
                f"{len(data['documents'])} public documents, {len(data['tokens'])} partner tokens, "
                f"{len(receivers)} webhook receivers",
                flush=True,
            )
            editor = subprocess.Popen(
                [PY, str(ROOT / "bench/load/cms_side.py"), "editor", "--every", str(args.publish_every)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            run_stage("warm-up", 4, 5, port, data, (0, 0), stack.pid)  # imports, query caches, connections
            single = Stage("single events", 1)
            client = Client(port, None)
            cpu_before = group_cpu_seconds(stack.pid, "gunicorn")
            t0 = time.perf_counter()
            for _ in range(args.single_requests):
                t = time.perf_counter()
                ok, status = gql_post(client, EVENTS_QUERY, {"topic": None, "page": 1})
                single.samples.append(Sample("gql events POST", t, time.perf_counter() - t, ok, status))
            single.seconds = time.perf_counter() - t0
            single.web_cpu = group_cpu_seconds(stack.pid, "gunicorn") - cpu_before
            single.load = os.getloadavg()[0]
            stages = [single]
            for users in (int(value) for value in args.users.split(",")):
                print(f"  {users} users for {args.duration:.0f} s ...", flush=True)
                stages.append(run_stage(f"{users} users", users, args.duration, port, data, wait, stack.pid))
        finally:
            published = 0
            if editor is not None:
                editor.send_signal(signal.SIGTERM)
                published = json.loads(editor.communicate(timeout=60)[0].strip() or "{}").get("published", 0)
            # Webhooks still in flight when the load stops get a little time to land.
            expected = published * len(receivers)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and sum(len(r.received) for r in receivers) < expected:
                time.sleep(0.5)
            os.killpg(stack.pid, signal.SIGTERM)
            try:
                stack.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(stack.pid, signal.SIGKILL)
            for receiver in receivers:
                receiver.server.shutdown()

    print_table(stages)
    received = sum(len(receiver.received) for receiver in receivers)
    verified = sum(len(receiver.verified()) for receiver in receivers)
    types = sorted({item.payload.get("type") for receiver in receivers for item in receiver.received})
    print(
        f"\nwebhooks: {published} publishes x {len(receivers)} endpoints = {expected} expected; "
        f"{received} received, {verified} with a valid signature (types: {', '.join(types) or '-'})"
    )
    single_p50 = statistics.median(sample.seconds * 1000 for sample in single.samples)
    at_50 = next((stage for stage in stages if stage.users == 50), None)
    if at_50 is not None:
        events = sorted(sample.seconds * 1000 for sample in at_50.samples if sample.kind == "gql events POST")
        p95 = percentile(events, 95)
        errors = sum(not sample.ok for sample in at_50.samples)
        ratio = p95 / single_p50
        verdict = "ok" if errors == 0 and ratio < 5 else "MISSED"
        print(
            f"target at 50 users: errors {errors} (want 0); `events` p95 {p95:.1f} ms vs single-user p50 "
            f"{single_p50:.1f} ms = {ratio:.2f}x (want < 5x) -> {verdict}"
        )
    print(f"total run time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
