"""Production configuration: check --deploy, request ids, JSON logs, error pages without internals, WhiteNoise."""

import io
import json
import logging
import os
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone

from cms.cache import AtomicDatabaseCache
from cms.models import CacheEntry
from cms.request_log import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]
SECRET_TEXT = "password=hunter2 SELECT * FROM auth_user"  # what a real exception message might carry

# --- a test urlconf: views that log and fail ---------------------------------------------------------------------


def noisy_view(request):
    logging.getLogger("cms.test").warning("inside the view")
    return HttpResponse("ok")


def broken_view(request):
    raise RuntimeError(SECRET_TEXT)


urlpatterns = [
    path("noisy/", noisy_view),
    path("boom/", broken_view),
    path("graphql/boom/", broken_view),
    path("calendar/boom/", broken_view),
]
handler404 = "cms.errors.page_not_found"
handler500 = "cms.errors.server_error"


# --- production settings -------------------------------------------------------------------------------------------


def test_production_settings_pass_check_deploy():
    """What CI runs, plus the shape of what production serves with (settings import only in a fresh process)."""
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING'); "
        "print(json.dumps({'middleware': s.MIDDLEWARE, 'static': s.STORAGES['staticfiles']['BACKEND'], "
        "'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'], "
        "'health_checks': s.DATABASES['default']['CONN_HEALTH_CHECKS'], 'debug': s.DEBUG, "
        "'formatter': s.LOGGING['handlers']['console']['formatter'], 'cache': s.CACHES['default']['BACKEND']}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "a-long-random-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "cms.example.org",
    }
    env.pop("CONN_MAX_AGE", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    shape = json.loads(result.stdout.strip().splitlines()[-1])
    assert shape["debug"] is False
    assert shape["middleware"][:3] == [
        "cms.request_log.RequestIdMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert shape["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shape["conn_max_age"] == 60
    assert shape["health_checks"] is True
    assert shape["formatter"] == "json"
    assert shape["cache"] == "cms.cache.AtomicDatabaseCache"  # no REDIS_URL: counters shared through the database


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.production", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def production_env(**extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_", "PYTEST_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "a-long-random-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "cms.example.org",
        **extra,
    }


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def django_process(env: dict, code: str) -> subprocess.Popen:
    """`code` run by `manage.py shell` in a process of its own; it prints one JSON line as its answer."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def answer(process: subprocess.Popen):
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("GRAPHQL_MAX_DEPTH", "abc", "Not a valid integer"),
        ("GRAPHQL_TIME_LIMIT_SECONDS", "5s", "Not a valid number"),
        ("SECURE_SSL_REDIRECT", "flase", "Not a valid boolean"),  # no longer a silent False
    ],
)
def test_a_malformed_setting_stops_the_start_naming_the_variable(name, value, complaint):
    process = django_process(production_env(**{name: value}), "pass")
    _, stderr = process.communicate(timeout=180)
    assert process.returncode != 0
    assert f'Environment variable "{name}" invalid: {complaint}' in stderr


# Every process counts in one window: a minute boundary between the two rounds below would start a fresh count.
ONE_WINDOW = "from django.conf import settings; settings.SIGN_IN_RATE_LIMIT_WINDOW_SECONDS = 10**9\n"
ROUND_ONE = (
    ONE_WINDOW
    + """
import json
from cms.ratelimit import increment
from community import ratelimit
counts = [increment("test:shared-counter", 600) for _ in range(25)]
locks = [ratelimit.failure_record("victim@agency.example.gov") for _ in range(2)]
allowed = [ratelimit.attempt_allowed("sign_in", "203.0.113.7") for _ in range(5)]
print(json.dumps({"counts": counts, "locks": locks, "allowed": allowed}))
"""
)
ROUND_TWO = (
    ONE_WINDOW
    + """
import json
from community import ratelimit
print(json.dumps({
    "locked": ratelimit.account_locked("victim@agency.example.gov"),
    "allowed": ratelimit.attempt_allowed("sign_in", "203.0.113.7"),
}))
"""
)


@pytest.mark.slow  # five Django processes
def test_production_processes_without_redis_share_lockouts_and_rate_limits(tmp_path):
    """Production settings with no REDIS_URL, four processes at once (as gunicorn's workers would be), one database:
    each records 2 failed sign-ins for one account and 5 attempts from one address, and counts 25 hits on a shared
    counter. Together that is over the lockout (5 failures) and at the per-address limit (20 attempts), so a fifth
    process finds the account locked and the address refused, and no hit was lost or counted twice."""
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    manage(env, "createcachetable")  # the cache's table alone (`migrate` makes it too)

    first = [answer(process) for process in [django_process(env, ROUND_ONE) for _ in range(4)]]
    second = answer(django_process(env, ROUND_TWO))

    assert sorted(count for result in first for count in result["counts"]) == list(range(1, 101))
    assert sum(lock for result in first for lock in result["locks"]) == 1  # the 5th failure, in whichever process
    assert all(allowed for result in first for allowed in result["allowed"])  # 20 attempts: at the limit
    assert second == {"locked": True, "allowed": False}


@pytest.mark.django_db
def test_the_database_cache_counts_in_place_keeping_the_expiry_and_never_culls_live_counters():
    """On the table `migrate` made (the test database's), as production without Redis uses it."""
    cache = AtomicDatabaseCache("cms_cache", {"OPTIONS": {"MAX_ENTRIES": 3}})
    with pytest.raises(ValueError, match="not found"):
        cache.incr("failures")
    assert cache.add("failures", 1, timeout=900)
    assert [cache.incr("failures") for _ in range(3)] == [2, 3, 4]
    row = CacheEntry.objects.get(cache_key=cache.make_key("failures"))
    assert row.expires > timezone.now() + timedelta(minutes=14)  # Django's incr would have reset it to 5 minutes
    CacheEntry.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValueError, match="not found"):
        cache.incr("failures")  # expired is gone, as on Redis
    for n in range(6):  # twice MAX_ENTRIES of live entries: none may be dropped to make room
        cache.set(f"lock-{n}", 1, timeout=900)
    assert all(cache.get(f"lock-{n}") == 1 for n in range(6))
    assert not CacheEntry.objects.filter(pk=row.pk).exists()  # the expired one was swept


LOCAL_MEMORY_CHECK = """
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test.utils import override_settings
with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as error:
        print(error)
"""


def test_check_deploy_fails_when_rate_limit_counters_would_live_in_each_process():
    output = manage(production_env(), "shell", "--no-imports", "-c", LOCAL_MEMORY_CHECK)
    assert "(cms.W001)" in output
    assert "LocMemCache" in output and "REDIS_URL" in output


@pytest.mark.parametrize(
    ("backend", "flagged"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.dummy.DummyCache", True),
        ("django.core.cache.backends.filebased.FileBasedCache", True),
        ("django.core.cache.backends.db.DatabaseCache", True),  # shared, but its incr loses concurrent hits
        ("cms.cache.AtomicDatabaseCache", False),
        ("cms.cache.TolerantRedisCache", False),
        ("django.core.cache.backends.redis.RedisCache", False),
    ],
)
def test_the_deploy_check_names_caches_that_processes_do_not_share(settings, backend, flagged):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "cms_cache"}}
    found = [message.id for message in run_checks(include_deployment_checks=True, tags=["caches"])]
    assert ("cms.W001" in found) is flagged


