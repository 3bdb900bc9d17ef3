from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from cms.views import healthz
from integrations.graphql.views import graphql_view
from integrations.rest.api import api_router

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include("media_library.urls")),
    # Partner API: the hardened GraphQL endpoint (integrations/graphql/views.py).
    path("graphql/", graphql_view, name="graphql"),
    path("api/v2/", api_router.urls),  # Wagtail REST API v2 (pages only), the benchmark's baseline
    # iCal feeds and members' calendar links (events app)
    path("calendar/", include("events.urls")),
    # Online Resource Center: the invitation page members open from their email
    path("members/", include("community.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += staticfiles_urlpatterns()
    # Only images are served straight from disk; documents always go through Wagtail's permission-checked
    # /documents/ view so a members-only file is never one guessable URL away.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>(?:original_images|images)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]

# Errors: JSON for the API and feeds, a plain page elsewhere; never internals (cms/errors.py).
handler400 = "cms.errors.bad_request"
handler403 = "cms.errors.permission_denied"
handler404 = "cms.errors.page_not_found"
handler500 = "cms.errors.server_error"
