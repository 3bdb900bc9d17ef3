"""Admin and serving hooks for the media library."""

from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.urls import path
from django.utils.http import content_disposition_header
from wagtail import hooks
from wagtail.models import CollectionViewRestriction
from wagtail.wagtail_hooks import require_wagtail_login

from media_library import views
from media_library.bulk_actions import MoveDocumentsToCollection, MoveImagesToCollection
from media_library.forms import LEFT_MEMBERS_ONLY
from media_library.selectors import document_is_public
from media_library.storage import is_s3, presigned_url
from pages.access import passwords_given, restrictions_shutting_out


@hooks.register("before_serve_document", order=-100)
def serve_document_by_privacy_rule(document, request):
    """Decide /documents/<id>/<name> with pages.access' rule, before Wagtail's own checks.

    Refused by a groups or login restriction: anonymous visitors are sent to sign in, others get 403. Refused by a
    password restriction: Wagtail's own check (the next hook) asks for the password. Allowed, on S3: restricted
    files redirect to a pre-signed URL that expires in MEDIA_PRIVATE_URL_EXPIRE seconds, public files to their
    CDN/plain URL, so no file passes through the web process. On local storage we return None and Wagtail streams
    the file with Content-Disposition, `X-Content-Type-Options: nosniff` and `Content-Security-Policy:
    default-src 'none'`.
    media_library.views.serve_document marks every answer about a restricted document `Cache-Control: private`.
    """
    passwords = passwords_given(request, CollectionViewRestriction)
    shut_out = restrictions_shutting_out(document.collection, user=request.user, passwords=passwords).first()
    if shut_out is not None:
        if shut_out.restriction_type == CollectionViewRestriction.PASSWORD:
            return None
        if not request.user.is_authenticated:
            return require_wagtail_login(next=request.get_full_path())
        return HttpResponseForbidden("You do not have access to this document.")
    storage = document.file.storage
    if not is_s3(storage):
        return None
    # Not "anonymous, so public": an anonymous session that gave a collection's password is let in above too.
    if document_is_public(document.pk):
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


# --- uploads that cannot go wrong (docs/editors.md) ---------------------------------------------------------------


@hooks.register("register_admin_urls", order=-1)
def mount_upload_views():
    """Our upload views at Wagtail's own paths, ahead of Wagtail's patterns (the first match wins): every link,
    form action and `reverse()` Wagtail makes reaches them. media_library/views.py says what each one changes."""
    return [
        path("images/multiple/add/", views.ImageAddView.as_view()),
        path("images/multiple/<int:image_id>/", views.ImageEditView.as_view()),
        path("documents/multiple/add/", views.DocumentAddView.as_view()),
        path("images/chooser/", views.image_chooser_viewset.choose_view),
        path("images/chooser/create/", views.image_chooser_viewset.create_view),
        path("documents/chooser/", views.document_chooser_viewset.choose_view),
        path("documents/chooser/create/", views.document_chooser_viewset.create_view),
    ]


@hooks.register("construct_image_chooser_queryset")
def only_images_with_alt_text(images, request):
    """An image saved without alt text cannot be put on a page until it has some (CustomImage)."""
    return images.exclude(description="")


@hooks.register("register_log_actions")
def register_audience_log_actions(actions):
    actions.register_action(
        LEFT_MEMBERS_ONLY,
        "Moved out of Members only",
        "Moved out of a members-only collection: now visible to anyone, including partner sites",
    )


# Registered after Wagtail's (order), so they replace its "Add to collection" for images and documents.
hooks.register("register_bulk_action", MoveImagesToCollection, order=100)
hooks.register("register_bulk_action", MoveDocumentsToCollection, order=100)
