"""Admin and serving hooks for the media library."""

from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.utils.http import content_disposition_header
from wagtail import hooks
from wagtail.wagtail_hooks import require_wagtail_login

from media_library.selectors import document_is_public, document_is_visible
from media_library.storage import is_s3, presigned_url
from pages.selectors import active_user


@hooks.register("before_serve_document", order=-100)
def serve_document_by_privacy_rule(document, request):
    """Decide /documents/<id>/<name> with pages.selectors' rule, before Wagtail's own checks.

    Refused: anonymous visitors are sent to log in, others get 403. Allowed, on S3: members-only files redirect to
    a pre-signed URL that expires in MEDIA_PRIVATE_URL_EXPIRE seconds, public files to their CDN/plain URL, so no
    file passes through the web process. On local storage we return None and Wagtail streams the file with
    Content-Disposition, `X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src 'none'`.
    media_library.views.serve_document marks every answer about a restricted document `Cache-Control: private`.
    """
    if not document_is_visible(document, user=request.user):
        if not request.user.is_authenticated:
            return require_wagtail_login(next=request.get_full_path())
        return HttpResponseForbidden("You do not have access to this document.")
    storage = document.file.storage
    if not is_s3(storage):
        return None
    # An anonymous visitor sees only public documents: the check above already answered for them.
    if not active_user(request.user).is_authenticated or document_is_public(document.pk):
        # storage.url: the CDN URL when AWS_S3_CUSTOM_DOMAIN is set (plain, cacheable), else a pre-signed bucket URL
        response = HttpResponseRedirect(storage.url(document.file.name))
    else:
        response = HttpResponseRedirect(
            presigned_url(
                storage,
                document.file.name,
                content_type=document.content_type,
                # Wagtail says bare "inline" for PDFs; S3 is given the file name either way, safely quoted.
                disposition=content_disposition_header(
                    as_attachment=document.content_disposition.startswith("attachment"), filename=document.filename
                ),
            )
        )
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"  # a pre-signed URL must not leak to the next site
    return response
