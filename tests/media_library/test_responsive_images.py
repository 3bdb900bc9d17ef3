"""Responsive images in the partner API: `Image.srcSet` / `Image.renditions` within the width allow-list, the
per-request rendition budget, formats, focal-point crops, constant query counts, and card images and photos
through the privacy rule."""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from events.factories import TrainingEventPageFactory
from integrations.graphql.services import api_token_create
from media_library.factories import ImageFactory, PublicationPageFactory, RecordingPageFactory
from media_library.models import CustomRendition
from pages.editorial import PARTNERS
from pages.factories import PersonFactory
from tests.integrations.graphql.helpers import data, error_messages, run, user_in

pytestmark = pytest.mark.django_db

EVENT_SRCSET = """
query ($widths: [Int!]!, $format: ImageFormat, $crop: ImageCrop) {
  event(slug: "card") { cardImage { srcSet(widths: $widths, format: $format, crop: $crop) } }
}
"""
EVENT_RENDITIONS = """
query ($widths: [Int!]!, $format: ImageFormat, $crop: ImageCrop) {
  event(slug: "card") {
    cardImage { width height alt renditions(widths: $widths, format: $format, crop: $crop) { url width height alt } }
  }
}
"""
EVENTS_SRCSET = """
query ($perPage: Int) {
  events(perPage: $perPage) {
    items { title cardImage { alt width height srcSet(widths: [320, 480], format: WEBP, crop: RATIO_4_3)
                              renditions(widths: [320, 480], format: WEBP, crop: RATIO_4_3) { url width alt } }
            facilitators { name photo { alt srcSet(widths: [320], crop: RATIO_1_1) } } }
  }
}
"""


def picture(width: int, height: int):
    return ImageFactory(file__width=width, file__height=height)


def rendition_file(url: str) -> PILImage.Image:
    rendition = CustomRendition.objects.get(file__endswith=url.rsplit("/", 1)[-1])
    with rendition.file.open("rb") as handle:
        image = PILImage.open(io.BytesIO(handle.read()))
        image.load()
    return image


@pytest.fixture
def card_event(event_index):
    image = picture(1600, 900)
    return TrainingEventPageFactory(parent=event_index, slug="card", card_image=image)


# --- what comes back ------------------------------------------------------------------------------------------


def test_srcset_lists_one_url_per_width_with_its_real_width(card_event):
    srcset = data(EVENT_SRCSET, widths=[800, 320, 320])["event"]["cardImage"]["srcSet"]
    candidates = [candidate.split(" ") for candidate in srcset.split(", ")]
    assert [descriptor for _url, descriptor in candidates] == ["320w", "800w"]
    assert all(url.startswith("https://cms.example.org/media/images/") for url, _descriptor in candidates)
    assert CustomRendition.objects.filter(image=card_event.card_image).count() == 2


def test_renditions_carry_width_height_and_alt(card_event):
    image = data(EVENT_RENDITIONS, widths=[320, 800], crop="RATIO_16_9")["event"]["cardImage"]
    assert (image["width"], image["height"], image["alt"]) == (1600, 900, card_event.card_image.description)
    assert [(r["width"], r["height"]) for r in image["renditions"]] == [(320, 180), (800, 450)]
    assert {r["alt"] for r in image["renditions"]} == {card_event.card_image.description}
    for rendition in image["renditions"]:
        assert rendition_file(rendition["url"]).size == (rendition["width"], rendition["height"])


def test_widths_beyond_the_image_collapse_into_its_full_size(event_index):
    TrainingEventPageFactory(parent=event_index, slug="card", card_image=picture(1000, 500))
    renditions = data(EVENT_RENDITIONS, widths=[800, 1024, 1280, 1600])["event"]["cardImage"]["renditions"]
    assert [(r["width"], r["height"]) for r in renditions] == [(800, 400), (1000, 500)]  # never upscaled
    square = data(EVENT_RENDITIONS, widths=[320, 640, 800], crop="RATIO_1_1")["event"]["cardImage"]["renditions"]
    assert [(r["width"], r["height"]) for r in square] == [(320, 320), (500, 500)]


