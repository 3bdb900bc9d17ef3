"""The Resource Center admin: staff add and edit agencies with contacts inline, filter the listing; members (no
admin access) cannot reach any of it."""

import pytest
from django.urls import reverse

from community.models import Agency, Member

pytestmark = pytest.mark.django_db


def inline(prefix: str, rows: list[dict]) -> dict:
    form = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000}  # fmt: skip
    for index, row in enumerate(rows):
        form.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
        form.update({f"{prefix}-{index}-ORDER": index + 1, f"{prefix}-{index}-DELETE": ""})
    return form


def test_staff_add_an_agency_with_contacts(admin_client):
    assert admin_client.get(reverse("agencies:add")).status_code == 200
    response = admin_client.post(
        reverse("agencies:add"),
        {
            "name": "Spokane Police Department",
            "city": "Spokane",
            "state": "WA",
            "agency_type": "law_enforcement",
            "cohort": 2024,
            "website": "https://spokane.example.gov",
            "notes": "",
            **inline("contacts", [{"name": "Lt. Erin Kowalski", "role": "cit_coordinator", "email": "", "phone": ""}]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agency = Agency.objects.get()
    assert [contact.name for contact in agency.contacts.all()] == ["Lt. Erin Kowalski"]
    assert admin_client.get(reverse("agencies:edit", args=[agency.pk])).status_code == 200
    listing = admin_client.get(reverse("agencies:index") + "?state=WA&cohort=2024")
    assert b"Spokane Police Department" in listing.content
    assert b"Spokane" not in admin_client.get(reverse("agencies:index") + "?state=OR").content.split(b"<main")[-1]


def test_cohort_before_the_program_began_is_refused(admin_client):
    response = admin_client.post(
        reverse("agencies:add"),
        {"name": "X", "state": "WA", "agency_type": "law_enforcement", "cohort": 1999, **inline("contacts", [])},
    )
    assert response.status_code == 200 and not Agency.objects.exists()


@pytest.mark.parametrize("name", ["agencies", "members", "invitations", "ta_requests"])
def test_members_cannot_open_the_resource_center_admin(client, member, name):
    client.force_login(member)
    response = client.get(reverse(f"{name}:index"))
    assert response.status_code in (302, 403)


def test_an_agency_with_members_is_not_deleted_and_staff_are_told_why(admin_client, member, agency):
    response = admin_client.post(reverse("agencies:delete", args=[agency.pk]), follow=True)
    assert response.status_code == 200
    assert b"still has members or TA requests" in response.content
    assert Agency.objects.filter(pk=agency.pk).exists()
    empty = Agency.objects.create(
        name="Fargo Police Department", state="ND", agency_type="law_enforcement", cohort=2025
    )
    assert admin_client.post(reverse("agencies:delete", args=[empty.pk])).status_code == 302
    assert not Agency.objects.filter(pk=empty.pk).exists()


def test_members_are_deactivated_never_deleted_from_the_admin(admin_client, member):
    """Deleting the membership row would leave the user in the CoP Members group: a member without an agency."""
    response = admin_client.post(reverse("members:delete", args=[member.membership.pk]))
    assert response.status_code in (302, 403)
    assert Member.objects.filter(user=member).exists()


def test_a_focus_area_in_use_is_not_deleted(admin_client, focus_area):
    from community.factories import TaRequestFactory
    from pages.models import Topic

    TaRequestFactory(focus_area=focus_area)
    url = reverse(Topic.snippet_viewset.get_url_name("delete"), args=[focus_area.pk])
    response = admin_client.post(url, follow=True)
    assert response.status_code == 200 and b"it cannot be deleted" in response.content
    assert Topic.objects.filter(pk=focus_area.pk).exists()
