"""The development playground: GraphiQL at /graphql/ in headless Chromium, against the live server with DEBUG on.

The one thing mocked is the CDN. GraphiQL's page loads React, ReactDOM and GraphiQL from cdn.jsdelivr.net, and this
machine has no internet, so the browser's requests to the CDN are answered from the npm packages of exactly the
versions the page asks for (tests/integrations/graphql/graphiql_cdn, `npm ci`, like tests/events/icaljs). The page's
subresource-integrity hashes still apply: a file that differs from the CDN's by one byte is refused by the browser.
Every other request outside the live server is aborted. Queries run for real: the playground POSTs to /graphql/,
through the same view, token check and privacy rule as any partner.
"""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, Route, expect

from events.factories import TrainingEventPageFactory
from integrations.graphql.examples import documented_examples
from integrations.graphql.services import api_token_create
from tests.browser_helpers import admin_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CDN = "https://cdn.jsdelivr.net/npm/"
PACKAGES = Path(__file__).parent / "graphiql_cdn" / "node_modules"
CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css"}


def serve_cdn_from_npm(route: Route) -> None:
    """https://cdn.jsdelivr.net/npm/<package>@<version>/<file> from node_modules/<package>/<file>, when the installed
    version is the one asked for; 404 otherwise, so a version graphene-django pins but we did not install fails."""
    package, _, rest = urlsplit(route.request.url).path.removeprefix("/npm/").partition("/")
    if package.startswith("@"):  # a scoped package: @scope/name@version/file
        scoped, _, rest = rest.partition("/")
        package = f"{package}/{scoped}"
    name, _, version = package.rpartition("@")
    installed = PACKAGES / name / "package.json"
    path = (PACKAGES / name / rest).resolve()
    if (
        not installed.exists()
        or json.loads(installed.read_text())["version"] != version
        or not path.is_relative_to(PACKAGES.resolve())
        or not path.is_file()
    ):
        route.fulfill(status=404, body=f"not in tests/integrations/graphql/graphiql_cdn: {route.request.url}")
        return
    route.fulfill(
        status=200,
        body=path.read_bytes(),
        # crossorigin="anonymous" with integrity: the browser checks the hash only on a CORS-approved response.
        headers={
            "Content-Type": CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
            "Access-Control-Allow-Origin": "*",
        },
    )


@pytest.fixture
def graphiql_packages():
    if not (PACKAGES / "graphiql" / "package.json").exists():
        message = "GraphiQL's files need `npm ci` in tests/integrations/graphql/graphiql_cdn (make install does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
TOOL_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"  # the variables or headers shown


def set_editor(page: Page, selector: str, text: str) -> None:
    """Type into one of GraphiQL's CodeMirror editors through CodeMirror's own API."""
    page.locator(selector).first.evaluate("(element, text) => element.CodeMirror.setValue(text)", text)


def run_query(page: Page, query: str) -> None:
    set_editor(page, QUERY_EDITOR, query)
    # GraphiQL re-reads the document's operation names shortly after an edit (debounced); running at once would send
    # the previous tab's operationName with the new document, as a user clicking within that moment would.
    page.wait_for_timeout(600)
    page.get_by_role("button", name=re.compile("Execute query")).click()


def test_graphiql_runs_queries_and_sends_the_headers_a_partner_sets(
    chromium, live_server, event_index, settings, tmp_path, graphiql_packages
):
    settings.DEBUG = True  # make run's settings: the playground and introspection
    settings.GRAPHQL_INTROSPECTION = True
    TrainingEventPageFactory(parent=event_index, title="Playground basics for CIT coordinators")
    partner = get_user_model().objects.create_user("partner-web", first_name="Pat", last_name="Partner")
    _token, plaintext = api_token_create(user=partner, name="playground test")

    with admin_browser(chromium, live_server, tmp_path) as page:
        page.context.route(f"{CDN}**", serve_cdn_from_npm)
        live = urlsplit(live_server.url).netloc
        page.context.route(lambda url: urlsplit(url).netloc not in (live, "cdn.jsdelivr.net"), lambda r: r.abort())

        page.goto("/graphql/")
        # The documented example is the first tab, with the docs section it comes from.
        first = documented_examples()[0]
        expect(page.locator(QUERY_EDITOR)).to_contain_text(f"# docs/partners.md, {first.heading} (line {first.line})")
        expect(page.get_by_role("button", name="Show Documentation Explorer")).to_be_visible()

        run_query(page, "{ events { items { title } } }")
        result = page.locator(".graphiql-response .CodeMirror")
        expect(result).to_contain_text('"title": "Playground basics for CIT coordinators"')

        run_query(page, "{ viewer { name } }")
        expect(result).to_contain_text('"viewer": null')  # anonymous: no header yet

        page.get_by_role("button", name="Headers").click()
        set_editor(page, TOOL_EDITOR, json.dumps({"Authorization": f"Bearer {plaintext}"}))
        page.get_by_role("button", name=re.compile("Execute query")).click()
        expect(result).to_contain_text('"name": "Pat Partner"')

        set_editor(page, TOOL_EDITOR, json.dumps({"Authorization": "Bearer not-a-token"}))
        page.get_by_role("button", name=re.compile("Execute query")).click()
        expect(result).to_contain_text("token")  # the view's 401 message, shown as GraphiQL got it
        expect(result).not_to_contain_text("Pat Partner")
