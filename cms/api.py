"""Wagtail's REST API v2, pages endpoint only: the baseline the GraphQL API is benchmarked against.

Documents and images endpoints are left out on purpose: Wagtail's would list files in private collections.
The pages endpoint serves only live, public pages (Wagtail filters `.live().public()`).
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
