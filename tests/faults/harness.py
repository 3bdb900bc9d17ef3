"""Private services and production-shaped processes for the fault suite, all on 127.0.0.1 ephemeral ports.

Every service here belongs to this test session only (its own PostgreSQL cluster, Redis, S3 server), so a fault
injected into it (a restart, a kill) cannot disturb anything else running on the machine.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def summary(line: str) -> None:
    """The one-line result of a fault, shown by `make test-faults` (pytest -s) for the record."""
    print(f"\nFAULT {line}", flush=True)  # noqa: T201


def missing(what: str) -> None:
    """Fail under CI (the suite must run there), skip with the reason elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"fault suite: {what} (CI must provide it)")
    pytest.skip(f"fault suite: {what}")


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return found[0].parent if found else None


class Postgres:
    """A throwaway cluster (initdb + pg_ctl) owned by the `postgres` OS user when run as root (initdb refuses root)."""

    def __init__(self, bindir: Path, datadir: Path, port: int, as_user: list[str]):
        self.bindir, self.datadir, self.port, self.as_user = bindir, datadir, port, as_user
        self.log = datadir.parent / "postgres.log"

    @classmethod
    def create(cls) -> "Postgres":
        bindir = postgres_bin()
        if bindir is None:
            missing("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
        base = Path(tempfile.mkdtemp(prefix="cms-faults-pg-"))
        as_user = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                missing("runuser (to run initdb as the postgres user)")
            shutil.chown(base, "postgres", "postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        server = cls(bindir, base / "data", free_port(), as_user)
        server._run("initdb", "-D", str(server.datadir), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        server.start()
        server._run("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "cms")
        return server

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/cms"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [*self.as_user, str(self.bindir / tool), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)

    def _ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.datadir.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", action, "-D", str(self.datadir), "-l", str(self.log), "-o", options, "-w", *args)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


class Redis:
    """A private redis-server that keeps nothing on disk; `kill()` and `start()` keep the same port."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @classmethod
    def create(cls) -> "Redis":
        if shutil.which("redis-server") is None:
            missing("redis-server not installed")
        server = cls(free_port())
        server.start()
        return server

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_until(self.answers, 10):
            raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class BlackHole:
    """A TCP server that accepts connections and never answers (a hung S3 front end)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.held: list[socket.socket] = []
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(connection)  # kept open, never read or answered

    def close(self) -> None:
        self.sock.close()
        for connection in self.held:
            connection.close()


def production_env(*, database_url: str, redis_url: str | None, s3: dict[str, str] | None, **extra: str) -> dict:
    """The environment of a production deployment (cms.settings.production), pointed at this session's services.

    One place on purpose: production settings grow (gunicorn.conf.py, logging) and this is where they meet the suite.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DJANGO_", "DATABASE_", "REDIS_", "PYTEST_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "faults-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",  # persistent connections: the restart fault must meet stale ones
        "WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "PUBLIC_BASE_URL": "https://cms.example.org",
        "GRAPHQL_RATE_LIMIT_ANONYMOUS": "1000000",  # the suite is one client hammering on purpose
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    env |= s3 or {}
    env |= extra
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def django_shell(env: dict, code: str, timeout: float = 300):
    """Run `code` in `manage.py shell` with the production settings; it prints one JSON line as its answer."""
    out = manage(env, "shell", "--no-imports", "-c", code, timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


class Process:
    """A child process in its own process group (so a kill takes its children too), logging to a file."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log_path = args, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def descendants(self) -> list[int]:
        found, parents = [], [self.process.pid]
        while parents:
            listed = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parents.pop())], capture_output=True, text=True)
            children = [int(pid) for pid in listed.stdout.split()]
            found += children
            parents += children
        return found

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the group and every descendant (an rqworker's work horse starts its own session), as the death
        of a container would, and reap the leader."""
        if self.alive():
            children = self.descendants()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


def gunicorn(env: dict, log: Path, workers: int = 2, timeout: int = 30) -> tuple[Process, str]:
    """The web tier as deployed: gunicorn's sync workers over cms.wsgi (explicit flags win over gunicorn.conf.py)."""
    port = free_port()
    web = Process(
        [
            str(VENV_BIN / "gunicorn"),
            "cms.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            str(timeout),
            "--graceful-timeout",
            "5",
        ],
        env,
        log,
    ).start()
    base = f"http://127.0.0.1:{port}"
    # Ready when a worker answers; not /healthz, whose storage check waits out a black-holed S3.
    if not wait_until(lambda: get(base + "/graphql/?query=%7B__typename%7D", timeout=5).status == 200, 60, 0.3):
        web.kill()
        raise RuntimeError(f"gunicorn did not answer:\n{web.log()}")
    return web, base


def run_worker(env: dict, log: Path, *extra: str) -> Process:
    return Process([sys.executable, "manage.py", "run_worker", "--interval", "0.2", *extra], env, log).start()


def rq_worker(env: dict, log: Path) -> Process:
    args = ["rqworker", "default", "--job-class", "django_tasks_rq.Job", "--with-scheduler"]
    return Process([sys.executable, "manage.py", *args], env, log).start()


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    body: bytes
    seconds: float
    error: str = ""
    headers: dict | None = None

    def json(self):
        return json.loads(self.body)


def request(url: str, *, data: bytes | None = None, headers: dict | None = None, timeout: float = 30) -> Answer:
    started = time.monotonic()
    req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, response.read(), time.monotonic() - started, "", dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), time.monotonic() - started, "", dict(error.headers))
    except (OSError, urllib.error.URLError) as error:
        return Answer(0, b"", time.monotonic() - started, f"{type(error).__name__}: {error}")


