"""Root-field plumbing the apps' `graphql.py` share: list and lookup resolvers, allow-listed ordering, and the
translation of the selectors' domain errors into GraphQL errors.

Selectors are channel-neutral: for a value no query can answer they raise Django's ValidationError with a message
meant for the caller. Here it becomes a GraphQL error with that message, so partners read the same words whatever
layer found the problem.
"""

from functools import wraps

import graphene
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from graphene.utils.str_converters import to_camel_case
from graphql import FieldNode, GraphQLError

from integrations.graphql import cache
from integrations.graphql.fields import choices_enum, read
from integrations.graphql.loaders import get_loader, parse_id
from integrations.graphql.pagination import paginate
from pages.queries import MAX_TOPICS, TopicMatch


def translated(select):
    """`select` with its ValidationError raised as a GraphQLError carrying the same message."""

    @wraps(select)
    def call(*args, **kwargs):
        try:
            return select(*args, **kwargs)
        except ValidationError as error:
            raise GraphQLError(" ".join(error.messages)) from None

    return call


def ordered(queryset: QuerySet, order: str | None, allowed: dict[str, tuple[str, ...]]) -> QuerySet:
    """`queryset` in the allow-listed `order` (the first key is the default); anything else is a clear error.
    Keys are what partners send; each maps to fixed columns (never passed to order_by as given)."""
    key = next(iter(allowed)) if order is None else order
    if key not in allowed:
        raise GraphQLError(f"Unknown order “{str(order)[:40]}”. Use one of: {', '.join(allowed)}.")
    return queryset.order_by(*allowed[key])


def order_argument(keys) -> graphene.String:
    return graphene.String(description=f"One of: {', '.join(keys)} (default {next(iter(keys))}).")


def topic_arguments() -> dict:
    """The topic filters every content list takes: one topic, or several matched by any or all of them."""
    return {
        "topic": graphene.String(description="A topic slug, e.g. 988-crisis-hotline."),
        "topics": graphene.List(
            graphene.NonNull(graphene.String),
            description=f"Several topic slugs (1 to {MAX_TOPICS}), matched as topicMatch says. Not with topic.",
        ),
        "topic_match": choices_enum(TopicMatch)(
            default_value=TopicMatch.ANY, description="With topics: ANY (the default) or ALL of them."
        ),
    }


def lookup_arguments() -> dict:
    return {
        "id": graphene.ID(description="The item's `id`, as lists return it. Give either id or slug."),
        "slug": graphene.String(description="The item's `slug`, e.g. cit-basics. Give either id or slug."),
    }


def registered(rows, loader):
    return loader.register(rows)


def names_in_operation(info) -> set[str]:
    """Every field name the operation (and its fragments) selects anywhere."""
    names, pending = set(), [info.operation, *info.fragments.values()]
    while pending:
        node = pending.pop()
        if isinstance(node, FieldNode):
            names.add(node.name.value)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return names


def without_unrequested_streams(rows, info):
    """`rows` without the StreamField columns (page bodies, the largest) of declared fields the operation never
    names: a list that does not show bodies does not read them. Any field that reads one anyway still gets it
    (Django loads a deferred column on access), and the loader skips deferred columns when it scans for ids."""
    if not isinstance(rows, QuerySet):
        return rows
    names = names_in_operation(info)
    unread = [
        declaration.source
        for declaration in map(read, getattr(rows.model, "graphql_fields", ()))
        if declaration.kind == "GraphQLStreamfield" and to_camel_case(declaration.name) not in names
    ]
    return rows.defer(*unread) if unread else rows


def list_resolver(select, prepare=registered, orders=None):
    """Resolve a paginated list: `select` (a selector taking the caller and the filters), put in the `order` the
    caller chose among `orders`, then `prepare` the page of rows (batch-load what they point at) before their
    fields resolve."""
    select = translated(select)

    def resolve(root, info, page=1, per_page=None, order=None, **filters):
        loader = get_loader(info)
        rows = select(user=loader.user, **filters)
        if orders is not None:
            rows = ordered(rows, order, orders)
        rows = without_unrequested_streams(rows, info)
        return paginate(
            rows,
            page=page,
            per_page=per_page,
            prepare=lambda rows: prepare(rows, loader),
            count=lambda count: cache.stored_count(info.context, info.field_name, filters, count),
        )

    return resolve


def lookup_resolver(select, prepare=registered):
    """Resolve a single lookup by id or slug (exactly one of them), prepared like a list of one."""

    def resolve(root, info, id=None, slug=None):
        if (id is None) == (slug is None):
            raise GraphQLError("Give either id or slug.")
        loader = get_loader(info)
        pk = None if id is None else parse_id(id)
        if id is not None and pk is None:
            return None
        found = select(user=loader.user, pk=pk, slug=slug)
        return prepare([found], loader)[0] if found else None

    return resolve
