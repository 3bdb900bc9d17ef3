"""Fault 5: a gunicorn worker killed (SIGKILL) while it is in the middle of an editor's write.

An editor unpublishes an event in the admin. The test holds a lock on the webhook outbox so the request stops
after its first writes (the page row, the log entry), kills the worker serving it, then lets go. The editor's
browser sees the connection drop, the master starts a new worker, the API answers, and the unpublish happened
entirely or not at all: never a page gone from the API with no webhook telling partners.
"""

import os
import re
import shutil
import signal
import subprocess
import threading
import urllib.parse

import psycopg

from tests.faults import harness

CSRF = "f" * 32
WRITES_IN_FLIGHT = (
    "SELECT pid FROM pg_stat_activity WHERE state LIKE 'idle in transaction%%' OR wait_event_type = 'Lock'"
)


def admin_session(env: dict) -> str:
    code = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username="admin")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps(session.session_key))
"""
    return harness.django_shell(env, code)


def worker_pid_for(database_url: str, blocked_on: str) -> int | None:
    """The gunicorn worker whose database connection waits on `blocked_on`'s lock (matched by its client port)."""
    rows = harness.sql(
        database_url,
        "SELECT client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
        (f"%{blocked_on}%",),
    )
    if not rows:
        return None
    sockets = subprocess.run(["ss", "-tnpH", f"sport = :{rows[0][0]}"], capture_output=True, text=True, check=True)
    found = re.search(r"pid=(\d+)", sockets.stdout)
    return int(found.group(1)) if found else None


def test_web_worker_killed_mid_unpublish(stack, processes):
    if shutil.which("ss") is None:
        harness.missing("ss (iproute2), to find the worker holding the request")
    env = stack.env()
    database = stack.postgres.url
    web, base = harness.gunicorn(env, stack.logs / "web-killed.log")
    processes.append(web)
    session = admin_session(env)
    [(page_id, slug)] = harness.sql(
        database,
        # An announced event (published by seed_demo): unpublishing a page that was never announced writes no
        # outbox row, so the request would never wait on the lock below. The --volume events are not announced.
        # Public too, so anonymous GraphQL can tell afterwards that it is still served.
        "SELECT p.id, p.slug FROM wagtailcore_page p JOIN events_trainingeventpage e ON e.page_ptr_id = p.id "
        "WHERE p.live AND p.first_published_at IS NOT NULL AND p.slug NOT LIKE %s AND NOT EXISTS ("
        "  SELECT 1 FROM wagtailcore_pageviewrestriction r JOIN wagtailcore_page a ON a.id = r.page_id"
        "  WHERE p.path LIKE a.path || '%%') ORDER BY p.id LIMIT 1",
        ("volume-event-%",),
    )

    def counts() -> tuple:
        return harness.sql(
            database,
            "SELECT (SELECT live FROM wagtailcore_page WHERE id = %s), "
            "(SELECT count(*) FROM webhooks_outboxmessage WHERE object_key = %s), "
            "(SELECT count(*) FROM wagtailcore_pagelogentry WHERE page_id = %s)",
            (page_id, f"page:{page_id}", page_id),
        )[0]

    before = counts()
    workers_before = set(web.descendants())
    outcome = {}
    with psycopg.connect(database.replace("postgres://", "postgresql://")) as lock:
        lock.execute("LOCK TABLE webhooks_outboxmessage IN EXCLUSIVE MODE")  # reads go on, the outbox insert waits

        def unpublish():
            outcome["answer"] = harness.request(
                f"{base}/admin/pages/{page_id}/unpublish/",
                data=urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF}).encode(),
                headers={"Cookie": f"sessionid={session}; csrftoken={CSRF}"},
                timeout=60,
            )

        editor = threading.Thread(target=unpublish)
        editor.start()
        pid = None

        def request_blocked() -> bool:
            nonlocal pid
            pid = worker_pid_for(database, "webhooks_outboxmessage")
            return pid is not None

        assert harness.wait_until(request_blocked, 30, 0.2), web.log()
        os.kill(pid, signal.SIGKILL)
        editor.join(30)
        lock.rollback()  # let go: the killed worker's transaction meets a closed client and is rolled back

    answer = outcome["answer"]
    respawned = harness.wait_until(lambda: len(set(web.descendants()) - {pid}) == len(workers_before), 30, 0.3)
    workers_after = set(web.descendants())
    after_api = [harness.graphql(base, f'{{ event(slug: "{slug}") {{ slug }} }}') for _ in range(10)]
    # The killed worker's backend notices its client is gone once the lock is released, and rolls back.
    assert harness.wait_until(lambda: worker_pid_for(database, "webhooks_outboxmessage") is None, 10, 0.2)
    assert harness.wait_until(lambda: not harness.sql(database, WRITES_IN_FLIGHT), 10, 0.2)
    after = counts()
    harness.summary(
        f"web-worker-killed: editor's unpublish got {answer.status or answer.error!r}; page live/events/log entries "
        f"{before} before, {after} after; worker {pid} replaced: {sorted(workers_after - workers_before)}; "
        f"{sum(a.status == 200 for a in after_api)}/10 API answers 200 after"
    )
    assert answer.status == 0 or answer.status >= 500  # the editor sees the request fail, not a success
    assert respawned and pid in workers_before and pid not in workers_after, (workers_before, workers_after)
    assert all(a.status == 200 and a.json()["data"]["event"] == {"slug": slug} for a in after_api)
    assert after == before  # all or nothing: still live, no event, no log entry
