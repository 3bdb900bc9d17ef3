"""Uploads that cannot go wrong (docs/editors.md "Uploading images and documents"), through the admin's real views as
the Editors group: images saved at once and flagged until they have alt text, the collection offered as an audience
(Public by default, Members only from a members-only page's chooser), forged collections refused, and moving a file
out of Members only refused without confirmation and logged with it, on the edit forms and the bulk action."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    ModelLogEntry,
    PageViewRestriction,
    UploadedFile,
)

from media_library.audience import MEMBERS_AUDIENCE, PUBLIC_AUDIENCE
from media_library.factories import DocumentFactory, ImageFactory
from media_library.forms import LEFT_MEMBERS_ONLY
from media_library.models import CustomDocument, CustomImage
from media_library.pdf import make_pdf
from media_library.views import NOT_UPLOADED
from pages.access import MEMBERS_GROUP, visible_images
from pages.editorial import EDITORS, ensure_editorial_setup
from pages.factories import ProgramPageFactory

pytestmark = pytest.mark.django_db

PDF = make_pdf("CIT coordinator's checklist", ["Before the first class."])
PUBLIC_LABEL = f"Public: {PUBLIC_AUDIENCE}"
MEMBERS_LABEL = f"Members only: {MEMBERS_AUDIENCE}"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def collections(wagtail_tree):
    root = Collection.get_first_root_node()
    public = root.add_child(name="Public")
    private = root.add_child(name="Members only")
    restriction = CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    return {"root": root, "public": public, "private": private}


@pytest.fixture
def editor(client, users, collections):
    client.force_login(users[EDITORS])
    return users[EDITORS]


def upload_image(client, collection, name="class.jpg"):
    data = {"files[]": SimpleUploadedFile(name, jpeg()), "title": "CIT class"}
    if collection is not None:
        data["collection"] = str(collection)
    return client.post(reverse("wagtailimages:add_multiple"), data).json()


def update_uploaded_image(client, image_id, collection, alt_text):
    """The multiple-upload screen's Update button for one image."""
    prefix = f"image-{image_id}"
    fields = {f"{prefix}-title": "CIT class", f"{prefix}-collection": collection, f"{prefix}-description": alt_text}
    return client.post(reverse("wagtailimages:edit_multiple", args=[image_id]), fields).json()


def upload_document(client, collection, name="checklist.pdf"):
    data = {"files[]": SimpleUploadedFile(name, PDF), "title": "Checklist"}
    if collection is not None:
        data["collection"] = str(collection)
    return client.post(reverse("wagtaildocs:add_multiple"), data).json()


def in_chooser(client, image_id) -> bool:
    html = client.get(reverse("wagtailimages_chooser:choose")).json()["html"]
    return reverse("wagtailimages_chooser:chosen", args=[image_id]) in html


# --- images: saved at once, flagged until they have alt text ---------------------------------------------------


def test_image_without_alt_text_is_saved_flagged_and_shown_nowhere(client, editor, collections):
    answer = upload_image(client, collections["public"].pk)

    assert answer["success"] is True and "uploaded_file_id" not in answer
    image = CustomImage.objects.get(pk=answer["image_id"])
    assert (image.description, image.collection, image.uploaded_by_user) == ("", collections["public"], editor)
    assert "data-alt-text-missing" in answer["form"]
    assert "Saved, but not shown anywhere yet: add alt text." in answer["form"]
    assert not UploadedFile.objects.exists()
    # Not on any channel, not in the chooser.
    assert not visible_images(user=None).filter(pk=image.pk).exists()
    assert not in_chooser(client, image.pk)


def test_update_without_alt_text_is_refused_in_plain_words_and_keeps_the_warning(client, editor, collections):
    image_id = upload_image(client, collections["public"].pk)["image_id"]
    answer = update_uploaded_image(client, image_id, collections["public"].pk, " ")

    assert answer["success"] is False
    assert "Add alt text: describe the image for people using screen readers." in answer["form"]
    assert "data-alt-text-missing" in answer["form"]
    assert CustomImage.objects.get(pk=image_id).description == ""


def test_alt_text_given_on_update_makes_the_image_usable(client, editor, collections):
    image_id = upload_image(client, collections["public"].pk)["image_id"]
    answer = update_uploaded_image(client, image_id, collections["public"].pk, "Officers in a CIT training class")

    assert answer == {"success": True, "image_id": image_id}
    assert visible_images(user=None).filter(pk=image_id).exists()
    assert in_chooser(client, image_id)


def test_the_image_edit_page_still_requires_alt_text_and_says_it_is_missing(client, editor, collections):
    image = ImageFactory(collection=collections["public"], description="")
    url = reverse("wagtailimages:edit", args=[image.pk])
    assert "Missing. Add alt text" in client.get(url).content.decode()

    response = client.post(url, {"title": "Renamed", "collection": collections["public"].pk, "description": ""})

    assert response.status_code == 200
    assert "Add alt text: describe the image" in response.content.decode()
    image.refresh_from_db()
    assert image.title != "Renamed"


