"""The demo seeds the Online Resource Center: a directory across states and cohorts, member logins linked to
agencies (their passwords written with the other demo logins), a few TA requests; idempotent."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command

from community.models import Agency, AgencyContact, Member, TaRequest
from community.services import member_sign_in
from pages.access import user_is_member

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

    counts = (Agency.objects.count(), AgencyContact.objects.count(), Member.objects.count(), TaRequest.objects.count())
    call_command("seed_demo", "--allow-production", verbosity=0)
    assert counts == (
        Agency.objects.count(),
        AgencyContact.objects.count(),
        Member.objects.count(),
        TaRequest.objects.count(),
    )
