"""Headless preview for partners' preview front ends (wagtail-headless-preview), with tokens that expire.

An editor picks the "Partner site" preview mode; wagtail-headless-preview stores the unsaved page as a
`PagePreview` under a signed token and points the partner's preview URL at it. The API's `preview(token:)`
field then returns that draft: the one path allowed to show draft content. The library checks the signature
but never the age (DESIGN.md §6), so the token's timestamp is checked here against
`GRAPHQL_PREVIEW_TOKEN_MAX_AGE`; forged, unknown and expired tokens are refused with a clear error.
"""

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired
from graphql import GraphQLError
from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin, PagePreview

PARTNER_PREVIEW_MODE = "partner"
MAX_TOKEN_LENGTH = 255  # PagePreview.token's column size


class PartnerPreviewMixin(HeadlessPreviewMixin):
    """Adds the "Partner site" preview mode; the default mode keeps rendering the CMS's own template."""

    @property
    def preview_modes(self):
        return [*super().preview_modes, (PARTNER_PREVIEW_MODE, "Partner site")]

    def serve_preview(self, request, mode_name):
        if mode_name == PARTNER_PREVIEW_MODE:
            return HeadlessPreviewMixin.serve_preview(self, request, mode_name)
        return Page.serve_preview(self, request, mode_name)


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
