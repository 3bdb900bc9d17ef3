"""The admin's upload forms (single, multiple and replace-file) for documents and images, via Wagtail's
WAGTAILDOCS_DOCUMENT_FORM_BASE / WAGTAILIMAGES_IMAGE_FORM_BASE: every new file is named safely and checked by
content before anything is stored."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from media_library.files import read_head, safe_filename
from media_library.validation import run_virus_scanner, validate_document_upload


def _new_upload(form) -> UploadedFile | None:
    upload = form.cleaned_data.get("file")
    if not isinstance(upload, UploadedFile):  # unchanged file on an edit form
        return None
    # The browser's name is untrusted (traversal, NUL, control characters, any length); upload_to sanitises the
    # stored key again, this makes the checks and messages below use the same name.
    upload.name = safe_filename(upload.name or "")
    return upload


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = _new_upload(self)
        if upload is not None:
            validate_document_upload(upload, upload.name)
        return self.cleaned_data["file"]


class ImageForm(BaseImageForm):
    """Wagtail's image field already sniffs the format, limits bytes and pixels (decompression bombs) from the
    header alone; we add the safe name, the empty-file message and the virus-scan hook."""

    def clean_file(self):
        upload = _new_upload(self)
        if upload is not None:
            if not upload.size or not read_head(upload, 1):
                raise ValidationError("The file is empty.", code="empty")
            run_virus_scanner(upload, upload.name)
        return self.cleaned_data["file"]
