"""Helpers for executing the GraphQL schema in-process as a given caller (no HTTP: the view is tested apart)."""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client, RequestFactory
from graphql import ExecutionResult, GraphQLError
from wagtail.models import PageViewRestriction

from integrations.graphql.schema import schema
from integrations.graphql.services import api_token_create
from pages.access import MEMBERS_GROUP


def run(query: str, *, user=None, **variables):
    """Execute `query` as `user` (anonymous by default), the way the HTTP view does."""
    request = RequestFactory().post("/graphql/")
    request.user = user or AnonymousUser()
    return schema.execute(query, variable_values=variables, context_value=request)


def data(query: str, *, user=None, **variables) -> dict:
    result = run(query, user=user, **variables)
    assert result.errors is None, result.errors
    return result.data


def error_messages(query: str, *, user=None, **variables) -> list[str]:
    result = run(query, user=user, **variables)
    assert result.errors, result.data
    return [error.message for error in result.errors]


def user_in(group_name: str | None, username: str):
    user = get_user_model().objects.create_user(username, password="pw")
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


def members_only(page) -> None:
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])


_tokens: dict[int, str] = {}


def run_through_cached_view(query: str, *, user=None, **variables):
    """Execute `query` through /graphql/ as `user` (a bearer token of theirs) with the response cache on, twice:
    the first answer is executed and stored, the second comes from the store and must be the same bytes. Used by
    the privacy tests (test_privacy.py's `channel` fixture): every answer they check is then a cached one, and a
    stored answer reaching the wrong caller fails their assertions."""
    headers = {}
    if user is not None:
        if user.pk not in _tokens:
            _tokens[user.pk] = api_token_create(user=user, name="privacy tests")[1]
        headers["HTTP_AUTHORIZATION"] = f"Bearer {_tokens[user.pk]}"
    payload = {"query": query, "variables": variables}
    answers = [
        Client().post("/graphql/", payload, content_type="application/json", **headers).content for _ in range(2)
    ]
    assert answers[0] == answers[1]
    body = json.loads(answers[1])
    errors = [GraphQLError(error["message"]) for error in body.get("errors", [])]
    return ExecutionResult(data=body.get("data"), errors=errors or None)
