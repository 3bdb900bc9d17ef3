"""Wagtail's REST API v2, pages endpoint only: the baseline the GraphQL API is benchmarked against.

Documents and images endpoints are left out on purpose: Wagtail's would list files in private collections.
The pages endpoint applies our privacy rule for an anonymous caller on top of Wagtail's `.live().public()`: Wagtail
alone still lists a live page below an unpublished parent, which no other channel shows.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from pages.selectors import visible_pages


class PublicPagesAPIViewSet(PagesAPIViewSet):
    def get_base_queryset(self):
        return visible_pages(super().get_base_queryset(), user=None)


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
