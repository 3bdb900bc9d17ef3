"""Wagtail's REST API v2, pages endpoint only: the baseline the GraphQL API is benchmarked against.

Documents and images endpoints are left out on purpose: Wagtail's would list files in private collections.
The pages endpoint applies our privacy rule for an anonymous caller on top of Wagtail's `.live().public()`: Wagtail
alone still lists a live page below an unpublished or expired parent, which no other channel shows.
"""

from wagtail.api import APIField
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import Page

from events.models import TrainingEventPage
from integrations.rest import serializers
from pages.access import visible_pages
from pages.queries import MAX_SEARCH_LENGTH, search_words

# Each model's REST fields, declared here rather than as `api_fields` on the model: the REST API is a benchmark
# baseline of this app's own, and declaring its serializers on the model made the content app import the channel.
# The GraphQL contract's event fields, so the comparison is like for like.
MODEL_FIELDS = {
    TrainingEventPage: [
        APIField("summary"),
        APIField("start"),
        APIField("end"),
        APIField("time_zone"),
        APIField("status"),
        APIField("delivery_mode"),
        APIField("registration_url"),
        APIField("ical_url", serializer=serializers.IcalUrlField(source="*")),
        APIField("topics", serializer=serializers.TopicSerializer(many=True)),
        APIField("facilitators", serializer=serializers.PersonSerializer(many=True)),
    ],
}


class WordsSearchFilter(SearchFilter):
    """Wagtail's `?search=`, given words only and at most MAX_SEARCH_LENGTH characters (as GraphQL's search): the
    rest reached the database's full-text syntax and answered 5xx."""

    def filter_queryset(self, request, queryset, view):
        if "search" in request.GET:
            query = request.GET["search"]
            if len(query) > MAX_SEARCH_LENGTH:
                raise BadRequestError(f"search is too long ({MAX_SEARCH_LENGTH} characters at most)")
            if not search_words(query):
                raise BadRequestError("search needs at least one word")
            request._request.GET = request.GET.copy()
            request._request.GET["search"] = search_words(query)
        return super().filter_queryset(request, queryset, view)


class PublicPagesAPIViewSet(PagesAPIViewSet):
    filter_backends = [WordsSearchFilter if b is SearchFilter else b for b in PagesAPIViewSet.filter_backends]

    @classmethod
    def get_body_fields(cls, model):
        # Wagtail reads a model's `api_fields`; ours come from MODEL_FIELDS (every caller of the field list, the
        # serializers and the `?fields=` check alike, goes through this method).
        return [*super().get_body_fields(model), *MODEL_FIELDS.get(model, ())]

    def get_base_queryset(self):
        # As `pk IN (the visible pages)`: `?search=` hands this queryset to Wagtail's search backend, which accepts
        # only lookups on indexed fields (`id` is one) and fails on the rule's NOT EXISTS and `expire_at` filters.
        visible = visible_pages(Page.objects.all(), user=None).values("pk")
        return super().get_base_queryset().filter(pk__in=visible)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
