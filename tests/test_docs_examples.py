"""Documented examples cannot go stale: every GraphQL example in docs/partners.md runs against the demo content
through the real /graphql/ view, as the caller it names, and answers without errors and with data; the webhook
verification snippets (Python, and JavaScript under node) accept a delivery our worker signed and refuse a forged
one. The format is parsed by tests/docs_examples.py."""

import base64
import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from demo.accounts import load_credentials
from integrations.graphql.services import api_token_create
from integrations.webhooks import services as webhook_services
from tests.docs_examples import Example, fenced_blocks, graphql_examples, read, tagged

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = ROOT / "docs" / "partners.md"
EXAMPLES = graphql_examples(read(PARTNERS))

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo content, seeded once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--allow-production", verbosity=0)
        # Wagtail's search index is written on commit, which never comes inside this transaction: index now, as a
        # committed seed would have (the search examples need it).
        call_command("update_index", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def tokens(demo, django_db_blocker) -> dict[str, str | None]:
    """A bearer token for each caller the docs name: the demo partner's API token, the demo member's sign-in."""
    with django_db_blocker.unblock():
        partner = get_user_model().objects.get(username="partner")
        _, partner_token = api_token_create(user=partner, name="docs examples")
        signed_in = post(
            "mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }",
            {"email": "member@example.org", "password": load_credentials()["member"]},
        )
    member_token = signed_in["data"]["login"]["token"]
    assert member_token, signed_in
    return {"anonymous": None, "partner": partner_token, "member": member_token}


def post(query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables}
    response = Client().post("/graphql/", body, content_type="application/json", **headers)
    return response.json() | {"status": response.status_code}


def emptiness(data: dict) -> list[str]:
    """The top-level fields that answered nothing: null, an empty list, or a page of no items."""
    empty = []
    for name, value in data.items():
        if value is None or value == [] or (isinstance(value, dict) and value.get("items") == []):
            empty.append(name)
    return empty


def test_the_docs_have_examples_for_every_caller():
    assert len(EXAMPLES) >= 8
    assert {example.caller for example in EXAMPLES} == {"anonymous", "partner", "member"}
    assert any(example.variables for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_documented_example_answers_with_data(example: Example, tokens):
    answer = post(example.query, example.variables, tokens[example.caller])
    assert "errors" not in answer, f"docs/partners.md {example}: {answer['errors']}"
    assert answer["status"] == 200
    data = answer["data"]
    assert data, f"docs/partners.md {example}: no data"
    assert not emptiness(data), f"docs/partners.md {example}: nothing in {emptiness(data)}"


# --- the format itself, so that a malformed example fails loudly rather than being skipped --------------------


def test_the_parser_reads_callers_variables_and_skips():
    markdown = textwrap.dedent(
        """\
        ```graphql
        { a }
        ```

        ```json
        {"x": 1}
        ```

        <!-- example-as: member -->
        ```graphql
        { b }
        ```
        Some words.
        ```json
        {"not": "variables: words come between"}
        ```

        <!-- example: skip -->
        ```graphql
        type A { b: Int }
        ```
        """
    )
    first, second = graphql_examples(markdown)
    assert (first.query, first.variables, first.caller, first.line) == ("{ a }", {"x": 1}, "anonymous", 1)
    assert (second.query, second.variables, second.caller) == ("{ b }", {}, "member")
    assert [block.language for block in fenced_blocks(markdown)] == ["graphql", "json", "graphql", "json", "graphql"]


@pytest.mark.parametrize(
    ("markdown", "complaint"),
    [
        ("<!-- example-as: admin -->\n```graphql\n{ a }\n```\n", "unknown caller 'admin'"),
        ("```graphql\n{ a }\n```\n```json\n{not json}\n```\n", "not JSON"),
        ("```graphql\n{ a }\n```\n```json\n[1]\n```\n", "must be a JSON object"),
        ("```graphql\n{ a }\n", "never closes"),
    ],
)
def test_a_malformed_example_is_an_error_not_a_skip(markdown, complaint):
    with pytest.raises(ValueError, match=complaint):
        graphql_examples(markdown)


# --- webhook verification snippets --------------------------------------------------------------------------------


@pytest.fixture
def delivery(receiver):
    """A real delivery: our worker signs a ping to a receiver on 127.0.0.1, which keeps the raw body and headers."""
    endpoint = webhook_services.endpoint_create(url=receiver.url, event_types=["*"])
    receiver.secrets.append(endpoint.secret)
    webhook_services.endpoint_ping(endpoint=endpoint)
    webhook_services.deliveries_drain()
    [received] = receiver.wait_for(1)
    return endpoint.secret, received.body, received.headers


def snippet(language: str) -> str:
    [block] = [block for block in tagged(read(PARTNERS), "webhook-verification") if block.language == language]
    return block.text


def forgeries(body: bytes, headers: dict):
    yield body.replace(b"webhook.ping", b"event.deleted"), headers  # the body changed in transit
    yield body, headers | {"webhook-timestamp": str(int(headers["webhook-timestamp"]) - 3600)}  # replayed
    yield body, headers | {"webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}  # signed by a stranger
    yield body, headers | {"webhook-signature": "v1a,abc"}


def test_the_python_verification_snippet_accepts_our_signature_and_refuses_forgeries(delivery):
    secret, body, headers = delivery
    namespace = {}
    exec(snippet("python"), namespace)  # noqa: S102 (the documentation's own code)
    verify = namespace["verify"]
    assert verify(secret, body, headers) == json.loads(body)
    assert verify(secret, body, headers)["type"] == "webhook.ping"
    for forged_body, forged_headers in forgeries(body, headers):
        with pytest.raises(ValueError, match="refuse"):
            verify(secret, forged_body, forged_headers)


NODE_RUNNER = """
import { verify } from "./verify.mjs";
const cases = JSON.parse(process.argv[2]);
const results = cases.map(({ secret, body, headers }) => {
  try {
    return verify(secret, Buffer.from(body, "base64"), headers);
  } catch (error) {
    return { refused: error.message };
  }
});
console.log(JSON.stringify(results));
"""


def test_the_javascript_verification_snippet_accepts_our_signature_and_refuses_forgeries(delivery, tmp_path):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node not found: the JavaScript webhook example in docs/partners.md cannot be checked")
        pytest.skip("node not found: the JavaScript webhook example in docs/partners.md is not checked")
    secret, body, headers = delivery
    (tmp_path / "verify.mjs").write_text(snippet("javascript"))
    (tmp_path / "run.mjs").write_text(NODE_RUNNER)
    cases = [(body, headers), *forgeries(body, headers)]
    argument = json.dumps([{"secret": secret, "body": base64.b64encode(b).decode(), "headers": h} for b, h in cases])
    done = subprocess.run(
        [node, "run.mjs", argument], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    genuine, *forged = json.loads(done.stdout)
    assert genuine == json.loads(body)
    assert all("refused" in result for result in forged), forged
