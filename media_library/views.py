"""/documents/<id>/<name>: Wagtail's serve view (with our before_serve_document hook), answered as a private response
whenever the document is restricted."""

from django.utils.cache import patch_cache_control
from wagtail.documents.views import serve

from media_library.selectors import document_is_public


def serve_document(request, document_id, document_filename):
    """Every answer about a restricted document (the file, a 304, the sign-in redirect, the 403) is
    `Cache-Control: private`: Wagtail streams a local file with no Cache-Control at all, only the session's
    `Vary: Cookie`, which a shared cache may ignore and hand a member's copy to anyone. Public documents keep what
    Wagtail and the hook give them (the S3/CDN redirect is cacheable)."""
    response = serve.serve(request, document_id, document_filename)
    if not document_is_public(document_id):
        patch_cache_control(response, private=True)
    return response