def get(url: str, timeout: float = 30) -> Answer:
    return request(url, timeout=timeout)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get_no_redirect(url: str, timeout: float = 30) -> Answer:
    started = time.monotonic()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return Answer(response.status, response.read(), time.monotonic() - started, "", dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), time.monotonic() - started, "", dict(error.headers))
    except (OSError, urllib.error.URLError) as error:
        return Answer(0, b"", time.monotonic() - started, f"{type(error).__name__}: {error}")


def graphql(base: str, query: str, timeout: float = 30) -> Answer:
    body = json.dumps({"query": query}).encode()
    return request(base + "/graphql/", data=body, headers={"Content-Type": "application/json"}, timeout=timeout)


# What a raw database or driver error looks like; none of it may reach a caller.
DB_INTERNALS = (
    "psycopg",
    "OperationalError",
    "InterfaceError",
    "server closed",
    "connection to server",
    "terminating connection",
    "Traceback",
    "SELECT ",
    "FATAL",
)


def leaks(answer: Answer) -> list[str]:
    text = answer.body.decode("utf-8", "replace")
    return [marker for marker in DB_INTERNALS if marker in text]


def sql(database_url: str, query: str, params=()) -> list[tuple]:
    """Read the deployment's tables directly (no Django in the test process is pointed at this database)."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://"), connect_timeout=5) as connection:
        return connection.execute(query, params).fetchall()


def create_endpoints(env: dict, url: str, count: int) -> list[dict]:
    """`count` endpoints subscribed to everything, each marked by an X-Endpoint header; returns ids and secrets."""
    code = f"""
import json
from integrations.webhooks import services
made = [
    services.endpoint_create(url={url!r}, event_types=["*"], headers={{"X-Endpoint": str(n)}})
    for n in range({count})
]
print(json.dumps([{{"id": e.pk, "secret": e.secret, "marker": e.headers["X-Endpoint"]}} for e in made]))
"""
    return django_shell(env, code)


def republish(env: dict, *, slug_prefix: str, limit: int, offset: int = 0) -> list[int]:
    """Publish a new revision of live training events, as an editor's publish does: one outbox message each
    (`event.published` for the `--volume` events, made live without a publish, `event.updated` after that)."""
    code = f"""
import json, logging
logging.getLogger("wagtail").setLevel(logging.WARNING)
from events.models import TrainingEventPage

pages = TrainingEventPage.objects.live().filter(slug__startswith={slug_prefix!r}).order_by("pk")
pages = pages[{offset}:{offset + limit}]
ids = []
for page in pages:
    page.save_revision().publish()
    ids.append(page.pk)
print(json.dumps(ids))
"""
    return django_shell(env, code, timeout=600)


def delivery_counts(database_url: str) -> dict[str, int]:
    rows = sql(database_url, "SELECT status, count(*) FROM webhooks_delivery GROUP BY status")
    return dict(rows)
