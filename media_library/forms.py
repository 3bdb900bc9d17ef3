"""The admin's upload forms (single, multiple and replace-file) for documents and images, via Wagtail's
WAGTAILDOCS_DOCUMENT_FORM_BASE / WAGTAILIMAGES_IMAGE_FORM_BASE: every new file is named safely and checked by
content before anything is stored.

They also carry the upload rules an editor without training needs (docs/editors.md, "Uploading images and
documents"): the collection is a choice of audience ("Public: anyone, including partner sites" / "Members only:
..."), never the bare root; and moving a file out of a members-only collection needs an explicit confirmation and is
recorded in Wagtail's log (Reports → Site history) with the user.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm
from wagtail.log_actions import log
from wagtail.models import Collection

from media_library.audience import (
    COLLECTION_HELP,
    COLLECTION_LABEL,
    LEAVING_MEMBERS_ONLY,
    audience_label,
    default_collection,
    is_restricted,
    upload_collections,
)
from media_library.files import read_head, safe_filename
from media_library.validation import run_virus_scanner, validate_document_upload

LEFT_MEMBERS_ONLY = "media_library.left_members_only"
CONFIRM_LABEL = "Yes, make it visible to anyone"
CONFIRM_REQUIRED = f"{LEAVING_MEMBERS_ONLY} Tick “{CONFIRM_LABEL}” to move it."
ALT_TEXT_REQUIRED = (
    "Add alt text: describe the image for people using screen readers. The image is not shown on any page or "
    "partner site until it has alt text."
)


def _new_upload(form) -> UploadedFile | None:
    upload = form.cleaned_data.get("file")
    if not isinstance(upload, UploadedFile):  # unchanged file on an edit form
        return None
    # The browser's name is untrusted (traversal, NUL, control characters, any length); upload_to sanitises the
    # stored key again, this makes the checks and messages below use the same name.
    upload.name = safe_filename(upload.name or "")
    return upload


def log_left_members_only(item, *, user, old: Collection, new: Collection) -> None:
    log(
        instance=item,
        action=LEFT_MEMBERS_ONLY,
        user=user,
        data={"from_collection": old.name, "to_collection": new.name},
    )


class AudienceFormMixin:
    """The collection field as a choice of audience, and the confirmation for leaving a members-only collection.

    Extra keyword arguments: `members_only` (bool) makes the members-only collection the default of a new file
    (a chooser opened on a members-only page).
    """

    def __init__(self, *args, members_only: bool = False, **kwargs):
        self.user = kwargs.get("user")
        super().__init__(*args, **kwargs)
        self.old_collection = self.instance.collection if self.instance.pk else None
        if "collection" in self.fields:
            # Code that is not the admin (media_upload, without a user) may still choose any collection.
            collections = upload_collections(self.collections) if self.user is not None else self.collections
            if self.instance.pk:  # an existing file keeps its place among the choices (even the root)
                collections = collections | Collection.objects.filter(pk=self.instance.collection_id)
            self.collections = collections.order_by("path")
            field = self.fields["collection"]
            field.queryset = self.collections
            field.label_from_instance = audience_label
            field.label = COLLECTION_LABEL
            field.help_text = COLLECTION_HELP
            field.empty_label = None
            if not self.instance.pk and "collection" not in self.initial:
                default = default_collection(self.collections, members_only=members_only)
                self.initial["collection"] = default.pk if default else None
        if "collection" in self.fields and is_restricted(self.old_collection):
            confirm = forms.BooleanField(
                label=CONFIRM_LABEL,
                required=False,
                help_text=f"Only if you move it out of {self.old_collection.name}: {LEAVING_MEMBERS_ONLY}",
            )
            # Right below the collection it confirms.
            fields = list(self.fields.items())
            at = [name for name, _ in fields].index("collection") + 1
            self.fields = dict([*fields[:at], ("confirm_public", confirm), *fields[at:]])

    def leaves_members_only(self) -> bool:
        new = self.cleaned_data.get("collection")
        return bool(new and is_restricted(self.old_collection) and not is_restricted(new))

    def clean(self):
        cleaned_data = super().clean()
        if self.leaves_members_only() and not cleaned_data.get("confirm_public"):
            self.add_error("collection", ValidationError(CONFIRM_REQUIRED, code="confirm_public"))
        return cleaned_data

    def save(self, commit=True):
        leaving = self.old_collection is not None and self.is_bound and self.leaves_members_only()
        with transaction.atomic():
            instance = super().save(commit=commit) or self.instance  # Wagtail's image form returns nothing
            if leaving and commit:
                log_left_members_only(instance, user=self.user, old=self.old_collection, new=instance.collection)
        return instance


class DocumentForm(AudienceFormMixin, BaseDocumentForm):
    def clean_file(self):
        upload = _new_upload(self)
        if upload is not None:
            validate_document_upload(upload, upload.name)
        return self.cleaned_data["file"]


class ImageForm(AudienceFormMixin, BaseImageForm):
    """Wagtail's image field already sniffs the format, limits bytes and pixels (decompression bombs) from the
    header alone; we add the safe name, the empty-file message and the virus-scan hook.

    Alt text is required here, except for the first step of the multiple upload (`alt_text_later=True`), which saves
    the file at once and asks for alt text next to it (media_library/views.py).
    """

    def __init__(self, *args, alt_text_later: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        description = self.fields.get("description")
        if description is not None:
            description.required = not alt_text_later
            description.error_messages["required"] = ALT_TEXT_REQUIRED
            if self.instance.pk and not self.instance.description.strip():
                description.help_text = f"Missing. {ALT_TEXT_REQUIRED}"

    def clean_file(self):
        upload = _new_upload(self)
        if upload is not None:
            if not upload.size or not read_head(upload, 1):
                raise ValidationError("The file is empty.", code="empty")
            run_virus_scanner(upload, upload.name)
        return self.cleaned_data["file"]
