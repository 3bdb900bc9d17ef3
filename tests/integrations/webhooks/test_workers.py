"""The two ways delivery scales: a worker killed mid-delivery (SIGKILL) loses nothing, and the RQ backend
(REDIS_URL set) delivers the same webhooks as the database queue."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from integrations.webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus
from tests.helpers import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def shared_database_url() -> str:
    """A URL another process can open to reach this test database (in-memory SQLite has none)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{db['NAME']}"
    pytest.skip(
        "needs a database shared with a worker subprocess: in-memory SQLite is per process (CI runs this on PostgreSQL)"
    )


@pytest.mark.slow
def test_worker_killed_mid_delivery_is_recovered_and_delivers(draft_event, subscribe, receiver, run_worker, tmp_path):
    url = shared_database_url()
    receiver.script = ["hang"]  # the first request never gets an answer: the worker is inside the delivery
    subscribe(events=["*"])
    draft_event.save_revision().publish()

    env = os.environ | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.1"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        assert wait_until(lambda: len(receiver.received) == 1), (tmp_path / "worker.log").read_text()
        assert Delivery.objects.get().status == DeliveryStatus.RUNNING
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
        log.close()
    assert Delivery.objects.get().status == DeliveryStatus.RUNNING  # what a killed worker leaves behind

    # Time passes: the lease (15 s deadline + 30 s margin) runs out.
    Delivery.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    run_worker()  # a new worker: its sweep re-claims the delivery

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    requests = receiver.verified()
    assert len(requests) == 2  # at least once: the killed attempt may have arrived, so the partner dedupes...
    assert requests[0].headers["webhook-id"] == requests[1].headers["webhook-id"]  # ...on the same webhook-id
    errors = list(DeliveryAttempt.objects.order_by("attempted_at").values_list("error", flat=True))
    assert errors == ["The worker stopped mid-delivery (lease expired).", ""]


@pytest.fixture
def rq_backend(settings):
    """The settings REDIS_URL switches on, pointed at this suite's Redis database (5), emptied before and after."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL} (CI must start it)")
        pytest.skip(f"Redis is not running at {TEST_REDIS_URL}")
    client.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL}}
    settings.TASKS = settings.TASKS | {"webhooks": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.WEBHOOKS_TASK_BACKEND = "webhooks"
    yield client
    client.flushdb()


def run_rq_worker() -> None:
    """What `manage.py rqworker default --job-class django_tasks_rq.Job` does, in this process (SimpleWorker does
    not fork, so it sees this test's database), until the queue is empty."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_rq_backend_delivers_after_commit(draft_event, subscribe, receiver, rq_backend):
    import django_rq

    subscribe(events=["event.*"])
    draft_event.save_revision().publish()
    assert django_rq.get_queue("default").count == 1  # the fan-out task, enqueued on commit

    run_rq_worker()

    [request] = receiver.verified()
    assert request.payload["type"] == "event.published"
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_rq_backend_enqueues_nothing_for_a_rolled_back_publish(draft_event, subscribe, receiver, rq_backend):
    import django_rq
    from django.db import transaction

    subscribe(events=["*"])

    class Abort(Exception):
        pass

    def publish_then_fail():
        with transaction.atomic():
            draft_event.save_revision().publish()
            raise Abort

    with pytest.raises(Abort):
        publish_then_fail()
    assert django_rq.get_queue("default").count == 0
    run_rq_worker()
    assert receiver.received == []
