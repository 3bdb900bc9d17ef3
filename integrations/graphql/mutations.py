"""What every mutation and members-only field shares.

Mutations return their object or a list of field errors (as data, so a partner's form can show each message next
to its input); they never raise for bad input. Callers who may not act at all get a GraphQL error whose
`extensions.code` says why: UNAUTHENTICATED (no token) or FORBIDDEN (a token, but not a member).
"""

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError

from integrations.graphql.loaders import get_loader, viewer

WHOLE_INPUT = "__all__"
# Every payload's `errors` field.
ERRORS_DESCRIPTION = "What was wrong with the input, one entry per problem; empty when the mutation succeeded."


class FieldErrorType(graphene.ObjectType):
    """One problem with a mutation's input, to show next to the form field it names."""

    field = graphene.String(
        required=True, description=f"The input field at fault (camelCase), or '{WHOLE_INPUT}' for the whole input."
    )
    message = graphene.String(required=True, description="What is wrong, in words to show the person who typed it.")
    code = graphene.String(required=True, description="Machine-readable reason, e.g. 'required', 'max_length'.")

    class Meta:
        name = "FieldError"


def field_errors(error: ValidationError) -> list[FieldErrorType]:
    """A Django ValidationError as the mutation's `errors` list, field names as the partner sent them."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    return [
        FieldErrorType(
            field=WHOLE_INPUT if name == NON_FIELD_ERRORS else to_camel_case(name),
            message=" ".join(problem.messages),
            code=problem.code or "invalid",
        )
        for name, problems in by_field.items()
        for problem in problems
    ]


class AccessDenied(GraphQLError):
    """An error the caller is meant to read: its message and code reach the response unmasked."""

    def __init__(self, message: str, code: str):
        super().__init__(message, extensions={"code": code})


def require_authenticated(info):
    user = viewer(info)
    if not user.is_authenticated:
        raise AccessDenied("Sign in first: send 'Authorization: Bearer <token>'.", "UNAUTHENTICATED")
    return user


def require_member(info):
    """The caller, when they belong to the Community of Practice; the members-only error otherwise."""
    user = require_authenticated(info)
    if not get_loader(info).caller_is_member():  # the request's memo of pages.access.user_is_member
        raise AccessDenied("Only Community of Practice members can see or do this.", "FORBIDDEN")
    return user
