"""The demo seeds the Online Resource Center: a directory across states and cohorts, member logins linked to
agencies (their passwords written with the other demo logins), a few TA requests; idempotent."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from community.forum.models import ForumFollow
from community.models import TA_STAFF_GROUP, Agency, AgencyContact, Member, TaMessage, TaRequest
from community.services import member_sign_in
from pages.access import user_is_member
from tests.integrations.graphql.helpers import data

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_directory_members_and_ta_requests():
    call_command("seed_demo", "--allow-production", verbosity=0)
    assert Agency.objects.count() >= 30
    assert Agency.objects.values("state").distinct().count() >= 25
    assert set(Agency.objects.values_list("cohort", flat=True)) >= {2021, 2022, 2023, 2024, 2025}
    assert len(set(Agency.objects.values_list("agency_type", flat=True))) >= 4
    assert AgencyContact.objects.count() >= 30
    members = Member.objects.select_related("user")
    assert members.count() >= 3 and all(user_is_member(m.user) for m in members)
    assert TaRequest.objects.count() >= 4
    assert len(set(TaRequest.objects.values_list("status", flat=True))) == 4

    stored = json.loads(settings.DEMO_CREDENTIALS_FILE.read_text())
    _token, plain, _expires = member_sign_in(email="tulsa@example.org", password=stored["tulsa"], ip="demo")
    assert plain.startswith("wagtail_")

    # The TA staff login (not a superuser) and the conversation it can answer; members never see the note.
    staff = get_user_model().objects.get(username="tastaff")
    assert not staff.is_superuser and staff.groups.filter(name=TA_STAFF_GROUP).exists() and "tastaff" in stored
    conversation = TaMessage.objects.filter(ta_request__assignee=staff)
    assert set(conversation.values_list("kind", flat=True)) == {"reply", "note", "follow_up"}
    member = get_user_model().objects.get(username="member")
    seen = data("{ taRequests { items { messages { kind body } } } }", user=member)["taRequests"]["items"]
    assert [m["kind"] for item in seen for m in item["messages"]] == ["REPLY", "FOLLOW_UP"]
    assert ForumFollow.objects.filter(user=member, following=True).exists()

    counts = (Agency.objects.count(), AgencyContact.objects.count(), Member.objects.count(), TaRequest.objects.count())
    call_command("seed_demo", "--allow-production", verbosity=0)
    assert counts == (
        Agency.objects.count(),
        AgencyContact.objects.count(),
        Member.objects.count(),
        TaRequest.objects.count(),
    )
    assert TaMessage.objects.count() == 3