@pytest.mark.parametrize(
    ("image_format", "pillow_format", "extension"),
    [("JPEG", "JPEG", ".jpg"), ("PNG", "PNG", ".png"), ("WEBP", "WEBP", ".webp"), ("AVIF", "AVIF", ".avif")],
)
def test_each_format_is_served_in_that_format(card_event, image_format, pillow_format, extension):
    rendition = data(EVENT_RENDITIONS, widths=[320], format=image_format)["event"]["cardImage"]["renditions"][0]
    assert rendition["url"].endswith(extension)
    assert rendition_file(rendition["url"]).format == pillow_format


def test_the_focal_point_decides_the_crop(event_index):
    """Left half red, right half blue: a square crop around a focal point on the left is red, on the right blue."""
    drawing = PILImage.new("RGB", (1600, 900), (255, 0, 0))
    drawing.paste((0, 0, 255), (800, 0, 1600, 900))
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG")
    image = ImageFactory(file__from_file=io.BytesIO(buffer.getvalue()), file__filename="halves.png")
    image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height = 200, 450, 100, 100
    image.save()
    TrainingEventPageFactory(parent=event_index, slug="card", card_image=image)
    query = EVENT_RENDITIONS

    left = data(query, widths=[320], crop="RATIO_1_1", format="PNG")["event"]["cardImage"]["renditions"][0]
    image.focal_point_x = 1400
    image.save()
    right = data(query, widths=[320], crop="RATIO_1_1", format="PNG")["event"]["cardImage"]["renditions"][0]

    assert left["url"] != right["url"]
    assert rendition_file(left["url"]).getpixel((160, 160))[:3] == (255, 0, 0)
    assert rendition_file(right["url"]).getpixel((160, 160))[:3] == (0, 0, 255)


# --- the allow-list and hostile input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("widths", "message"),
    [
        ([333], "Width 333 is not allowed. Use any of: 320, 480, 640, 800, 1024, 1280, 1600, 1920."),
        ([0], "Width 0 is not allowed."),
        ([-320], "Width -320 is not allowed."),
        ([100000], "Width 100000 is not allowed."),
        ([320, 100000], "Width 100000 is not allowed."),
        ([320] * 500, "Give at most 8 widths"),
        ([], "Give at least one width."),
    ],
)
def test_widths_outside_the_allow_list_are_refused_and_nothing_is_made(card_event, widths, message):
    for query in (EVENT_SRCSET, EVENT_RENDITIONS):
        result = run(query, widths=widths)
        assert message in " ".join(error.message for error in result.errors)
        assert result.data["event"]["cardImage"] is not None  # the error stays on its field
    assert not CustomRendition.objects.exists()


def test_the_allow_list_comes_from_settings(card_event, settings):
    settings.GRAPHQL_IMAGE_WIDTHS = [300, 600]
    assert "Width 320 is not allowed. Use any of: 300, 600." in error_messages(EVENT_SRCSET, widths=[320])
    assert data(EVENT_SRCSET, widths=[300])["event"]["cardImage"]["srcSet"].endswith(" 300w")


@pytest.fixture
def fresh_rate_limits():
    cache.clear()


