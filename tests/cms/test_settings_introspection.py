"""GRAPHQL_INTROSPECTION as each settings module resolves it, each imported in a fresh process with a clean
environment (settings are read once per process, so an in-process override would test nothing)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"SECRET_KEY": "a-long-random-test-secret-key-" + "x" * 40, "ALLOWED_HOSTS": "cms.example.org"}


def resolved(module: str, **environment: str) -> dict:
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": module, **environment}
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'introspection': s.GRAPHQL_INTROSPECTION}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("module", "environment", "debug", "introspection"),
    [
        # `make run`: DEBUG on, so the playground can read the schema.
        ("cms.settings.dev", {}, True, True),
        ("cms.settings.dev", {"DEBUG": "false"}, False, False),
        ("cms.settings.dev", {"GRAPHQL_INTROSPECTION": "false"}, True, False),
        # Production: off unless the variable itself says so; a stray DEBUG=true opens nothing.
        ("cms.settings.production", PRODUCTION, False, False),
        ("cms.settings.production", {**PRODUCTION, "DEBUG": "true"}, False, False),
        ("cms.settings.production", {**PRODUCTION, "GRAPHQL_INTROSPECTION": "true"}, False, True),
        # Tests: production's answer whatever the shell says (tests that need it use the settings fixture).
        ("cms.settings.test", {}, False, False),
        ("cms.settings.test", {"DEBUG": "true", "GRAPHQL_INTROSPECTION": "true"}, False, False),
    ],
)
def test_introspection_as_each_settings_module_resolves_it(module, environment, debug, introspection):
    assert resolved(module, **environment) == {"debug": debug, "introspection": introspection}
