"""Filters the content apps' selectors share: a year filter, full-text search hits and a lookup by id or slug.

Channel-neutral: a value no query can answer raises Django's ValidationError with a message meant for the caller;
each channel (the GraphQL layer: integrations/graphql/resolvers.py) turns it into its own kind of error.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from wagtail.models import Page

# A search is answered from at most this many hits (ranked); deeper pages of a search are not useful.
MAX_SEARCH_HITS = 1000
MAX_SEARCH_LENGTH = 200
# Words only: quotes and other punctuation reach the database's full-text syntax (an unbalanced quote made SQLite
# answer "unterminated string", a 5xx), and no search our callers need depends on them.
_SEARCH_NOISE = re.compile(r"[^\w\s'-]")


def search_words(query: str | None) -> str:
    """`query` reduced to its words, single-spaced ("" when nothing searchable is left): what every channel that
    searches (GraphQL's `search`/`publications(search:)`, REST v2's `?search=`) gives the search backend."""
    return " ".join(_SEARCH_NOISE.sub(" ", query or "").split())


def search_hits(model: type[Page], query: str) -> list[int]:
    """Ids of `model` pages matching `query`, best first (Wagtail search; privacy is applied by the caller)."""
    if len(query or "") > MAX_SEARCH_LENGTH:
        raise ValidationError(f"The search query is too long ({MAX_SEARCH_LENGTH} characters at most).")
    query = search_words(query)
    if not query:
        raise ValidationError("Give a search query.")
    return [page.pk for page in model.objects.live().search(query)[:MAX_SEARCH_HITS]]


def in_year(queryset: QuerySet, field: str, year: int | None) -> QuerySet:
    if year is None:
        return queryset
    if not 1 <= year <= 9999:  # what a date can hold; Django's year lookup raises for anything else
        raise ValidationError("year must be between 1 and 9999.")
    return queryset.filter(**{f"{field}__year": year})


def by_pk_or_slug(queryset: QuerySet, *, pk: int | None = None, slug: str | None = None):
    """The row of `queryset` with this primary key, or else the first one (in the page tree) with this slug."""
    if pk is not None:
        return queryset.filter(pk=pk).first()
    return queryset.filter(slug=slug).order_by("path").first()