# --- the collection, as an audience -----------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["wagtailimages:add_multiple", "wagtaildocs:add_multiple"])
def test_upload_screens_offer_the_audiences_public_first_never_the_root(client, editor, collections, url_name):
    html = client.get(reverse(url_name)).content.decode()

    assert PUBLIC_LABEL in html and MEMBERS_LABEL in html
    assert ">\n                                Root" not in html and "Root</option>" not in html
    assert f'<option value="{collections["public"].pk}" selected' in html
    assert "Members only: signed-in members of the Community of Practice." in html  # the explanation


@pytest.mark.parametrize(
    "forged", ["root", "none", "999999", "not-a-number", "1 OR 1=1"], ids=lambda value: value.replace(" ", "_")
)
def test_a_forged_or_missing_collection_is_refused_and_nothing_is_kept(client, editor, collections, forged):
    collection = {"root": collections["root"].pk, "none": None}.get(forged, forged)

    for answer in (upload_image(client, collection), upload_document(client, collection)):
        assert answer["success"] is False
        assert answer["error_message"].startswith("Who can see this file: ")

    assert not CustomImage.objects.exists() and not CustomDocument.objects.exists()
    assert not UploadedFile.objects.exists()


def test_a_collection_the_user_may_not_add_to_is_refused(client, collections, django_user_model):
    """A group allowed to add only to Public cannot put a file in Members only by forging its id."""
    group = Group.objects.create(name="Public uploaders")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for editors_permission in GroupCollectionPermission.objects.filter(group__name=EDITORS):
        GroupCollectionPermission.objects.create(
            group=group, collection=collections["public"], permission=editors_permission.permission
        )
    user = django_user_model.objects.create_user("uploader", password="x")
    user.groups.add(group)
    client.force_login(user)

    upload_image(client, collections["private"].pk)
    upload_document(client, collections["private"].pk)

    # With one collection allowed Wagtail offers no choice and files go there, whatever was posted.
    assert not CustomImage.objects.filter(collection=collections["private"]).exists()
    assert not CustomDocument.objects.filter(collection=collections["private"]).exists()
    assert CustomDocument.objects.get().collection == collections["public"]


def test_members_only_upload_lands_in_members_only(client, editor, collections):
    answer = upload_document(client, collections["private"].pk)

    assert answer["success"] is True
    assert CustomDocument.objects.get(pk=answer["doc_id"]).collection == collections["private"]


@pytest.mark.parametrize("url_name", ["wagtailimages_chooser:choose", "wagtaildocs_chooser:choose"])
def test_chooser_defaults_to_the_audience_of_the_page_being_edited(client, editor, collections, home_page, url_name):
    public_page = ProgramPageFactory(parent=home_page, title="Public program")
    members_page = ProgramPageFactory(parent=home_page, title="Members program")
    restriction = PageViewRestriction.objects.create(page=members_page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])

    def selected(referer: str | None) -> int:
        headers = {"HTTP_REFERER": referer} if referer else {}
        html = client.get(reverse(url_name), **headers).json()["html"]
        for collection in (collections["public"], collections["private"]):
            if f'<option value="{collection.pk}" selected>' in html:
                return collection.pk
        raise AssertionError("no collection selected")

    edit = "http://testserver" + reverse("wagtailadmin_pages:edit", args=[members_page.pk])
    child = "http://testserver" + reverse("wagtailadmin_pages:add", args=["pages", "programpage", members_page.pk])
    assert selected(edit) == collections["private"].pk
    assert selected(child) == collections["private"].pk  # a new page below a members-only page
    assert selected(edit.replace("testserver", "evil.example")) == collections["public"].pk
    assert selected("http://testserver" + reverse("wagtailadmin_pages:edit", args=[public_page.pk])) == (
        collections["public"].pk
    )
    assert selected(None) == collections["public"].pk
    assert selected("not a url \x00") == collections["public"].pk


def test_chooser_upload_without_alt_text_says_nothing_was_uploaded(client, editor, collections):
    response = client.post(
        reverse("wagtailimages_chooser:create"),
        {
            "image-chooser-upload-title": "CIT class",
            "image-chooser-upload-file": SimpleUploadedFile("class.jpg", jpeg()),
            "image-chooser-upload-collection": collections["public"].pk,
            "image-chooser-upload-description": "",
        },
    )

    html = response.json()["htmlFragment"]
    assert NOT_UPLOADED in html and "Add alt text" in html
    assert not CustomImage.objects.exists() and not UploadedFile.objects.exists()


def test_chooser_upload_with_alt_text_is_saved_in_the_chosen_collection(client, editor, collections):
    response = client.post(
        reverse("wagtailimages_chooser:create"),
        {
            "image-chooser-upload-title": "CIT class",
            "image-chooser-upload-file": SimpleUploadedFile("class.jpg", jpeg()),
            "image-chooser-upload-collection": collections["private"].pk,
            "image-chooser-upload-description": "Officers in a CIT training class",
        },
    )

    assert response.json()["step"] == "chosen"
    image = CustomImage.objects.get()
    assert (image.collection, image.description) == (collections["private"], "Officers in a CIT training class")


