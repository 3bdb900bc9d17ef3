"""Reads at the speed of the response cache: stored GraphQL answers, 304s that execute nothing, stored feeds.

    .venv/bin/python bench/read_cache.py [--backends sqlite,postgres] [--volumes 1000] [--requests 300]

For each backend and volume, a database seeded as bench/graphql_events.py seeds it (`seed_demo --volume N`; SQLite
files bench/.data/rcache-<N>.sqlite3, PostgreSQL databases cms_bench_rcache_<N>), and two gunicorn processes (1
sync worker each, production settings, rate limits off, no Redis: the per-process memory cache): one with the
response cache on, one with RESPONSE_CACHE=false for the full uncached answer. One sequential client sends each
contender in interleaved rounds:

- gql-anon     the contract `events` query (20 upcoming events), POST, anonymous: a stored answer after the first
- gql-partner  the same with a partner's bearer token
- bytes        a Django view returning the same kind of JSON from memory: the limit of this stack
- rest-v2      Wagtail's REST API v2 listing the same 20 events
- gql-304      GET of the same query with the If-None-Match of its ETag: 304, nothing executed
- gql-full     the same GET on the uncached server: parse cache aside, executed every time
- feed         /calendar/events.ics, no validators, `Accept-Encoding: br, gzip` (a stored feed after the first)
- feed-304     the same with If-None-Match

Prints req/s, p50, p95, the ratios the issue sets targets for, and the feed's size plain / gzip / brotli.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench import graphql_events as base

PG = base.PG
COMPRESSED = {"Accept-Encoding": "br, gzip"}


def database_url(backend: str, volume: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{base.DATA / f'rcache-{volume}.sqlite3'}"
    return f"{PG}/{base.DB_PREFIX}_rcache_{volume}"


base.database_url = database_url  # the same seeding, in this benchmark's own databases


def partner_token(url: str) -> str:
    code = (
        "from django.contrib.auth import get_user_model;"
        "from integrations.graphql.services import api_token_create;"
        "user, _ = get_user_model().objects.get_or_create(username='bench-partner');"
        "print(api_token_create(user=user, name='bench')[1])"
    )
    out = subprocess.run(
        [sys.executable, str(base.ROOT / "manage.py"), "shell", "-c", code],
        env=base.environment(url),
        check=True,
        capture_output=True,
        text=True,
        cwd=base.ROOT,
    )
    return out.stdout.strip().splitlines()[-1]


def serve(url: str, **env) -> tuple[subprocess.Popen, int]:
    original = base.environment
    base.environment = lambda u: original(u) | env
    try:
        return base.serve(url)
    finally:
        base.environment = original


def call(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = dict(headers or {})
    if body:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - started
    result = response.status, dict(response.getheaders()), content, elapsed
    connection.close()
    return result


def contenders(token: str, cached_port: int, full_port: int) -> dict:
    query_body = json.dumps({"query": base.EVENTS_QUERY})
    get_path = "/graphql/?" + __import__("urllib.parse").parse.urlencode({"query": base.EVENTS_QUERY})
    _, headers, _, _ = call(cached_port, "GET", get_path)
    etag = headers["ETag"]
    feed_etag = call(cached_port, "GET", "/calendar/events.ics")[1]["ETag"]
    return {
        "gql-anon": (cached_port, "POST", "/graphql/", query_body, {}, 200),
        "gql-partner": (cached_port, "POST", "/graphql/", query_body, {"Authorization": f"Bearer {token}"}, 200),
        "bytes": (cached_port, "GET", "/bench/bytes/events/", None, {}, 200),
        "rest-v2": (cached_port, "GET", base.REST_PATH, None, {}, 200),
        "gql-304": (cached_port, "GET", get_path, None, {"If-None-Match": etag}, 304),
        "gql-full": (full_port, "GET", get_path, None, {}, 200),
        # As calendar apps poll: compressed (the stored brotli twin), and revalidating with the ETag.
        "feed": (cached_port, "GET", "/calendar/events.ics", None, COMPRESSED, 200),
        "feed-304": (cached_port, "GET", "/calendar/events.ics", None, COMPRESSED | {"If-None-Match": feed_etag}, 304),
    }


def measure(table: dict, requests: int, rounds: int = 10) -> dict[str, list[float]]:
    timings = {name: [] for name in table}
    for port, method, path, body, headers, _ in table.values():
        for _ in range(10):
            call(port, method, path, body, headers)
    for _ in range(rounds):
        for name, (port, method, path, body, headers, expected) in table.items():
            for _ in range(requests // rounds):
                status, _, _, elapsed = call(port, method, path, body, headers)
                assert status == expected, (name, status)
                timings[name].append(elapsed)
    return timings


def feed_sizes(port: int) -> tuple[int, int, int]:
    sizes = []
    for coding in ("identity", "gzip", "br"):
        _, _, content, _ = call(port, "GET", "/calendar/events.ics", headers={"Accept-Encoding": coding})
        sizes.append(len(content))
    return tuple(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--volumes", default="1000")
    parser.add_argument("--requests", type=int, default=300, help="per contender, per backend and volume")
    args = parser.parse_args()
    results = []
    for backend in args.backends.split(","):
        for volume in map(int, args.volumes.split(",")):
            url = base.prepare(backend, volume)
            token = partner_token(url)
            cached, cached_port = serve(url)
            full, full_port = serve(url, RESPONSE_CACHE="false")
            try:
                base.check(cached_port)
                table = contenders(token, cached_port, full_port)
                timings = measure(table, args.requests)
                sizes = feed_sizes(cached_port)
            finally:
                for server in (cached, full):
                    server.terminate()
                    server.wait()
            results.append((backend, volume, timings, sizes))
    for backend, volume, timings, sizes in results:
        rate = {name: len(values) / sum(values) for name, values in timings.items()}
        # Ratios by mean rate and by median: on a shared machine a neighbour's burst adds a tail to whichever
        # contender it lands on, which moves means far more than medians.
        median_rate = {name: 1 / statistics.median(values) for name, values in timings.items()}
        print(f"\n{backend}, {volume} events, 20 items")
        print(f"  {'contender':<12}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
        for name, values in timings.items():
            ordered = sorted(values)
            p95 = ordered[int(len(ordered) * 0.95) - 1]
            print(f"  {name:<12}{rate[name]:>9.1f}{1000 * statistics.median(ordered):>9.2f}{1000 * p95:>9.2f}")
        checks = [
            ("gql-anon", "bytes", 0.5),
            ("gql-partner", "bytes", 0.5),
            ("gql-anon", "rest-v2", 10),
            ("gql-partner", "rest-v2", 10),
            ("gql-304", "gql-full", 20),
            ("feed-304", "feed", None),
        ]
        print(f"  {'ratio':<24}{'by mean':>9}{'by p50':>9}")
        for faster, slower, target in checks:
            ratios = [rates[faster] / rates[slower] for rates in (rate, median_rate)]
            if target is None:
                verdict = "ok" if max(ratios) <= 2 else "ok by p50" if ratios[1] <= 2 else "MISSED"
                wanted = "<= 2x"
            else:
                verdict = "ok" if min(ratios) >= target else "ok by p50" if ratios[1] >= target else "MISSED"
                wanted = f">= {target}x"
            label = f"{faster} / {slower}"
            print(f"  {label:<24}{ratios[0]:>8.2f}x{ratios[1]:>8.2f}x  (target {wanted}) {verdict}")
        print(f"  feed size: {sizes[0]:,} B plain, {sizes[1]:,} B gzip, {sizes[2]:,} B brotli")


if __name__ == "__main__":
    main()