RENAMED_CORS = (
    "import json; from django.conf import settings; from django.core.management import call_command; "
    "call_command('check'); print(json.dumps(settings.GRAPHQL_CORS_ALLOWED_ORIGINS))"
)


@pytest.mark.parametrize(
    ("environment", "origins", "warned"),
    [
        ({"CORS_ALLOWED_ORIGINS": "https://old.example.org"}, ["https://old.example.org"], True),
        (
            {"CORS_ALLOWED_ORIGINS": "https://old.example.org", "GRAPHQL_CORS_ALLOWED_ORIGINS": "https://a.example"},
            ["https://a.example"],
            True,
        ),
        (
            {"GRAPHQL_CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example"},
            ["https://a.example", "https://b.example"],
            False,
        ),
    ],
)
def test_the_renamed_cors_variable_is_still_read_with_a_warning_at_startup(environment, origins, warned):
    env = production_env(**environment)
    for name in {"CORS_ALLOWED_ORIGINS", "GRAPHQL_CORS_ALLOWED_ORIGINS"} - set(environment):
        env.pop(name, None)
    process = django_process(env, RENAMED_CORS)
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr[-2000:]
    assert json.loads(stdout.strip().splitlines()[-1]) == origins
    assert ("(cms.W002)" in stderr and "rename it to GRAPHQL_CORS_ALLOWED_ORIGINS" in stderr) is warned


