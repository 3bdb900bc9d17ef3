"""Fault 4: the webhook worker killed with SIGKILL in the middle of a 1,000-delivery fan-out, then restarted.

250 events republished while 4 partner endpoints subscribe to everything: 1,000 deliveries. The worker (run_worker,
the database queue: the default deployment) is killed once the receiver has seen 300 of them, while publishing
goes on. A new worker re-claims what the dead one held once its leases run out and delivers the rest. The contract
(README "Webhooks"): at least once, the same webhook-id on every attempt, so every (endpoint, webhook-id) pair the
outbox holds must reach the receiver, and none may stay pending or running.
"""

import threading

import pytest

from tests.faults import harness
from tests.faults.conftest import VOLUME
from tests.integrations.webhooks.receiver import start_receiver, stop_receiver

ENDPOINTS = 4
KILL_AFTER = 300


def feed_text(base: str) -> str:
    answer = harness.get(base + "/calendar/events.ics", timeout=60)
    assert answer.status == 200
    return answer.body.decode().replace("\r\n ", "")  # unfold RFC 5545 lines


def api_slugs(base: str) -> set[str]:
    slugs, page = set(), 1
    while True:
        query = f"{{ events(perPage: 100, page: {page}) {{ items {{ slug }} pagination {{ totalPages }} }} }}"
        answer = harness.graphql(base, query, timeout=60)
        assert answer.status == 200, answer.body[:300]
        events = answer.json()["data"]["events"]
        slugs |= {item["slug"] for item in events["items"]}
        if page >= events["pagination"]["totalPages"]:
            return slugs
        page += 1


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_webhook_worker_killed_mid_fan_out(stack, processes, backend):
    # database: run_worker drains the database queue (the default deployment). rq: REDIS_URL set, rqworker
    # delivers (killed with its work horse) and run_worker only runs the sweep.
    env = stack.env(redis=backend == "rq")
    database = stack.postgres.url
    receiver = start_receiver()
    try:
        endpoints = harness.create_endpoints(env, receiver.url, ENDPOINTS)
        receiver.secrets.extend(endpoint["secret"] for endpoint in endpoints)
        endpoint_ids = [endpoint["id"] for endpoint in endpoints]
        receiver.delay = 0.05

        def leased_now() -> int:
            return harness.sql(database, "SELECT count(*) FROM webhooks_delivery WHERE status = 'running'")[0][0]

        def start_worker(run: int) -> harness.Process:
            if backend == "rq":
                return harness.rq_worker(env, stack.logs / f"rqworker-fanout-{run}.log")
            return harness.run_worker(env, stack.logs / f"worker-fanout-{run}.log", "--schedule-interval", "2")

        if backend == "rq":
            sweeper = harness.run_worker(env, stack.logs / "worker-fanout-rq.log", "--schedule-interval", "2")
            processes.append(sweeper)
        worker = start_worker(1)
        processes.append(worker)

        published: list[int] = []
        publisher = threading.Thread(
            target=lambda: published.extend(harness.republish(env, slug_prefix="volume-event-", limit=VOLUME))
        )
        publisher.start()

        def mid_delivery() -> bool:  # past KILL_AFTER, with a claimed batch in flight
            return len(receiver.received) >= KILL_AFTER and leased_now() > 0

        assert harness.wait_until(mid_delivery, 180, 0.02), worker.log()
        worker.kill()  # SIGKILL: no cleanup, its claimed batch stays RUNNING under a lease
        seen_at_kill = len(receiver.received)
        leased = leased_now()
        publisher.join(300)
        assert not publisher.is_alive()
        assert len(published) == VOLUME

        # The dead worker's leases last a batch's worst case (50 deliveries, 4 at a time: 13 x 15 s + 30 s); let that
        # time pass.
        harness.sql(
            database,
            "UPDATE webhooks_delivery SET lease_expires_at = now() - interval '1 second' "
            "WHERE status = 'running' RETURNING id",
        )
        processes.append(start_worker(2))

        def unfinished() -> int:
            return harness.sql(
                database,
                "SELECT count(*) FROM webhooks_delivery "
                "WHERE endpoint_id = ANY(%s) AND status IN ('pending', 'running')",
                (endpoint_ids,),
            )[0][0]

        assert harness.wait_until(lambda: unfinished() == 0, 180, 0.5), harness.delivery_counts(database)

        expected = set(
            harness.sql(
                database,
                "SELECT d.endpoint_id, 'msg_' || replace(e.id::text, '-', '') FROM webhooks_delivery d "
                "JOIN webhooks_outboxmessage e ON e.id = d.message_id WHERE d.endpoint_id = ANY(%s)",
                (endpoint_ids,),
            )
        )
        marker_to_id = {endpoint["marker"]: endpoint["id"] for endpoint in endpoints}
        verified = receiver.verified()
        seen = {(marker_to_id[r.headers["x-endpoint"]], r.headers["webhook-id"]) for r in verified}
        statuses = dict(
            harness.sql(
                database,
                "SELECT status, count(*) FROM webhooks_delivery WHERE endpoint_id = ANY(%s) GROUP BY status",
                (endpoint_ids,),
            )
        )
        reclaimed = harness.sql(
            database,
            "SELECT count(*) FROM webhooks_deliveryattempt a JOIN webhooks_delivery d ON d.id = a.delivery_id "
            "WHERE d.endpoint_id = ANY(%s) AND a.error LIKE 'The worker stopped mid-delivery%%'",
            (endpoint_ids,),
        )[0][0]
        stuck_tasks = harness.sql(
            database, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        )[0][0]

        web, base = harness.gunicorn(env, stack.logs / "web-fanout.log")
        processes.append(web)
        slugs = harness.sql(database, "SELECT slug FROM wagtailcore_page WHERE id = ANY(%s)", (published,))
        slugs = {slug for (slug,) in slugs}
        in_api = slugs & api_slugs(base)
        feed = feed_text(base)
        titles = harness.sql(database, "SELECT title FROM wagtailcore_page WHERE id = ANY(%s)", (published,))
        in_feed = [title for (title,) in titles if f"SUMMARY:{title}" in feed]

        harness.summary(
            f"webhook-worker-killed ({backend} queue): {len(expected)} deliveries "
            f"({ENDPOINTS} endpoints x {len(published)} publishes), "
            f"SIGKILL after {seen_at_kill} received with {leased} leased; re-claimed {reclaimed}; "
            f"received {len(verified)} requests = {len(seen)} distinct (endpoint, webhook-id) "
            f"+ {len(verified) - len(seen)} repeats; missing {len(expected - seen)}; statuses {statuses}; "
            f"task rows left RUNNING {stuck_tasks}; "
            f"in API {len(in_api)}/{len(slugs)}, in feed {len(in_feed)}/{len(titles)}"
        )
        assert len(expected) == ENDPOINTS * VOLUME
        assert seen == expected  # every delivery arrived, none invented
        assert statuses == {"succeeded": ENDPOINTS * VOLUME}
        assert reclaimed == leased
        assert len(in_api) == len(slugs) == VOLUME
        assert len(in_feed) == VOLUME
        # The killed drain's task row stays RUNNING (django-tasks-db has no lease) until run_worker's beat closes it
        # after TASK_ABANDONED_AFTER_SECONDS: bookkeeping only, the delivery table held the work. The queue still
        # reads as healthy meanwhile.
        assert harness.get(base + "/healthz").json()["task_queue"]["ok"] is True
    finally:
        stop_receiver(receiver)
        harness.sql(database, "UPDATE webhooks_endpoint SET active = false RETURNING id")  # later tests' fan-outs
