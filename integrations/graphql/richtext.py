"""Rich text for partners: stored HTML with internal links turned into public URLs, for the caller.

Wagtail's `expand_db_html` looks each link up (a query per link) and links drafts and members-only pages alike.
Here a link to a page or document the caller may see becomes `<a href="https://cms.../path/">`; a link to one they
may not see loses its target (`<a>`: the words stay, the link and its URL do not). Embeds (images pasted into rich
text) are dropped: images reach partners only through typed image blocks and the rendition allow-list.
"""

from django.utils.html import escape
from wagtail.rich_text.rewriters import EmbedRewriter, LinkRewriter

from cms.links import public_url
from integrations.graphql.loaders import Loader, parse_id


def render_rich_text(html: str | None, loader: Loader) -> str:
    if not html:
        return ""

    def page_link(attrs):
        pk = parse_id(attrs.get("id"))
        path = loader.page_path(pk) if pk is not None else None
        return f'<a href="{escape(public_url(path))}">' if path else "<a>"

    def document_link(attrs):
        pk = parse_id(attrs.get("id"))
        document = loader.document(pk) if pk is not None else None
        return f'<a href="{escape(public_url(document.url))}">' if document else "<a>"

    html = LinkRewriter(rules={"page": page_link, "document": document_link})(html)
    return EmbedRewriter()(html)
