"""Hostile input against the real schema, over HTTP through the hardened view (issue 3, "Bad input"): each is
refused with a clear GraphQL error and the right status, never a 500, and nothing private comes back."""

import json
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import Collection, CollectionViewRestriction
from wagtail.search.backends import get_search_backend

from events.factories import TrainingEventPageFactory
from integrations.graphql.services import api_token_create
from media_library.factories import DocumentFactory, ImageFactory, PublicationPageFactory
from pages.access import MEMBERS_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def post(client, query: str, bearer: str | None = None, **variables):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql/", body, content_type="application/json", headers=headers)


def messages(response) -> str:
    assert response.status_code != 500
    text = response.content.decode()
    for internal in ("Traceback", "SELECT", "django.", "wagtailcore_"):
        assert internal not in text
    return " | ".join(error["message"] for error in response.json().get("errors", []))


def member():
    user = get_user_model().objects.create_user("member", password="x" * 20)
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    return user


def test_depth_bomb_is_400(client, event_index):
    query = "{ events { items { " + "topics { " * 12 + "name" + " }" * 12 + " } } }"
    response = post(client, query)
    assert response.status_code == 400 and "levels deep; the limit is 10" in messages(response)


def test_three_hundred_aliases_are_400(client, event_index):
    query = "{ " + " ".join(f"t{i}: topics {{ name }}" for i in range(300)) + " }"
    response = post(client, query)
    assert response.status_code == 400 and "300 aliases" in messages(response)


def test_fragment_fan_out_under_one_kilobyte_is_400(client, event_index):
    fragments = " ".join(f"fragment F{i} on Topic {{ name ...F{i + 1} ...F{i + 1} }}" for i in range(20))
    query = "{ topics { ...F0 } } " + fragments + " fragment F20 on Topic { slug }"
    assert len(query) < 1024
    response = post(client, query)
    # The fragments spread each other twice: the cost, counted per path, is over the limit.
    assert response.status_code == 400 and "too expensive" in messages(response)


def test_undefined_fragment_is_400(client, event_index):
    response = post(client, "{ topics { ...Nowhere } }")
    assert response.status_code == 400 and messages(response) == "Unknown fragment 'Nowhere'."


@pytest.mark.parametrize(
    ("arguments", "text"),
    [
        ("perPage: 1000000", "too expensive"),
        ("perPage: 0", "perPage must be between 1 and 100"),
        ("perPage: -5", "perPage must be between 1 and 100"),
        ("page: -1", "page must be 1 or more"),
        ("page: 99999999", "too far into the list"),
        ('order: "owner__password"', "order"),
        ('order: "-nonsense"', "order"),
    ],
)
def test_bad_list_arguments_are_refused(client, event_index, arguments, text):
    response = post(client, f"{{ events({arguments}) {{ items {{ title }} }} }}")
    assert response.status_code == 400 and text in messages(response)
    assert "data" not in response.json() or response.json()["data"] is None


def test_batch_of_a_thousand_operations_is_400(client):
    body = json.dumps([{"query": "{ topics { name } }"}] * 1000)
    response = client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400 and "Batched requests are not supported" in messages(response)


def test_three_megabyte_body_is_413(client):
    body = json.dumps({"query": "{ topics { name } }", "variables": {"x": "y" * 3_000_000}})
    response = client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 413 and "too large" in messages(response)


NESTED_ARRAY = "[" * 1000 + "]" * 1000  # 2 KB


@pytest.mark.parametrize(
    "body",
    [
        NESTED_ARRAY,
        '{"a":' * 1000 + "1" + "}" * 1000,
        '{"query": "{ topics { name } }", "variables": {"x": ' + NESTED_ARRAY + "}}",
        # Deep enough to refuse, shallow enough that Python's parser manages it: the limit is ours, not the stack's.
        '{"query": "{ topics { name } }", "variables": {"x": ' + "[" * 100 + "]" * 100 + "}}",
    ],
)
def test_json_nested_a_thousand_levels_deep_is_400_not_500(client, body):
    response = client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    assert messages(response) == "The request body is JSON nested too deeply (more than 32 levels)."


def test_get_variables_nested_a_thousand_levels_deep_are_400_not_500(client):
    response = client.get("/graphql/", {"query": "{ topics { name } }", "variables": NESTED_ARRAY})
    assert response.status_code == 400
    assert messages(response) == "The 'variables' parameter is JSON nested too deeply (more than 32 levels)."


