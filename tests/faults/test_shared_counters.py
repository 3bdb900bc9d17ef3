"""Fault 7: several web processes and no Redis. The sign-in lockout and the per-address limits on sign-in,
invitations and GraphQL are counted in the database cache that every process shares, so spreading attempts over
processes gains an attacker nothing.

Two gunicorn instances (one worker each, so it is known which process answers) on production settings without
REDIS_URL, one PostgreSQL. Before, each process counted in its own memory: the right password was accepted on the
second process after five failures on the first, and each process allowed its own budget of attempts.
"""

import json
import time
import uuid

from community.services import SIGN_IN_FAILED, TOO_MANY_ATTEMPTS
from tests.faults import harness

LOGIN = "mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token errors { message code } } }"
GRAPHQL_LIMIT = 30  # anonymous GraphQL requests per window per address: above what the sign-in phases send
SIGN_IN_LIMIT = 20  # SIGN_IN_RATE_LIMIT_PER_IP (per minute; shared by sign-in and invitations, scoped apart)


def login(base: str, email: str, password: str) -> dict:
    body = json.dumps({"query": LOGIN, "variables": {"e": email, "p": password}}).encode()
    answer = harness.request(base + "/graphql/", data=body, headers={"Content-Type": "application/json"})
    assert answer.status == 200, (answer.status, answer.body[:300], answer.error)
    return answer.json()["data"]["login"]


def forget_counts(stack) -> None:
    harness.sql(stack.postgres.url, "DELETE FROM cms_cache RETURNING cache_key")


def in_one_minute(stack, attempt):
    """What `attempt()` returns, run on fresh counts within one per-minute window (one that ended halfway would
    start a new count, so the attempt is made again)."""
    for _ in range(3):
        forget_counts(stack)
        minute = int(time.time() // 60)
        outcome = attempt()
        if int(time.time() // 60) == minute:
            return outcome
    raise AssertionError("no attempt fitted in one minute")


def spray(base: str) -> dict:
    return login(base, f"spray-{uuid.uuid4().hex[:8]}@example.org", "Summer2026!")


def test_several_processes_without_redis_share_lockouts_and_limits(stack, processes):
    env = stack.env(
        redis=False,
        GRAPHQL_RATE_LIMIT_ANONYMOUS=str(GRAPHQL_LIMIT),
        GRAPHQL_RATE_LIMIT_WINDOW_SECONDS="3600",
    )
    first, first_base = harness.gunicorn(env, stack.logs / "web-counters-1.log", workers=1)
    processes.append(first)
    second, second_base = harness.gunicorn(env, stack.logs / "web-counters-2.log", workers=1)
    processes.append(second)
    password = json.loads((stack.logs / "demo-credentials.json").read_text())["cuyahoga"]

    try:
        # Lockout: five wrong passwords on the first process, then the right one on the second.
        forget_counts(stack)
        wrong = [login(first_base, "cuyahoga@example.org", "wrong-guess") for _ in range(5)]
        assert all(answer["errors"][0]["code"] == "invalid_credentials" for answer in wrong)
        locked = login(second_base, "cuyahoga@example.org", password)
        assert locked["token"] is None and locked["errors"][0]["message"] == SIGN_IN_FAILED

        # Per-address sign-in limit: 20 attempts on the first process, the 21st on the second.
        def sign_in_spray():
            return [spray(first_base) for _ in range(SIGN_IN_LIMIT)], spray(second_base)

        allowed, refused = in_one_minute(stack, sign_in_spray)
        assert all(answer["errors"][0]["code"] == "invalid_credentials" for answer in allowed)
        assert refused["errors"][0] == {"message": TOO_MANY_ATTEMPTS, "code": "rate_limited"}

        # Per-address invitation limit: 20 guessed links on the first process, the 21st on the second.
        def invitation_guesses():
            guesses = [harness.get(f"{first_base}/members/invitation/guess-{n}/").status for n in range(SIGN_IN_LIMIT)]
            return guesses, harness.get(f"{second_base}/members/invitation/guess-last/").status

        assert in_one_minute(stack, invitation_guesses) == ([404] * SIGN_IN_LIMIT, 429)

        # GraphQL's anonymous limit: the budget spent on the first process is spent on the second too.
        forget_counts(stack)
        answers = [harness.graphql(first_base, "{ __typename }").status for _ in range(GRAPHQL_LIMIT)]
        assert answers == [200] * GRAPHQL_LIMIT
        refused = harness.graphql(second_base, "{ __typename }")
        assert refused.status == 429 and "Rate limit exceeded" in refused.json()["errors"][0]["message"]
        harness.summary(
            "shared counters without Redis: lockout, sign-in, invitation and GraphQL limits held across 2 processes"
        )
    finally:
        forget_counts(stack)  # the demo member's lockout must not outlive this test