# --- moving out of Members only ---------------------------------------------------------------------------------


def edit_document(client, document, collection, **extra):
    return client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {"title": document.title, "collection": collection.pk, "description": "", **extra},
    )


def left_members_only():
    return ModelLogEntry.objects.filter(action=LEFT_MEMBERS_ONLY)


def test_moving_a_document_to_public_without_confirmation_is_refused(client, editor, collections):
    document = DocumentFactory(collection=collections["private"])

    for confirm in ({}, {"confirm_public": ""}, {"confirm_public": "false"}):
        response = edit_document(client, document, collections["public"], **confirm)
        assert response.status_code == 200
        assert "This file will become visible to anyone, including partner sites." in response.content.decode()

    document.refresh_from_db()
    assert document.collection == collections["private"]
    assert not left_members_only().exists()


def test_moving_a_document_to_public_with_confirmation_is_logged_with_the_user(
    client, editor, collections, django_user_model
):
    document = DocumentFactory(collection=collections["private"])

    response = edit_document(client, document, collections["public"], confirm_public="on")

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.collection == collections["public"]
    entry = left_members_only().get()
    assert (entry.user, entry.object_id, entry.data) == (
        editor,
        str(document.pk),
        {"from_collection": "Members only", "to_collection": "Public"},
    )
    client.force_login(django_user_model.objects.create_superuser("auditor", password="x"))
    assert "Moved out of Members only" in client.get(reverse("wagtailadmin_reports:site_history")).content.decode()


def test_other_moves_need_no_confirmation(client, editor, collections):
    public = DocumentFactory(collection=collections["public"])
    private = DocumentFactory(collection=collections["private"])

    assert edit_document(client, public, collections["private"]).status_code == 302
    assert edit_document(client, private, collections["private"]).status_code == 302  # stays: a plain edit
    assert not left_members_only().exists()


def test_moving_an_image_out_of_members_only_in_the_upload_list_needs_confirmation(client, editor, collections):
    image = ImageFactory(collection=collections["private"])
    prefix = f"image-{image.pk}"
    data = {f"{prefix}-title": "T", f"{prefix}-collection": collections["public"].pk, f"{prefix}-description": "A"}
    url = reverse("wagtailimages:edit_multiple", args=[image.pk])

    assert client.post(url, data).json()["success"] is False
    image.refresh_from_db()
    assert image.collection == collections["private"]

    assert client.post(url, {**data, f"{prefix}-confirm_public": "on"}).json()["success"] is True
    image.refresh_from_db()
    assert image.collection == collections["public"]
    assert left_members_only().get().user == editor


@pytest.mark.parametrize(
    ("factory", "model_name"), [(DocumentFactory, "customdocument"), (ImageFactory, "customimage")]
)
def test_bulk_move_out_of_members_only_needs_confirmation_and_is_logged(
    client, editor, collections, factory, model_name
):
    private = [factory(collection=collections["private"]) for _ in range(2)]
    public = factory(collection=collections["public"])
    ids = "&".join(f"id={item.pk}" for item in [*private, public])
    url = reverse("wagtail_bulk_action", args=["media_library", model_name, "add_to_collection"]) + f"?{ids}&next=/"

    page = client.get(url).content.decode()
    assert "Yes, make it visible to anyone" in page and PUBLIC_LABEL in page

    refused = client.post(url, {"collection": collections["public"].pk})
    assert refused.status_code == 200
    assert "This file will become visible to anyone" in refused.content.decode()
    assert {item.collection for item in type(public).objects.filter(pk__in=[p.pk for p in private])} == {
        collections["private"]
    }
    assert client.post(url, {"collection": collections["root"].pk, "confirm_public": "on"}).status_code == 200

    moved = client.post(url, {"collection": collections["public"].pk, "confirm_public": "on"})
    assert moved.status_code == 302
    assert set(type(public).objects.values_list("collection", flat=True)) == {collections["public"].pk}
    entries = left_members_only().order_by("object_id")
    assert [(entry.object_id, entry.user) for entry in entries] == sorted((str(item.pk), editor) for item in private)


def test_bulk_move_into_members_only_needs_no_confirmation(client, editor, collections):
    documents = [DocumentFactory(collection=collections["public"]) for _ in range(2)]
    ids = "&".join(f"id={item.pk}" for item in documents)
    url = reverse("wagtail_bulk_action", args=["media_library", "customdocument", "add_to_collection"]) + f"?{ids}"

    assert client.post(url, {"collection": collections["private"].pk}).status_code == 302
    assert set(CustomDocument.objects.values_list("collection", flat=True)) == {collections["private"].pk}
    assert not left_members_only().exists()


def test_editors_can_upload_when_only_the_editorial_setup_granted_permissions(client, editor, collections):
    """Wagtail's data migration grants Editors its own image/document permissions; a database without those rows
    (a flushed test database) relies on pages.editorial, which grants what the collection policies check."""
    GroupCollectionPermission.objects.all().delete()
    ensure_editorial_setup()

    assert upload_image(client, collections["public"].pk)["success"] is True
    assert upload_document(client, collections["private"].pk)["success"] is True
