"""Wagtail's document URLs, its serve view wrapped by media_library.views.serve_document (same name and path)."""

from django.urls import re_path
from wagtail.documents import urls as wagtaildocs_urls

from media_library.views import serve_document

urlpatterns = [
    re_path(r"^(\d+)/(.*)$", serve_document, name="wagtaildocs_serve"),
    *(pattern for pattern in wagtaildocs_urls.urlpatterns if pattern.name != "wagtaildocs_serve"),
]
