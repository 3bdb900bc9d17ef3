"""/documents/<id>/<name>: Wagtail's serve view (with our before_serve_document hook), answered as a private response
whenever the document is restricted; and the admin's upload screens (multiple upload, choosers' upload tabs)."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control
from wagtail.documents import get_document_model
from wagtail.documents.views import chooser as document_chooser
from wagtail.documents.views import multiple as multiple_documents
from wagtail.documents.views import serve
from wagtail.images import get_image_model
from wagtail.images.views import chooser as image_chooser
from wagtail.images.views import multiple as multiple_images

from media_library.audience import COLLECTION_HELP, audience_label, page_audience_from_referer
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


# --- the admin's upload screens ---------------------------------------------------------------------------------
# Wagtail's own views, subclassed where its behaviour would let an untrained editor go wrong; wagtail_hooks.py mounts
# them at Wagtail's own URLs (so every link and `reverse()` reaches them) ahead of Wagtail's patterns.


class AudienceChoices:
    """The collection <select> of Wagtail's multiple-upload template (wagtailimages/multiple/add.html iterates
    `collections.get_indented_choices`), labelled by audience instead of by name."""

    def __init__(self, collections):
        self.collections = list(collections)

    def get_indented_choices(self):
        return [(collection.pk, audience_label(collection)) for collection in self.collections]

    def __len__(self):
        return len(self.collections)


def _form_errors(form) -> str:
    """Every error of a refused upload, the file's first, named by field: the upload list shows this text."""
    lines = list(form.errors.get("file", []))
    for name, errors in form.errors.items():
        if name != "file":
            label = form.fields[name].label if name in form.fields else ""
            lines += [f"{label}: {error}" if label else error for error in errors]
    return "\n".join(lines)


class AudienceAddMixin:
    """The multiple upload: an audience choice (default Public) explained on the page, and one answer per file,
    saved or refused. Wagtail's base view keeps a file whose form fails on a field other than the file (the
    collection, the alt text) as an UploadedFile that exists only until the editor leaves the page."""

    upload_form_kwargs: dict = {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        field = self.form.fields.get("collection")
        if field is not None:
            collections = list(field.queryset)
            context["collections"] = AudienceChoices(collections)
            requested = self.request.GET.get("collection_id")
            if requested not in {str(collection.pk) for collection in collections}:
                requested = str(self.form.initial.get("collection"))
            context["selected_collection_id"] = requested
        context["help_text"] = f"{context['help_text']} {COLLECTION_HELP}"
        return context

    def post(self, request):
        upload = request.FILES.get("files[]")
        if upload is None:
            return HttpResponseBadRequest("Must upload a file")
        form = self.get_upload_form_class()(
            {
                "title": request.POST.get("title", upload.name),
                "collection": request.POST.get("collection"),
            },
            {"file": upload},
            user=request.user,
            **self.upload_form_kwargs,
        )
        if not form.is_valid():
            return JsonResponse({"success": False, "error_message": _form_errors(form)})
        self.object = self.save_object(form)
        return JsonResponse(self.get_edit_object_response_data())


ALT_TEXT_FORM_TEMPLATE = "media_library/admin/multiple_upload_edit_form.html"


class ImageAddView(AudienceAddMixin, multiple_images.AddView):
    """Saves the image at once, without alt text if none was given; the form returned next to it says, in a warning
    that stays until alt text is saved, that the image is shown nowhere until then."""

    upload_form_kwargs = {"alt_text_later": True}
    edit_form_template_name = ALT_TEXT_FORM_TEMPLATE


class ImageEditView(multiple_images.EditView):
    """Update in the upload list: re-shown with the same warning while alt text is still missing."""

    edit_form_template_name = ALT_TEXT_FORM_TEMPLATE


class DocumentAddView(AudienceAddMixin, multiple_documents.AddView):
    pass


class AudienceCreationMixin:
    """A chooser's upload tab: the members-only collection is the default when the chooser was opened on a
    members-only page (media_library.audience.page_audience_from_referer), Public otherwise."""

    def get_creation_form_kwargs(self):
        return {**super().get_creation_form_kwargs(), "members_only": page_audience_from_referer(self.request)}

    def get_reshow_creation_form_response(self):
        if "file" not in self.form.errors:
            # A browser cannot put a file back into a file input: say so, or the editor thinks it was kept.
            self.form.add_error(None, NOT_UPLOADED)
        return super().get_reshow_creation_form_response()


NOT_UPLOADED = "Nothing was uploaded yet: correct the fields below, choose the file again and click Upload."


class ImageChooseView(AudienceCreationMixin, image_chooser.ImageChooseView):
    pass


class ImageChooserUploadView(AudienceCreationMixin, image_chooser.ImageUploadView):
    pass


class DocumentChooseView(AudienceCreationMixin, document_chooser.DocumentChooseView):
    pass


class DocumentChooserUploadView(AudienceCreationMixin, document_chooser.DocumentChooserUploadView):
    pass


class ImageChooserViewSet(image_chooser.ImageChooserViewSet):
    choose_view_class = ImageChooseView
    create_view_class = ImageChooserUploadView


class DocumentChooserViewSet(document_chooser.DocumentChooserViewSet):
    choose_view_class = DocumentChooseView
    create_view_class = DocumentChooserUploadView


# Same names and prefixes as Wagtail's: reverse() and the chooser's own links resolve to the same URLs. Not registered
# as viewsets (that would register the namespaces twice); wagtail_hooks.py mounts their two views.
image_chooser_viewset = ImageChooserViewSet(
    image_chooser.viewset.name, model=get_image_model(), url_prefix=image_chooser.viewset.url_prefix
)
document_chooser_viewset = DocumentChooserViewSet(
    document_chooser.viewset.name, model=get_document_model(), url_prefix=document_chooser.viewset.url_prefix
)
