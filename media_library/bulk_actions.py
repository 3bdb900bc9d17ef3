"""Wagtail's "Add to collection" bulk action for images and documents (it moves them), with the same rule as the edit
forms: moving files out of a members-only collection needs an explicit confirmation and each file moved is logged
with the user (media_library/forms.py). wagtail_hooks.py registers these after Wagtail's, replacing them."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.documents.views.bulk_actions.add_to_collection import (
    AddToCollectionBulkAction as DocumentsAddToCollection,
)
from wagtail.images.views.bulk_actions.add_to_collection import AddToCollectionBulkAction as ImagesAddToCollection
from wagtail.permissions import policy_registry

from media_library.audience import COLLECTION_HELP, audience_label, is_restricted, upload_collections
from media_library.forms import CONFIRM_LABEL, CONFIRM_REQUIRED, LEAVING_MEMBERS_ONLY, log_left_members_only


class MoveToCollectionForm(forms.Form):
    def __init__(self, *args, user=None, model=None, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        collections = policy_registry.get_by_type(model).collections_user_has_permission_for(user, "add")
        field = forms.ModelChoiceField(
            label="Move to", queryset=upload_collections(collections), help_text=COLLECTION_HELP, empty_label=None
        )
        field.label_from_instance = audience_label
        self.fields["collection"] = field
        self.members_only_items = [item for item in items if is_restricted(item.collection)]
        if self.members_only_items:
            names = ", ".join(sorted({item.collection.name for item in self.members_only_items}))
            self.fields["confirm_public"] = forms.BooleanField(
                label=CONFIRM_LABEL,
                required=False,
                help_text=f"Only if you move files out of {names}: {LEAVING_MEMBERS_ONLY}",
            )

    def clean(self):
        cleaned_data = super().clean()
        new = cleaned_data.get("collection")
        leaving = new is not None and self.members_only_items and not is_restricted(new)
        if leaving and not cleaned_data.get("confirm_public"):
            raise ValidationError(CONFIRM_REQUIRED, code="confirm_public")
        return cleaned_data


class MoveWithConfirmationMixin:
    form_class = MoveToCollectionForm

    def get_form_kwargs(self):
        items, _ = self.get_actionable_objects()
        return {**super().get_form_kwargs(), "model": self.model, "items": items}

    def get_execution_context(self):
        return {**super().get_execution_context(), "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, collection=None, user=None, **kwargs):
        if collection is None:
            return None
        leaving = [] if is_restricted(collection) else [item for item in objects if is_restricted(item.collection)]
        with transaction.atomic():
            result = super().execute_action(objects, collection=collection, **kwargs)
            for item in leaving:
                old = item.collection
                item.collection = collection
                log_left_members_only(item, user=user, old=old, new=collection)
        return result


class MoveImagesToCollection(MoveWithConfirmationMixin, ImagesAddToCollection):
    pass


class MoveDocumentsToCollection(MoveWithConfirmationMixin, DocumentsAddToCollection):
    pass
