"""GraphQL `events` vs Wagtail REST API v2 vs a plain Django floor, side by side on one server.

    .venv/bin/python bench/graphql_events.py [--backends sqlite,postgres] [--volumes 1000,10000] [--requests 300]

For each backend and volume: a database seeded with the demo command (`seed_demo --volume N`, idempotent, so
later runs reuse it: SQLite files in bench/.data/, PostgreSQL databases cms_bench_events_<N>), one
gunicorn process (1 sync worker, production settings, rate limits off) on a free 127.0.0.1 port, and one
sequential client sending the three requests in interleaved rounds so drift hits all three alike:

- graphql: the contract query, 20 upcoming events with topics and facilitators (POST /graphql/, anonymous);
- rest-v2: /api/v2/pages/ listing 20 events with the same fields;
- floor:   a plain Django view (bench/urls.py) running the same selector and returning hand-built JSON.

Each database is ANALYZEd after seeding: PostgreSQL's planner otherwise works from the statistics of an empty
table and scans where it would use indexes (2 s instead of 10 ms for the events list).

Prints req/s, p50 and p95 per endpoint, the ratios, and the p50 at the largest volume over the smallest.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
PG = "postgres://postgres@127.0.0.1:5432"
# PostgreSQL benchmark databases are <prefix>_<bench>_<N>: people sharing one server each set their own prefix.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "cms_bench")

EVENTS_QUERY = (
    "{ events(upcoming: true, perPage: 20) { items { id title slug url summary startsAt endsAt timeZone status "
    "deliveryMode registrationUrl icalUrl topics { name slug } facilitators { name role organization } } "
    "pagination { total } } }"
)
REST_PATH = (
    "/api/v2/pages/?type=events.TrainingEventPage&limit=20&order=start&fields=summary,start,end,time_zone,status,"
    "delivery_mode,registration_url,ical_url,topics,facilitators"
)
ENDPOINTS = {
    "graphql": ("POST", "/graphql/", json.dumps({"query": EVENTS_QUERY})),
    "rest-v2": ("GET", REST_PATH, None),
    "floor": ("GET", "/bench/floor/events/", None),
}


def database_url(backend: str, volume: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{DATA / f'events-{volume}.sqlite3'}"
    return f"{PG}/{DB_PREFIX}_events_{volume}"


def environment(url: str) -> dict[str, str]:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only-not-a-secret",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def prepare(backend: str, volume: int) -> str:
    url = database_url(backend, volume)
    if backend == "postgres":
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
            name = url.rsplit("/", 1)[1]
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
    DATA.mkdir(parents=True, exist_ok=True)
    env = environment(url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.monotonic()
    subprocess.run(
        [*manage, "seed_demo", "--volume", str(volume), "--allow-production", "-v0"], env=env, check=True, cwd=ROOT
    )
    analyse(backend, url)  # fresh planner statistics, as autovacuum would give a long-running database
    print(f"  {backend} {volume}: database ready ({time.monotonic() - started:.0f} s seeding)", flush=True)
    return url


def analyse(backend: str, url: str) -> None:
    if backend == "postgres":
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
    else:
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute("ANALYZE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: str | None) -> tuple[int, bytes, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"} if body else {}
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, content, elapsed


def serve(url: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cms.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--log-level", "warning"],
        env=environment(url),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz", None)[0] in (200, 503):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def check(port: int) -> None:
    """Each endpoint answers 200 with 20 events, the GraphQL one without errors."""
    for name, (method, path, body) in ENDPOINTS.items():
        status, content, _ = request(port, method, path, body)
        payload = json.loads(content)
        items = payload["items"] if name == "rest-v2" else payload["data"]["events"]["items"]
        if status != 200 or len(items) != 20 or payload.get("errors"):
            raise SystemExit(f"{name} answered {status} with {len(items)} items: {content[:300]!r}")


def measure(port: int, requests: int, rounds: int = 10) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    for method, path, body in ENDPOINTS.values():  # warm-up: imports, caches, parsed-query cache
        for _ in range(20):
            request(port, method, path, body)
    for _ in range(rounds):
        for name, (method, path, body) in ENDPOINTS.items():
            for _ in range(requests // rounds):
                status, _, elapsed = request(port, method, path, body)
                assert status == 200, (name, status)
                timings[name].append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--volumes", default="1000,10000")
    parser.add_argument("--requests", type=int, default=300, help="per endpoint, per backend and volume")
    args = parser.parse_args()
    volumes = [int(volume) for volume in args.volumes.split(",")]
    rows = []
    p50 = {}
    for backend in args.backends.split(","):
        for volume in volumes:
            url = prepare(backend, volume)
            server, port = serve(url)
            try:
                check(port)
                timings = measure(port, args.requests)
            finally:
                server.terminate()
                server.wait()
            rate = {name: len(values) / sum(values) for name, values in timings.items()}
            for name, values in timings.items():
                ordered = sorted(values)
                p50[backend, volume, name] = statistics.median(ordered)
                rows.append(
                    (
                        backend,
                        volume,
                        name,
                        rate[name],
                        1000 * statistics.median(ordered),
                        1000 * ordered[int(len(ordered) * 0.95) - 1],
                        rate[name] / rate["rest-v2"],
                        rate[name] / rate["floor"],
                    )
                )
    print(
        f"\n{'backend':<9}{'events':>7}  {'endpoint':<9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'÷REST':>8}{'÷floor':>8}"
    )
    for backend, volume, name, rate, median, p95, vs_rest, vs_floor in rows:
        print(
            f"{backend:<9}{volume:>7}  {name:<9}{rate:>8.1f}{median:>9.2f}{p95:>9.2f}{vs_rest:>7.2f}x{vs_floor:>7.2f}x"
        )
    print("\ntargets: graphql >= 1.5x rest-v2, >= 0.5x floor; graphql p50 at the largest volume <= 1.3x the smallest")
    for backend, volume, name, *_, vs_rest, vs_floor in rows:
        if name == "graphql":
            verdict = "ok" if vs_rest >= 1.5 and vs_floor >= 0.5 else "MISSED"
            print(f"  {backend} {volume}: {vs_rest:.2f}x REST, {vs_floor:.2f}x floor -> {verdict}")
    if len(volumes) > 1:
        for backend in args.backends.split(","):
            growth = p50[backend, volumes[-1], "graphql"] / p50[backend, volumes[0], "graphql"]
            verdict = "ok" if growth <= 1.3 else "MISSED"
            print(f"  {backend} p50 {volumes[-1]} / {volumes[0]}: {growth:.2f}x -> {verdict}")


if __name__ == "__main__":
    main()