# --- request ids -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-3f2a9c1e-77d0-4c1b-9d8e-2b1f0c6a5e44"})
    assert response["X-Request-ID"] == "lb-3f2a9c1e-77d0-4c1b-9d8e-2b1f0c6a5e44"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 10 * 1024,  # 10 KB
        "abcdefgh\nX-Injected: yes",  # a new line: a forged log line or header
        "ünïcödé-request-id",  # non-ASCII
        'abcdefgh" , "level": "CRITICAL',  # quotes that would break a naive JSON line
        "short",  # too short to be anyone's id
        "",
    ],
)
def test_a_hostile_request_id_is_replaced(client, hostile):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=hostile)
    echoed = response["X-Request-ID"]
    assert echoed != hostile
    assert len(echoed) == 32
    assert all(char in "0123456789abcdef" for char in echoed)


@pytest.mark.django_db
def test_without_an_incoming_id_each_request_gets_its_own(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second


# --- JSON log lines --------------------------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """Records reaching the root logger (cms.* from INFO) formatted as production does, into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root, logger = logging.getLogger(), logging.getLogger("cms")
    previous_level = logger.level
    root.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    logger.setLevel(previous_level)


@override_settings(ROOT_URLCONF=__name__)
def test_json_log_lines_parse_and_carry_the_request_id(client, json_log):
    response = client.get("/noisy/", headers={"X-Request-ID": "partner-trace-0001"})
    assert response.status_code == 200

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    inside = next(line for line in lines if line["logger"] == "cms.test")
    request = next(line for line in lines if line["logger"] == "cms.request")
    assert inside["request_id"] == request["request_id"] == "partner-trace-0001"
    assert inside["message"] == "inside the view"
    assert inside["level"] == "WARNING"
    assert request["method"] == "GET"
    assert request["path"] == "/noisy/"
    assert request["status"] == 200
    assert isinstance(request["duration_ms"], float)
    assert request["time"].endswith("+00:00")


@pytest.mark.django_db
@pytest.mark.parametrize("feed", [".ics", "/events/cop-meeting.ics"])
def test_a_members_calendar_link_never_reaches_the_log(client, json_log, feed):
    client.get(f"/calendar/members/s3cr3t-t0ken-value{feed}")
    logged = json_log.getvalue()
    assert "s3cr3t-t0ken-value" not in logged
    assert f'"path": "/calendar/members/<redacted>{feed}"' in logged
    assert f"Not Found: /calendar/members/<redacted>{feed}" in logged  # Django's own 4xx warning


def test_a_log_record_with_a_traceback_and_new_lines_stays_one_json_line(json_log):
    logger = logging.getLogger("cms.test")
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        logger.exception("failed:\n%s", "détail", extra={"delivery": 7})

    lines = json_log.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["message"] == "failed:\ndétail"
    assert entry["delivery"] == 7
    assert entry["request_id"] is None  # outside a request
    assert "ValueError: first line" in entry["exception"]


# --- error responses -------------------------------------------------------------------------------------------------


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize("url", ["/boom/", "/graphql/boom/", "/calendar/boom/"])
def test_a_server_error_shows_no_internals(url):
    client = Client(raise_request_exception=False)
    response = client.get(url, headers={"X-Request-ID": "support-ticket-42"})

    assert response.status_code == 500
    body = response.content.decode()
    for leak in (SECRET_TEXT, "hunter2", "RuntimeError", "Traceback", "broken_view", 'File "', "site-packages"):
        assert leak not in body
    assert response["Cache-Control"] == "no-store"
    if url == "/boom/":
        assert response["Content-Type"].startswith("text/html")
        assert "support-ticket-42" in body
    else:
        assert response.json() == {
            "errors": [{"message": "Server error. It has been logged; please try again later."}],
            "requestId": "support-ticket-42",
        }


@pytest.mark.django_db  # Wagtail's redirect middleware looks a 404's path up
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_not_found_is_json_for_the_api_and_a_page_elsewhere(client):
    api = client.get("/graphql/nothing-here/")
    page = client.get("/nothing-here/")

    assert api.status_code == page.status_code == 404
    assert api.json()["errors"] == [{"message": "Not found."}]
    assert page["Content-Type"].startswith("text/html")
    assert "Not found." in page.content.decode()


@pytest.mark.django_db
def test_an_unknown_event_feed_answers_a_json_404_without_the_exception_text(client):
    response = client.get("/calendar/events/no-such-event.ics")
    assert response.status_code == 404
    assert response.json()["errors"] == [{"message": "Not found."}]
    assert "No such event" not in response.content.decode()


# --- static files ----------------------------------------------------------------------------------------------------


def test_whitenoise_serves_hashed_static_files_with_long_cache_headers(tmp_path, settings):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: #123456; }\n" * 200)
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=str(tmp_path / "static"),
        STATICFILES_DIRS=[str(source)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        MIDDLEWARE=middleware,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/site.css"]
        assert hashed != "css/site.css"

        client = Client()  # built inside the override: WhiteNoise scans STATIC_ROOT when the middleware loads
        response = client.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]

        unhashed = client.get("/static/css/site.css")
        assert unhashed.status_code == 200
        assert "immutable" not in unhashed["Cache-Control"]  # a name that changes content must stay short-lived


# --- gunicorn --------------------------------------------------------------------------------------------------------


def test_gunicorn_access_log_lines_are_json_with_the_request_id(monkeypatch):
    """gunicorn.conf.py's access logger: quotes and backslashes in a path stay valid JSON; member links redacted."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    monkeypatch.setenv("WEB_CONCURRENCY", "three")
    with pytest.raises(ValueError, match='"WEB_CONCURRENCY" invalid'):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] == 3
    assert conf["max_requests"] > 0 < conf["max_requests_jitter"]
    config = Config()
    config.set("accesslog", "-")
    logger = conf["JsonAccessLogger"](config)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]

    response = SimpleNamespace(status="404 Not Found", headers=[("X-Request-ID", "lb-trace-0001")], sent=84)
    for logged_path in ('/a"b\\c', "/calendar/members/s3cr3t.ics"):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": logged_path, "REMOTE_ADDR": "10.0.0.1"}
        environ["HTTP_USER_AGENT"] = 'x"y'  # a quote that would break a %-formatted JSON template
        logger.access(response, None, environ, timedelta(milliseconds=12.5))

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["path"] == '/a"b\\c'
    assert first["request_id"] == "lb-trace-0001"
    assert first["status"] == 404
    assert first["duration_ms"] == 12.5
    assert first["user_agent"] == 'x"y'
    assert second["path"] == "/calendar/members/<redacted>.ics"