def test_ordinary_nesting_in_variables_still_works(client):
    query = "query ($topic: String) { events(topic: $topic) { items { title } } }"
    body = json.dumps({"query": query, "variables": {"topic": "deflection"}, "extensions": {"a": [[[[{"b": 1}]]]]}})
    response = client.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 200, response.content


def test_schema_introspection_is_400_in_production(client):
    response = post(client, "{ __schema { types { name fields { name } } } }")
    assert response.status_code == 400 and "introspection" in messages(response).lower()


def test_misspelled_field_does_not_suggest_the_schema(client, event_index):
    response = post(client, "{ events { items { titel } } }")
    assert response.status_code == 400
    assert messages(response) == "Cannot query field 'titel' on type 'TrainingEventPage'."


def test_rendition_outside_the_allow_list_is_refused(client, publication_index):
    image = ImageFactory()
    PublicationPageFactory(parent=publication_index, slug="brief", cover_image=image)
    query = '{ publication(slug: "brief") { coverImage { rendition(spec: "fill-5000x5000") { url } } } }'
    response = post(client, query)
    assert "is not allowed" in messages(response)
    assert response.json()["data"]["publication"]["coverImage"] is None
    assert not image.renditions.exists()


def test_revoked_bearer_token_is_401(client):
    token, plaintext = api_token_create(user=member(), name="site")
    token.revoke()
    response = post(client, "{ viewer { name } }", bearer=plaintext)
    assert response.status_code == 401 and messages(response) == "This token has been revoked."


def test_private_document_in_a_private_sub_collection_is_null_even_for_members_of_nothing(client, publication_index):
    members = Collection.get_first_root_node().add_child(name="Members only")
    restriction = CollectionViewRestriction.objects.create(
        collection=members, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    minutes = members.add_child(name="Meeting minutes")  # restricted through its parent
    document = DocumentFactory(title="CoP minutes", collection=minutes)
    PublicationPageFactory(parent=publication_index, slug="minutes", document=document)
    query = '{ publication(slug: "minutes") { title documentUrl document { url title } } }'
    anonymous = post(client, query).json()["data"]["publication"]
    assert anonymous == {"title": anonymous["title"], "documentUrl": None, "document": None}
    _, plaintext = api_token_create(user=member(), name="member site")
    as_member = post(client, query, bearer=plaintext).json()["data"]["publication"]
    assert as_member["document"]["title"] == "CoP minutes"


def test_draft_page_is_invisible_by_id_slug_url_path_and_search(client, event_index):
    TrainingEventPageFactory(parent=event_index, title="Zebrafish public session", slug="public-session")
    draft = TrainingEventPageFactory(
        parent=event_index, title="Zebrafish draft session", slug="draft-session", live=False
    )
    backend = get_search_backend()
    for page in event_index.get_children().specific():
        backend.add(page)  # index the draft on purpose: only the privacy rule may keep it out
    _, plaintext = api_token_create(user=member(), name="member site")
    for token in (None, plaintext):
        assert post(client, f'{{ event(id: "{draft.pk}") {{ title }} }}', token).json() == {"data": {"event": None}}
        assert post(client, '{ event(slug: "draft-session") { title } }', token).json() == {"data": {"event": None}}
        response = post(client, f'{{ page(urlPath: "{draft.url_path}") {{ title }} }}', token)
        assert response.json() == {"data": {"page": None}}
        response = post(client, f'{{ page(id: "{draft.pk}") {{ title }} }}', token)
        assert response.json() == {"data": {"page": None}}
        hits = post(client, '{ search(query: "Zebrafish") { title } }', token).json()["data"]["search"]
        assert hits == [{"title": "Zebrafish public session"}]


def test_forged_and_expired_preview_tokens_are_refused_over_http(client, event_index, monkeypatch, settings):
    event = TrainingEventPageFactory(parent=event_index, title="Live title", slug="preview-me")
    event.title = "Draft title"
    query = "query ($token: String!) { preview(token: $token) { title } }"
    genuine = event.create_page_preview().token
    assert post(client, query, token=genuine).json() == {"data": {"preview": {"title": "Draft title"}}}
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    response = post(client, query, token=forged)
    assert messages(response) == "Invalid preview token." and "Draft title" not in response.content.decode()
    settings.GRAPHQL_PREVIEW_TOKEN_MAX_AGE = 1
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() + 60)
    response = post(client, query, token=genuine)
    assert "expired" in messages(response) and "Draft title" not in response.content.decode()
