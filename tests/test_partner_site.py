"""The reference partner site's server (partner-site/serve.py) and the development settings that let it call the
API: the preview path keeps its query string, unknown paths and directories are 404s, nothing outside public/ is
served, and the generated config cannot be broken out of."""

import http.client
import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from tests.cms.test_production_config import answer, django_process
from tests.partner_site import PARTNER_SITE, running_partner_site

CMS = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def site():
    with running_partner_site(CMS) as origin:
        yield urlsplit(origin).port


def get(port: int, path: str, method: str = "GET") -> http.client.HTTPResponse:
    """A request with `path` sent exactly as written (no client-side normalising of `..`)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_the_preview_path_keeps_its_query_string(site):
    query = "content_type=events.trainingeventpage&token=id%3D42%3A1tZ0aa%3Asig"
    redirected = get(site, f"/preview?{query}")  # HEADLESS_PREVIEW_URL without the trailing slash
    assert redirected.status == 301
    assert redirected.headers["Location"] == f"/preview/?{query}"
    page = get(site, f"/preview/?{query}")  # wagtail-headless-preview adds the slash itself
    assert page.status == 200
    assert b'data-view="preview"' in page.body
    assert page.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/event/?slug=deflection-series",
        "/publications/",
        "/recordings/",
        "/page/?path=/program/",
        "/assets/app.js",
        "/assets/styles.css",
    ],
)
def test_every_view_and_asset_is_served(site, path):
    response = get(site, path)
    assert response.status == 200, path
    # Scripts only from the site itself: inline handlers in HTML from anywhere cannot run.
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/nope", "/events/", "/assets/missing.js", "/assets/", "/event/../nope/"])
def test_unknown_paths_and_directories_are_404(site, path):
    response = get(site, path)
    assert response.status == 404
    assert b"<li>" not in response.body  # never a directory listing


@pytest.mark.parametrize(
    "path",
    [
        "/../serve.py",
        "/%2e%2e/serve.py",
        "/..%2fserve.py",
        "/assets/../../serve.py",
        "//etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..\\serve.py",
        "/README.md",
        "/serve.py",
    ],
)
def test_nothing_outside_public_is_served(site, path):
    response = get(site, path)
    assert response.status in (400, 404), (path, response.status)
    assert b"make_server" not in response.body and b"root:" not in response.body


def test_methods_other_than_get_and_head_are_refused_without_a_crash(site):
    assert get(site, "/", "HEAD").status == 200
    for method in ("POST", "PUT", "DELETE"):
        assert get(site, "/", method).status == 501


def test_config_points_at_the_cms_and_cannot_be_broken_out_of():
    hostile = 'http://cms.example.org/";alert(1);//\u2028'
    with running_partner_site(hostile) as origin:
        response = get(urlsplit(origin).port, "/config.js?cache=bust")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    text = response.body.decode()
    assert text.startswith("export const CMS_URL = ") and text.rstrip().endswith(";")
    assert json.loads(text.removeprefix("export const CMS_URL = ").rstrip().removesuffix(";")) == hostile


def test_the_static_config_is_the_one_a_static_host_serves():
    text = (PARTNER_SITE / "public" / "config.js").read_text()
    assert 'export const CMS_URL = "http://127.0.0.1:8000";' in text


def test_the_server_starts_from_the_command_line_and_says_where():
    process = subprocess.Popen(
        [sys.executable, str(PARTNER_SITE / "serve.py"), "--port", "0", "--cms", "https://cms.example.org"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Partner site: http://localhost:") and "(CMS: https://cms.example.org)" in line
        port = int(line.split("localhost:")[1].split("/")[0])
        assert b"https://cms.example.org" in get(port, "/config.js").body
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- the development settings `make run` uses -------------------------------------------------------------------

DEV_SETTINGS = (
    "import json; from django.conf import settings; "
    "print(json.dumps([settings.WAGTAIL_HEADLESS_PREVIEW['CLIENT_URLS']['default'], "
    "[origin in settings.GRAPHQL_CORS_ALLOWED_ORIGINS for origin in "
    "('http://localhost:3456', 'http://127.0.0.1:3001', 'http://[::1]:3000', 'https://partner.example.org', "
    "'http://localhost.evil.example:3000', 'http://evil.example', 'null', 'http://localhost')]]))"
)


def dev_settings(**environment) -> list:
    env = {key: value for key, value in os.environ.items() if key not in ("HEADLESS_PREVIEW_URL", "FRONTEND_PORT")}
    return answer(django_process(env | {"DJANGO_SETTINGS_MODULE": "cms.settings.dev", **environment}, DEV_SETTINGS))


def test_make_run_previews_in_the_partner_site_and_lets_local_pages_call_the_api():
    preview_url, allowed = dev_settings(
        FRONTEND_PORT="3456", GRAPHQL_CORS_ALLOWED_ORIGINS="https://partner.example.org"
    )
    assert preview_url == "http://localhost:3456/preview"
    # Any page on this machine (the partner site, a copy on another port), plus what the environment lists.
    assert allowed == [True, True, True, True, False, False, False, False]
    assert (
        dev_settings(HEADLESS_PREVIEW_URL="https://preview.partner.example/p")[0] == "https://preview.partner.example/p"
    )


@pytest.mark.django_db
def test_the_api_answers_a_local_origin_under_the_development_rule_only():
    from cms.settings.dev import LocalOrigins

    query = {"query": "{ topics { slug } }"}
    for origins, origin, allowed in (
        (LocalOrigins([]), "http://localhost:3000", True),
        (LocalOrigins([]), "http://evil.example", False),
        (["https://partner.example.org"], "http://localhost:3000", False),  # production and test: the list only
    ):
        with override_settings(GRAPHQL_CORS_ALLOWED_ORIGINS=origins):
            response = Client().post("/graphql/", query, content_type="application/json", HTTP_ORIGIN=origin)
        assert response.status_code == 200
        assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
