"""The developer loop: `make test-fast` collects neither the fault suite nor the slow and browser suites."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def collected(*args: str, env: dict | None = None) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        env={**os.environ, "CMS_FAULT_SUITE": "", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return [line for line in run.stdout.splitlines() if "::" in line]


def test_a_marker_expression_on_the_command_line_does_not_bring_the_fault_suite_back():
    fast = collected("-m", "not browser and not slow")
    assert fast, "the fast loop collected nothing"
    assert not [test for test in fast if test.startswith("tests/faults/")]


def test_the_fault_suite_is_collected_when_asked_for():
    faults = collected("tests/faults", env={"CMS_FAULT_SUITE": "1"})
    assert faults
    assert all(test.startswith("tests/faults/") for test in faults)
