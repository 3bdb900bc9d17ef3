"""Fault 2: Redis killed under a deployment that uses it (cache, rate limiter, RQ webhook queue).

The API keeps answering (the cache falls back to process memory), /healthz says "degraded" with a 200, publishing
still records every webhook delivery (the delivery table is the source of truth) and the wake-up falls back to the
database queue, so partners are still told; when Redis is back, work goes through RQ again. Nothing is lost.
"""

from tests.faults import harness
from tests.integrations.webhooks.receiver import start_receiver, stop_receiver

EVENTS_QUERY = "{ events(perPage: 10) { items { title slug } pagination { total } } }"


def test_redis_down(stack, processes):
    receiver = start_receiver()
    try:
        env = stack.env()
        [endpoint] = harness.create_endpoints(env, receiver.url, 1)
        receiver.secrets.append(endpoint["secret"])
        web, base = harness.gunicorn(env, stack.logs / "web-redis.log")
        processes.append(web)
        processes.append(harness.run_worker(env, stack.logs / "worker-redis.log", "--schedule-interval", "2"))
        rq = harness.rq_worker(env, stack.logs / "rqworker-redis.log")
        processes.append(rq)

        health = harness.get(base + "/healthz").json()
        assert health["status"] == "ok", health
        assert health["cache"]["ok"] is True

        stack.redis.kill()
        answers = []
        for _ in range(20):
            answers.append(harness.graphql(base, EVENTS_QUERY, timeout=10))
            answers.append(harness.get(base + "/calendar/events.ics", timeout=10))
        slowest = max(answer.seconds for answer in answers)
        health_answer = harness.get(base + "/healthz", timeout=10)
        health = health_answer.json()

        # Publishing while Redis is down: 5 republished events, each recorded and delivered through the fallback.
        published = harness.republish(env, slug_prefix="volume-event-", limit=5, offset=200)
        down_recorded = harness.sql(
            stack.postgres.url,
            "SELECT count(*) FROM webhooks_delivery d JOIN webhooks_outboxmessage e ON e.id = d.message_id "
            "WHERE d.endpoint_id = %s AND e.type = 'event.published'",
            (endpoint["id"],),
        )[0][0]
        receiver.wait_for(5, timeout=60)
        delivered_while_down = len(receiver.verified())

        stack.redis.start()
        # rqworker exits when it loses Redis; its process manager (systemd, Kubernetes) starts it again.
        rq_restarted = not rq.alive()
        if rq_restarted:
            rq = harness.rq_worker(env, stack.logs / "rqworker-redis.log")
            processes.append(rq)
        assert harness.wait_until(lambda: harness.get(base + "/healthz").json()["status"] == "ok", 30, 0.5)
        published += harness.republish(env, slug_prefix="volume-event-", limit=5, offset=205)
        receiver.wait_for(10, timeout=90)
        ids = {request.headers["webhook-id"] for request in receiver.verified()}
        counts = harness.delivery_counts(stack.postgres.url)
        harness.summary(
            f"redis-down: {sum(a.status == 200 for a in answers)}/{len(answers)} API answers 200 (slowest "
            f"{slowest:.2f}s), healthz {health_answer.status} {health['status']!r}; {len(published)} publishes, "
            f"{down_recorded} deliveries recorded and {delivered_while_down} delivered while down, "
            f"{len(ids)} distinct webhook-ids received in all; rqworker restarted: {rq_restarted}; deliveries {counts}"
        )
        assert all(answer.status == 200 for answer in answers), [(a.status, a.body[:200]) for a in answers]
        assert slowest < 5
        assert health_answer.status == 200
        assert health["status"] == "degraded"
        assert health["cache"]["ok"] is False
        assert health["database"]["ok"] and health["storage"]["ok"] and health["task_queue"]["ok"]
        assert down_recorded == 5
        assert delivered_while_down == 5  # the database queue took over the wake-up
        assert len(ids) == 10
        assert counts.get("succeeded", 0) >= 10
        assert not counts.get("pending") and not counts.get("running") and not counts.get("failed"), counts
    finally:
        stop_receiver(receiver)
        harness.sql(stack.postgres.url, "UPDATE webhooks_endpoint SET active = false RETURNING id")
        if not stack.redis.answers():
            stack.redis.start()