def post(client, query: str, **variables):
    body = json.dumps({"query": query, "variables": variables})
    response = client.post("/graphql/", body, content_type="application/json")
    assert response.status_code != 500
    assert "Traceback" not in response.content.decode()
    return response


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("widths: [320], format: GIF", "Value 'GIF' does not exist in 'ImageFormat' enum."),
        ('widths: [320], format: "jpeg"', "Enum 'ImageFormat' cannot represent non-enum value: \"jpeg\"."),
        ("widths: [320], crop: RATIO_21_9", "Value 'RATIO_21_9' does not exist in 'ImageCrop' enum."),
        ("widths: [99999999999]", "Int cannot represent non 32-bit signed integer value: 99999999999"),
        ('widths: ["wide"]', 'Int cannot represent non-integer value: "wide"'),
        ("widths: null", "Expected value of type '[Int!]!', found null."),
        ("format: WEBP", "argument 'widths' of type '[Int!]!' is required, but it was not provided."),
    ],
)
def test_malformed_arguments_are_clear_errors_over_http(client, card_event, fresh_rate_limits, arguments, message):
    response = post(client, f'{{ event(slug: "card") {{ cardImage {{ srcSet({arguments}) }} }} }}')
    assert response.status_code == 400
    assert message in " | ".join(error["message"] for error in response.json()["errors"])
    assert not CustomRendition.objects.exists()


def test_unknown_format_in_variables_is_a_clear_error_over_http(client, card_event, fresh_rate_limits):
    response = post(client, EVENT_SRCSET, widths=[320], format="TIFF")
    assert response.status_code == 400
    assert "Value 'TIFF' does not exist in 'ImageFormat' enum." in response.json()["errors"][0]["message"]


# --- the budget -----------------------------------------------------------------------------------------------

THREE_CARDS = """
{ events(order: "title") { items { slug cardImage { srcSet(widths: [320, 480]) } } } }
"""


@pytest.fixture
def three_cards(event_index):
    return [
        TrainingEventPageFactory(parent=event_index, slug=f"card-{n}", title=f"Card {n}", card_image=picture(800, 450))
        for n in range(3)
    ]


def test_the_budget_counts_new_renditions_across_every_image_of_a_request(three_cards, settings):
    settings.GRAPHQL_RENDITION_BUDGET = 5
    result = run(THREE_CARDS)
    items = result.data["events"]["items"]
    assert [item["cardImage"]["srcSet"] is not None for item in items] == [True, True, False]
    [error] = result.errors
    assert error.path == ["events", "items", 2, "cardImage", "srcSet"]
    assert error.message == (
        "This request may generate at most 5 new image renditions and has 1 left; this field needs 2. Ask for fewer "
        "widths, formats or images, or send the query again: renditions that already exist cost nothing."
    )
    assert CustomRendition.objects.count() == 4  # the refused field made nothing

    # The next request starts a new budget, and what exists is free: the third image gets its two.
    again = run(THREE_CARDS)
    assert again.errors is None
    assert all(item["cardImage"]["srcSet"] for item in again.data["events"]["items"])
    assert CustomRendition.objects.count() == 6


def test_the_single_rendition_field_shares_the_budget(three_cards, settings):
    settings.GRAPHQL_RENDITION_BUDGET = 1
    query = '{ events { items { cardImage { rendition(spec: "width-400") { width } } } } }'
    result = run(query)
    assert len(result.errors) == 2 and "at most 1 new image renditions" in result.errors[0].message
    assert CustomRendition.objects.count() == 1


def test_existing_renditions_are_free(three_cards, settings):
    for event in three_cards:
        event.card_image.get_renditions("width-320|format-jpeg", "width-480|format-jpeg")
    settings.GRAPHQL_RENDITION_BUDGET = 0
    assert all(item["cardImage"]["srcSet"] for item in data(THREE_CARDS)["events"]["items"])
    assert CustomRendition.objects.count() == 6
    [refused] = error_messages(EVENT_SRCSET.replace('"card"', '"card-0"'), widths=[640])
    assert "may generate at most 0 new image renditions" in refused


# --- query counts ---------------------------------------------------------------------------------------------


def test_a_list_of_events_with_images_and_srcsets_runs_a_constant_number_of_queries(event_index):
    for n in range(20):
        facilitator = PersonFactory(photo=picture(400, 400))
        event = TrainingEventPageFactory(parent=event_index, slug=f"e{n}", card_image=picture(640, 480))
        event.facilitators.set([facilitator])
        event.save()

    def count(per_page: int) -> int:
        run(EVENTS_SRCSET, perPage=per_page)  # the first request makes the renditions
        with CaptureQueriesContext(connection) as queries:
            result = data(EVENTS_SRCSET, perPage=per_page)
        assert len(result["events"]["items"]) == per_page
        assert all(item["cardImage"]["srcSet"].count("w, ") == 1 for item in result["events"]["items"])
        return len(queries)

    assert count(5) == count(20)


