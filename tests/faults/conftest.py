"""Session services for the fault suite: private PostgreSQL, Redis and S3 (moto), a migrated and seeded database.

The suite drives the CMS as production runs it (gunicorn + workers on cms.settings.production) and injects faults
into services nobody else uses. Every wait is bounded.
"""

import time
from types import SimpleNamespace

import pytest

from tests.faults import harness
from tests.media_library.conftest import make_bucket
from tests.media_library.s3 import MotoServer, s3_env

BUCKET = "cms-faults"
VOLUME = 250  # live training events (without revisions) the webhook faults republish: 250 x 4 endpoints = 1,000


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def postgres():
    server = harness.Postgres.create()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def redis_server():
    server = harness.Redis.create()
    yield server
    server.kill()


@pytest.fixture(scope="session")
def moto():
    try:
        server = MotoServer.start()
    except FileNotFoundError as exc:
        harness.missing(str(exc))
    make_bucket(server.endpoint, BUCKET)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stack(postgres, redis_server, moto, tmp_path_factory):
    """The deployment's services with the demo site migrated and seeded into PostgreSQL (media on S3)."""
    logs = tmp_path_factory.mktemp("faults-logs")

    def env(*, redis: bool = True, **overrides: str) -> dict:
        s3 = s3_env(moto.endpoint, BUCKET) | overrides.pop("s3", {})
        redis_url = redis_server.url if redis else None
        overrides.setdefault("DEMO_CREDENTIALS_FILE", str(logs / "demo-credentials.json"))
        return harness.production_env(database_url=postgres.url, redis_url=redis_url, s3=s3, **overrides)

    base = env()
    started = time.monotonic()
    harness.manage(base, "migrate", "--noinput", timeout=600)
    harness.manage(base, "seed_demo", "--allow-production", "--volume", str(VOLUME), "--verbosity", "0", timeout=600)
    harness.summary(f"setup: migrated and seeded PostgreSQL in {time.monotonic() - started:.0f}s")
    return SimpleNamespace(postgres=postgres, redis=redis_server, moto=moto, env=env, logs=logs)


@pytest.fixture
def processes():
    """Processes a test starts; whatever is still running at the end is stopped (only these, by pid)."""
    started: list[harness.Process] = []
    yield started
    for process in started:
        process.kill()
