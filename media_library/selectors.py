"""Reads for media: who may download a document, decided by the one privacy rule in pages.selectors."""

from pages.selectors import visible_documents


def document_is_visible(document, *, user) -> bool:
    return visible_documents(user=user).filter(pk=document.pk).exists()


def document_is_public(document_id) -> bool:
    """Public documents may be cached by a CDN; anything else is members-only (or otherwise restricted)."""
    return visible_documents(user=None).filter(pk=document_id).exists()
