"""Writes for media: adding a document or image the way the admin's upload does, for code that is not a browser
(seed_demo, scripts).

Wagtail's upload views validate with the document/image form (our content checks, via WAGTAILDOCS_DOCUMENT_FORM_BASE
and WAGTAILIMAGES_IMAGE_FORM_BASE) and its save() records what the file is (size, SHA-1; for documents our sniffed
type, SHA-256 and page count). Going through the same form gives the same checks and the same fields.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents.forms import get_document_form
from wagtail.images.forms import get_image_form

from media_library.models import CustomDocument, CustomImage

UPLOAD_FORMS = {CustomDocument: get_document_form, CustomImage: get_image_form}


def media_upload(model, *, filename: str, content: bytes, collection, user=None, instance=None, **fields):
    """A new CustomDocument or CustomImage from `content`, checked and measured by the admin's upload form;
    `fields` are that form's other fields (title, description...). Refused files raise ValidationError.

    With `instance` (an existing one), its file is replaced instead, as the admin's edit form does: same checks,
    metadata measured again, the old file deleted from storage, references to the document unchanged."""
    form = UPLOAD_FORMS[model](model)(
        data={**fields, "collection": collection.pk},
        files={"file": SimpleUploadedFile(filename, content)},
        instance=instance or model(collection=collection, uploaded_by_user=user),
        user=user,
    )
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form.save()
