"""Rich text on the CMS's own HTML pages links only what the visitor may see.

Wagtail's handlers turn every stored `<a linktype="page|document" id=...>` into a link and every
`<embed embedtype="image">` into an `<img>`, drafts, members-only pages and private-collection files alike. These
replace them (registered in pages/wagtail_hooks.py) and look the ids up through the privacy rule for the request's
visitor (`pages.viewer`), one query per kind per rich-text value, as Wagtail's do. What the visitor may not see
becomes Wagtail's own "missing target" output: the words keep an `<a>` without `href`, an image an empty `<img>`,
the same decision the GraphQL API makes (integrations/graphql/richtext.py).
"""

from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.images.rich_text import ImageEmbedHandler
from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler

from pages.viewer import viewer_documents, viewer_images, viewer_pages


class VisibleTargetsMixin:
    @classmethod
    def visible(cls):
        raise NotImplementedError

    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list:
        ids = [str(attrs.get("id")) for attrs in attrs_list]
        found = {str(item.pk): item for item in cls.visible().filter(pk__in=[pk for pk in ids if pk.isdigit()])}
        return [found.get(pk) for pk in ids]


class VisiblePageLinkHandler(VisibleTargetsMixin, PageLinkHandler):
    @classmethod
    def visible(cls):
        return viewer_pages(Page.objects.all()).defer_streamfields().specific()


class VisibleDocumentLinkHandler(VisibleTargetsMixin, DocumentLinkHandler):
    @classmethod
    def visible(cls):
        return viewer_documents()


class VisibleImageEmbedHandler(VisibleTargetsMixin, ImageEmbedHandler):
    @classmethod
    def visible(cls):
        return viewer_images()
