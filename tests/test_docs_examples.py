"""Documented examples cannot go stale: every GraphQL example in docs/partners.md runs against the demo content
through the real /graphql/ view, as the caller it names, and answers without errors and with data; the webhook
verification snippets (Python, and JavaScript under node) accept a delivery our worker signed and refuse a forged
one. integrations/graphql/examples.py reads the format (tested in tests/integrations/graphql/test_examples.py)."""

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from demo.accounts import load_credentials
from integrations.graphql.examples import Example, documented_examples, tagged_blocks
from integrations.graphql.services import api_token_create
from integrations.webhooks import services as webhook_services

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = ROOT / "docs" / "partners.md"
EXAMPLES = documented_examples(PARTNERS)

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
    return {None: None, "partner": partner_token, "member": member_token}


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
    assert {example.run_as for example in EXAMPLES} == {None, "partner", "member"}
    assert any(example.variables for example in EXAMPLES)


def example_id(example: Example) -> str:
    return f"line {example.line} as {example.run_as or 'anonymous'}"


@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_documented_example_answers_with_data(example: Example, tokens):
    answer = post(example.query, example.variables or {}, tokens[example.run_as])
    where = f"docs/partners.md {example_id(example)}"
    assert "errors" not in answer, f"{where}: {answer['errors']}"
    assert answer["status"] == 200
    data = answer["data"]
    assert data, f"{where}: no data"
    assert not emptiness(data), f"{where}: nothing in {emptiness(data)}"


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
    markdown = PARTNERS.read_text(encoding="utf-8")
    [text] = [text for kind, text in tagged_blocks(markdown, "webhook-verification") if kind == language]
    return text


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
