"""Helpers for executing the GraphQL schema in-process as a given caller (no HTTP: the view is tested apart)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory
from wagtail.models import PageViewRestriction

from integrations.graphql.schema import schema
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