# --- privacy --------------------------------------------------------------------------------------------------

PRIVATE_PICTURES = """
{
  event(slug: "open") { cardImage { alt srcSet(widths: [320]) } facilitators { photo { alt } } }
  publication(slug: "open") { cardImage { alt } }
  recording(slug: "open") { cardImage { alt } presenters { photo { alt } } }
}
"""


@pytest.fixture
def public_pages_with_private_pictures(event_index, publication_index, recording_index, members_collection):
    def private():
        return ImageFactory(collection=members_collection, file__width=640, file__height=360)

    person = PersonFactory(photo=private())
    event = TrainingEventPageFactory(parent=event_index, slug="open", card_image=private())
    event.facilitators.set([person])
    event.save()
    PublicationPageFactory(parent=publication_index, slug="open", card_image=private())
    recording = RecordingPageFactory(parent=recording_index, slug="open", card_image=private())
    recording.presenters.set([person])
    recording.save()


def test_private_card_images_and_photos_are_null_for_anonymous_callers(public_pages_with_private_pictures):
    found = data(PRIVATE_PICTURES)
    assert found["event"] == {"cardImage": None, "facilitators": [{"photo": None}]}
    assert found["publication"] == {"cardImage": None}
    assert found["recording"] == {"cardImage": None, "presenters": [{"photo": None}]}
    assert not CustomRendition.objects.exists()


def test_private_card_images_and_photos_are_null_for_partners(client, public_pages_with_private_pictures):
    partner = user_in(PARTNERS, "partner-site")
    assert data(PRIVATE_PICTURES, user=partner)["event"]["cardImage"] is None
    _, token = api_token_create(user=partner, name="agency site")
    cache.clear()
    body = json.dumps({"query": PRIVATE_PICTURES})
    found = client.post(
        "/graphql/", body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    ).json()["data"]
    assert found["event"] == {"cardImage": None, "facilitators": [{"photo": None}]}
    assert found["publication"] == {"cardImage": None} and found["recording"]["cardImage"] is None


def test_members_see_members_only_card_images_and_photos(public_pages_with_private_pictures, member):
    found = data(PRIVATE_PICTURES, user=member)
    assert found["event"]["cardImage"]["srcSet"].endswith(" 320w")
    assert found["event"]["facilitators"][0]["photo"]["alt"]
    assert found["publication"]["cardImage"]["alt"] and found["recording"]["cardImage"]["alt"]
    assert found["recording"]["presenters"][0]["photo"]["alt"]


def test_a_member_of_another_group_does_not_see_them(public_pages_with_private_pictures):
    other = user_in(None, "someone")
    other.groups.add(Group.objects.get_or_create(name="Newsletter")[0])
    assert data(PRIVATE_PICTURES, user=other)["publication"] == {"cardImage": None}


# --- the editors' side ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "app_model"),
    [
        ("event_index", "events/trainingeventpage"),
        ("publication_index", "media_library/publicationpage"),
        ("recording_index", "media_library/recordingpage"),
    ],
)
def test_editors_choose_a_card_image(admin_client, request, index, app_model):
    parent = request.getfixturevalue(index)
    response = admin_client.get(f"/admin/pages/add/{app_model}/{parent.pk}/")
    assert response.status_code == 200
    assert 'name="card_image"' in response.content.decode()


def test_a_deleted_card_image_leaves_the_page(card_event):
    card_event.card_image.delete()
    card_event.refresh_from_db()
    assert card_event.card_image is None
    assert data(EVENT_SRCSET, widths=[320])["event"]["cardImage"] is None
