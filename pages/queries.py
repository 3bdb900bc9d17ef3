"""Filters the content apps' selectors share: topics (any or all of several), a year filter, full-text search hits
and a lookup by id or slug.

Channel-neutral: a value no query can answer raises Django's ValidationError with a message meant for the caller;
each channel (the GraphQL layer: integrations/graphql/resolvers.py) turns it into its own kind of error.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from wagtail.models import Page

# A search is answered from at most this many hits (ranked); deeper pages of a search are not useful.
MAX_SEARCH_HITS = 1000
MAX_SEARCH_LENGTH = 200
# A topic filter names at most this many topics: more than the program has, few enough to keep the query small.
MAX_TOPICS = 20
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


class DescribedChoices(models.TextChoices):
    """Choices whose labels also describe each value to API callers (graphene reads a member's `description`)."""

    @property
    def description(self) -> str:
        return self.label


class TopicMatch(DescribedChoices):
    """How a list filtered by several topics matches them."""

    ANY = "any", "Items with at least one of the topics."
    ALL = "all", "Items with every one of the topics."


def with_topics(
    queryset: QuerySet, *, topic: str | None = None, topics: list[str] | None = None, match: str = TopicMatch.ANY
) -> QuerySet:
    """`queryset` (of a model with a `topics` relation) narrowed to one topic slug, or to any/all of several.

    Each item appears once whatever the number of its topics that match (a subquery, never a join)."""
    if topics is None:
        return queryset if topic is None else queryset.filter(topics__slug=topic)
    if topic is not None:
        raise ValidationError("Give topic or topics, not both.")
    slugs = set(topics)
    if not slugs:
        raise ValidationError("topics is empty: name at least one topic slug, or leave topics out.")
    if len(slugs) > MAX_TOPICS:
        raise ValidationError(f"topics takes at most {MAX_TOPICS} topic slugs.")
    relation = queryset.model._meta.get_field("topics")
    links = relation.remote_field.through.objects.filter(topic__slug__in=slugs)
    owner = relation.m2m_field_name()
    if match == TopicMatch.ALL:
        links = links.values(owner).annotate(matched=Count("topic", distinct=True)).filter(matched=len(slugs))
    return queryset.filter(pk__in=links.values(owner))


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
