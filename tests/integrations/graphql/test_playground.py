"""The GraphiQL playground at /graphql/: a browser's GET shows it under DEBUG (make run), and only then; every other
request is the API as before. The browser itself drives it in test_playground_browser.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from integrations.graphql.views import PLACEHOLDER_TOKENS

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Chromium's, for a page
MISSING_QUERY = {"errors": [{"message": "Missing 'query': send a GraphQL query string."}]}


def browser_get(client, path="/graphql/", accept=BROWSER_ACCEPT):
    return client.get(path, HTTP_ACCEPT=accept)


def playground_settings(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="graphiql-settings" type="application/json">') + len(
        '<script id="graphiql-settings" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_a_browser_gets_graphiql_under_debug(client, settings):
    settings.DEBUG = True
    response = browser_get(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    # graphene-django's pinned versions and subresource-integrity hashes, so a tampered CDN file is refused.
    assert 'src="https://cdn.jsdelivr.net/npm/graphiql@2.4.7/graphiql.min.js"' in html
    assert 'integrity="sha256-n/LKaELupC1H/PU6joz+ybeRJHT2xCdekEt6OYMOOZU="' in html
    assert "isHeadersEditorEnabled: true" in html and "shouldPersistHeaders: false" in html
    assert playground_settings(response)["endpoint"] == "/graphql/"


def test_the_documented_examples_are_its_tabs(client, settings, monkeypatch):
    from integrations.graphql import views
    from integrations.graphql.examples import parse

    settings.DEBUG = True
    docs = (
        "## Events\n\n```graphql\n{ events { items { title } } }\n```\n\n## Members\n\n<!-- example-as: member -->\n"
        '```graphql\nquery Mine($n: Int) { viewer { name } }\n```\n```json\n{"n": 1}\n```\n\n'
        "<!-- example: skip -->\n```graphql\ntype Viewer { name: String! }\n```\n"
    )
    monkeypatch.setattr(views, "documented_examples", lambda: [e for e in parse(docs) if not e.skip])
    tabs = playground_settings(browser_get(client))["tabs"]
    assert tabs == [
        {
            "query": "# docs/partners.md, Events (line 3)\n{ events { items { title } } }\n",
            "variables": None,
            "headers": None,
        },
        {
            "query": "# docs/partners.md, Members (line 10)\nquery Mine($n: Int) { viewer { name } }\n",
            "variables": '{\n  "n": 1\n}',
            "headers": json.dumps({"Authorization": f"Bearer {PLACEHOLDER_TOKENS['member']}"}, indent=2),
        },
    ]


def test_unreadable_examples_leave_the_playground_up_without_tabs(client, settings, monkeypatch):
    from integrations.graphql import views

    def broken():
        raise ValueError("docs/partners.md:3: the variables are not valid JSON")

    settings.DEBUG = True
    monkeypatch.setattr(views, "documented_examples", broken)
    response = browser_get(client)
    assert response.status_code == 200 and playground_settings(response)["tabs"] == []


def test_the_real_docs_examples_are_offered(client, settings):
    settings.DEBUG = True
    tabs = playground_settings(browser_get(client))["tabs"]
    assert tabs and all(tab["query"].startswith("# docs/partners.md, ") for tab in tabs)


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/graphql/?raw", BROWSER_ACCEPT),  # graphene-django's way to ask for JSON from a browser
        ("/graphql/", "application/json"),
        ("/graphql/", "*/*"),  # curl's default
    ],
)
def test_other_requests_under_debug_get_the_api(client, settings, path, accept):
    settings.DEBUG = True
    response = browser_get(client, path, accept)
    assert response.status_code == 400 and response.json() == MISSING_QUERY


def test_a_browser_get_with_a_query_runs_it_under_debug(client, settings):
    settings.DEBUG = True
    response = browser_get(client, "/graphql/?query={__typename}")
    assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}


def test_test_settings_answer_a_browser_with_the_json_error(client):
    response = browser_get(client)
    assert response.status_code == 400 and response.json() == MISSING_QUERY
    assert b"graphiql" not in response.content.lower()


def test_production_settings_answer_a_browser_with_the_json_error():
    """Production settings, in a process of their own (settings load once), even with DEBUG=true in the
    environment: the JSON error, never the playground."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "a-long-random-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "cms.example.org",
        "DEBUG": "true",
        "GRAPHQL_RATE_LIMIT_ANONYMOUS": "0",  # the rate limiter's cache is a database table this process lacks
    }
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        f"r = Client().get('/graphql/', HTTP_ACCEPT={BROWSER_ACCEPT!r}, HTTP_HOST='cms.example.org', secure=True); "
        "print(json.dumps({'status': r.status_code, 'type': r['Content-Type'], 'body': r.content.decode()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 400 and answer["type"] == "application/json"
    assert json.loads(answer["body"]) == MISSING_QUERY
