"""Grapple-style pagination (`items` + `pagination { total count perPage currentPage totalPages }`), bounded.

Every list takes `page` and `perPage`; both are checked before any query runs, so a hostile `perPage: 1000000` or
`page: 99999999` costs nothing and gets a clear error.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import graphene
from django.conf import settings
from django.db.models import QuerySet
from graphql import GraphQLError


class PaginationType(graphene.ObjectType):
    """Where a page of results sits in the whole list: ask for the next page with `page: nextPage`."""

    total = graphene.Int(required=True, description="Items matching the query, over all pages.")
    count = graphene.Int(required=True, description="Items on this page.")
    per_page = graphene.Int(required=True, description="Items per page, as asked for (or the default).")
    current_page = graphene.Int(required=True, description="This page's number, from 1.")
    prev_page = graphene.Int(description="The previous page's number; null on the first page.")
    next_page = graphene.Int(description="The next page's number; null on the last page.")
    total_pages = graphene.Int(required=True, description="Number of pages (at least 1, even for no items).")

    class Meta:
        name = "Pagination"


@dataclass
class Paginated:
    items: Sequence
    pagination: dict


def pagination_arguments() -> dict:
    return {
        "page": graphene.Int(default_value=1, description="1-based page number."),
        "per_page": graphene.Int(
            description=f"Items per page: default {settings.GRAPHQL_PER_PAGE}, at most {settings.GRAPHQL_MAX_PER_PAGE}."
        ),
    }


def page_bounds(page: int | None, per_page: int | None) -> tuple[int, int]:
    """(offset, per_page) for the arguments, or a GraphQLError naming the limit that was broken."""
    page = 1 if page is None else page
    per_page = settings.GRAPHQL_PER_PAGE if per_page is None else per_page
    if per_page < 1 or per_page > settings.GRAPHQL_MAX_PER_PAGE:
        raise GraphQLError(f"perPage must be between 1 and {settings.GRAPHQL_MAX_PER_PAGE}.")
    if page < 1:
        raise GraphQLError("page must be 1 or more.")
    offset = (page - 1) * per_page
    if offset > settings.GRAPHQL_MAX_OFFSET:
        raise GraphQLError(
            f"page is too far into the list: (page - 1) * perPage may be at most {settings.GRAPHQL_MAX_OFFSET} "
            "items. Narrow the query with filters instead."
        )
    return offset, per_page


def paginate(
    items: QuerySet | Sequence,
    *,
    page: int | None,
    per_page: int | None,
    prepare: Callable | None = None,
    count: Callable[[Callable[[], int]], int] | None = None,
) -> Paginated:
    """One page of `items` (a queryset is sliced in SQL); `prepare` gets the page's rows (e.g. to batch-load);
    `count`, given the function that counts `items`, answers the total (e.g. from a cache: cache.stored_count)."""
    offset, per_page = page_bounds(page, per_page)
    counter = items.count if isinstance(items, QuerySet) else items.__len__
    total = counter() if count is None else count(counter)
    rows = list(items[offset : offset + per_page])
    if prepare is not None:
        rows = prepare(rows)
    current = offset // per_page + 1
    total_pages = max(1, math.ceil(total / per_page))
    return Paginated(
        items=rows,
        pagination={
            "total": total,
            "count": len(rows),
            "per_page": per_page,
            "current_page": current,
            "prev_page": current - 1 if current > 1 else None,
            "next_page": current + 1 if current < total_pages else None,
            "total_pages": total_pages,
        },
    )


def paginated_type(item_type, name: str, description: str) -> type[graphene.ObjectType]:
    """`<name> { items: [item_type!]! pagination: Pagination! }`, described for partners as `description`."""

    def resolve_pagination(parent, info):
        return PaginationType(**parent.pagination)

    return type(
        name,
        (graphene.ObjectType,),
        {
            "Meta": type("Meta", (), {"description": description}),
            "items": graphene.List(
                graphene.NonNull(item_type), required=True, description="The items on this page, in the list's order."
            ),
            "pagination": graphene.Field(
                PaginationType, required=True, description="Totals and the neighbouring pages' numbers."
            ),
            "resolve_pagination": staticmethod(resolve_pagination),
        },
    )
