"""Fault 1: PostgreSQL restarted under traffic, and PostgreSQL down.

A fast restart terminates every connection. Only requests running a query at that instant may fail (a clean 503);
requests arriving while the server is down wait for it (bounded connect retry), stale persistent connections are
replaced (CONN_HEALTH_CHECKS), and no answer ever carries a raw database error.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.faults import harness

WORKERS = 2  # gunicorn sync workers: one request each at a time
CLIENTS = 6
EVENTS_QUERY = (
    "{ events(perPage: 20) { items { title slug startsAt timeZone icalUrl topics { name } } pagination { total } } }"
)


def hammer(base: str, stop: threading.Event, results: list) -> None:
    paths = ["graphql", "/calendar/events.ics"]
    turn = 0
    while not stop.is_set():
        path = paths[turn % len(paths)]
        turn += 1
        started = time.monotonic()
        if path == "graphql":
            answer = harness.graphql(base, EVENTS_QUERY, timeout=30)
        else:
            answer = harness.get(base + path, timeout=30)
        results.append((started, time.monotonic(), path, answer))


def test_postgres_restart_under_traffic(stack, processes):
    web, base = harness.gunicorn(stack.env(), stack.logs / "web-pg-restart.log", workers=WORKERS)
    processes.append(web)
    assert harness.graphql(base, EVENTS_QUERY).status == 200

    stop, results = threading.Event(), []
    with ThreadPoolExecutor(CLIENTS) as pool:
        for _ in range(CLIENTS):
            pool.submit(hammer, base, stop, results)
        time.sleep(3)
        restart_began = time.monotonic()
        stack.postgres.restart()
        restart_ended = time.monotonic()
        time.sleep(4)
        stop.set()

    failed = [(path, answer) for _, _, path, answer in results if answer.status != 200]
    leaked = [(path, answer.status, harness.leaks(answer)) for _, _, path, answer in results if harness.leaks(answer)]
    during = [r for r in results if r[0] <= restart_ended and r[1] >= restart_began]
    harness.summary(
        f"postgres-restart: {len(results)} requests, {len(during)} overlapping the "
        f"{restart_ended - restart_began:.1f}s restart, {len(failed)} not 200 "
        f"({sorted({(p, a.status) for p, a in failed})}), {len(leaked)} leaking database errors"
    )
    assert not leaked, leaked[:3]
    for path, answer in failed:  # in flight when the connections were cut: a clean 503, nothing else
        assert answer.status == 503, (path, answer.status, answer.error, answer.body[:300])
        assert answer.headers["Content-Type"].startswith("application/json")
    assert len(failed) <= WORKERS, [(p, a.status, a.body[:200]) for p, a in failed]

    for _ in range(10):  # and everything answers again
        assert harness.graphql(base, EVENTS_QUERY).status == 200
        assert harness.get(base + "/calendar/events.ics").status == 200


def test_postgres_down_is_a_clean_503(stack, processes):
    web, base = harness.gunicorn(stack.env(DATABASE_CONNECT_RETRY_SECONDS="1"), stack.logs / "web-pg-down.log")
    processes.append(web)
    assert harness.get(base + "/healthz").status == 200
    stack.postgres.stop()
    try:
        answers = {
            "graphql": harness.graphql(base, EVENTS_QUERY, timeout=20),
            "feed": harness.get(base + "/calendar/events.ics", timeout=20),
            "healthz": harness.get(base + "/healthz", timeout=20),
        }
    finally:
        stack.postgres.start()
    harness.summary("postgres-down: " + ", ".join(f"{k} {a.status} in {a.seconds:.1f}s" for k, a in answers.items()))
    for name, answer in answers.items():
        assert answer.status == 503, (name, answer.status, answer.error, answer.body[:300])
        # /healthz names the kind of failure for the operator ("OperationalError"), never the driver's text.
        allowed = {"OperationalError"} if name == "healthz" else set()
        assert not set(harness.leaks(answer)) - allowed, (name, answer.body[:300])
        assert answer.seconds < 10, (name, answer.seconds)
    assert answers["graphql"].json()["errors"][0]["message"].startswith("The database is not available")
    assert answers["healthz"].json()["database"]["ok"] is False
    assert harness.wait_until(lambda: harness.graphql(base, EVENTS_QUERY).status == 200, 20, 0.5)
