"""The admin's "Partner site" preview mode, for the page models partners' preview front ends show.

An editor picks the mode; wagtail-headless-preview stores the unsaved page as a `PagePreview` under a signed token
and points the partner's preview URL at it. The partner API reads the draft back with that token
(integrations/graphql/preview.py, which also checks the token's age). The mixin lives here, beside the page models
it serves (pages, events and media_library all build on pages), so no content app imports the API to get it.
"""

from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin

PARTNER_PREVIEW_MODE = "partner"


class PartnerPreviewMixin(HeadlessPreviewMixin):
    """Adds the "Partner site" preview mode; the default mode keeps rendering the CMS's own template."""

    @property
    def preview_modes(self):
        return [*super().preview_modes, (PARTNER_PREVIEW_MODE, "Partner site")]

    def serve_preview(self, request, mode_name):
        if mode_name == PARTNER_PREVIEW_MODE:
            return HeadlessPreviewMixin.serve_preview(self, request, mode_name)
        return Page.serve_preview(self, request, mode_name)
