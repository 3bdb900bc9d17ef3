"""Headless preview for partners' preview front ends (wagtail-headless-preview), with tokens that expire.

The "Partner site" preview mode (`pages.preview.PartnerPreviewMixin`) stores a draft under a signed token; the
API's `preview(token:)` field returns that draft: the one path allowed to show draft content. The library checks
the signature but never the age, and a preview link that worked forever would be a standing way to read drafts,
so the token's timestamp is checked here against `GRAPHQL_PREVIEW_TOKEN_MAX_AGE`; forged, unknown and expired
tokens are refused with a clear error.
"""

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired
from graphql import GraphQLError
from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin, PagePreview

MAX_TOKEN_LENGTH = 255  # PagePreview.token's column size


def preview_page(token: str) -> Page:
    """The draft page stored under `token`, if the token is genuine and younger than the allowed age."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise GraphQLError("Invalid preview token.")
    try:
        HeadlessPreviewMixin.get_preview_signer().unsign(token, max_age=settings.GRAPHQL_PREVIEW_TOKEN_MAX_AGE)
    except SignatureExpired as error:
        raise GraphQLError("This preview token has expired: open the preview again from the admin.") from error
    except BadSignature as error:
        raise GraphQLError("Invalid preview token.") from error
    preview = PagePreview.objects.filter(token=token).first()
    if preview is None:
        raise GraphQLError("This preview is no longer available: open the preview again from the admin.")
    return preview.as_page()
