"""Demo data for the Online Resource Center: the member directory (agencies across states and cohorts, with
program contacts), member logins linked to agencies, a TA staff login, and a few TA requests (one with a
conversation). Idempotent like the rest of
`seed_demo`: what exists is left as it is.

Agency names are realistic US law-enforcement, behavioral-health, co-response and 911 agencies; contact names,
emails and phone numbers are invented (example.gov addresses, 555-01xx numbers).
"""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from community.models import (
    Agency,
    AgencyContact,
    AgencyType,
    ContactRole,
    Member,
    TaMessage,
    TaRequest,
    TaRequestStatus,
)
from community.permissions import ensure_ta_staff
from demo.accounts import DemoReport, demo_user
from pages.access import MEMBERS_GROUP
from pages.models import Topic

LE, BH, CO, ECC = (
    AgencyType.LAW_ENFORCEMENT,
    AgencyType.BEHAVIORAL_HEALTH,
    AgencyType.CO_RESPONSE,
    AgencyType.EMERGENCY_COMMUNICATIONS,
)
# (name, city, state, type, cohort = COPS Office funding year)
AGENCIES = [
    ("Albuquerque Police Department", "Albuquerque", "NM", LE, 2021),
    ("Tucson Police Department", "Tucson", "AZ", LE, 2021),
    ("Salt Lake City Police Department", "Salt Lake City", "UT", LE, 2021),
    ("Madison Police Department", "Madison", "WI", LE, 2021),
    ("Louisville Metro Police Department", "Louisville", "KY", LE, 2021),
    ("Franklin County Sheriff's Office", "Columbus", "OH", LE, 2021),
    ("Bexar County Sheriff's Office", "San Antonio", "TX", LE, 2021),
    ("Mesa Police Department", "Mesa", "AZ", LE, 2022),
    ("Eugene Police Department", "Eugene", "OR", LE, 2022),
    ("Johnson County Mental Health Center", "Olathe", "KS", BH, 2022),
    ("The Harris Center for Mental Health and IDD", "Houston", "TX", BH, 2022),
    ("Memphis Police Department", "Memphis", "TN", LE, 2022),
    ("Polk County Sheriff's Office", "Bartow", "FL", LE, 2022),
    ("Montgomery County Emergency Communications Center", "Gaithersburg", "MD", ECC, 2022),
    ("Tulsa Police Department", "Tulsa", "OK", LE, 2023),
    ("Cuyahoga County ADAMHS Board", "Cleveland", "OH", BH, 2023),
    ("Burlington Police Department", "Burlington", "VT", LE, 2023),
    ("Anchorage Police Department", "Anchorage", "AK", LE, 2023),
    ("Boise Police Department", "Boise", "ID", LE, 2023),
    ("Wichita Police Department", "Wichita", "KS", LE, 2023),
    ("Durham County Sheriff's Office", "Durham", "NC", LE, 2023),
    ("Charleston County Consolidated 9-1-1 Center", "North Charleston", "SC", ECC, 2023),
    ("Spokane Police Department", "Spokane", "WA", LE, 2024),
    ("Lincoln Police Department", "Lincoln", "NE", LE, 2024),
    ("Doña Ana County Sheriff's Office", "Las Cruces", "NM", LE, 2024),
    ("Howard Center", "Burlington", "VT", BH, 2024),
    ("Rapid City Police Department", "Rapid City", "SD", LE, 2024),
    ("Greenville County Sheriff's Office", "Greenville", "SC", LE, 2024),
    ("Denver Support Team Assisted Response (STAR)", "Denver", "CO", CO, 2024),
    ("Fargo Police Department", "Fargo", "ND", LE, 2025),
    ("Billings Police Department", "Billings", "MT", LE, 2025),
    ("Baltimore County Police Department", "Towson", "MD", LE, 2025),
    ("Hennepin County Sheriff's Office", "Minneapolis", "MN", LE, 2025),
    ("Cheyenne Police Department", "Cheyenne", "WY", LE, 2025),
    ("Pima County Crisis Co-Response Partnership", "Tucson", "AZ", CO, 2025),
    ("Orleans Parish Communication District", "New Orleans", "LA", ECC, 2025),
]
CONTACT_FIRST_NAMES = [
    "Dana", "Luis", "Priya", "Marcus", "Erin", "Tomás", "Grace", "Andre", "Hannah", "Samuel", "Keisha", "Owen", "Maya",
]  # fmt: skip
CONTACT_LAST_NAMES = [
    "Whitaker", "Ortega", "Raman", "Bell", "Kowalski", "Reyes", "Huang", "Thompson", "Brooks", "Eagleheart", "Grant",
    "Fitzgerald", "Nakamura", "Okafor", "Lindqvist", "Begay", "Castillo",
]  # fmt: skip
CONTACT_ROLES = [ContactRole.CIT_COORDINATOR, ContactRole.BEHAVIORAL_HEALTH_LIAISON, ContactRole.PROGRAM_MANAGER]
# (username, first name, last name, agency): demo logins for members (sign in with <username>@example.org)
DEMO_MEMBERS = [
    ("member", "Member", "Demo", "Franklin County Sheriff's Office"),
    ("tulsa", "Jordan", "Hale", "Tulsa Police Department"),
    ("cuyahoga", "Renee", "Alvarez", "Cuyahoga County ADAMHS Board"),
]
# (agency, focus area, urgency, delivery mode, status, description)
TA_REQUESTS = [
    (
        "Franklin County Sheriff's Office",
        "Data collection and analysis",
        "high",
        "virtual",
        TaRequestStatus.SCHEDULED,
        (
            "We want to track CIT call outcomes (diversions, injuries, repeat calls) with our 911 center and county "
            "mental health board. Help us choose measures and set up a shared dashboard."
        ),
    ),
    (
        "Tulsa Police Department",
        "Training for law enforcement officers and 911 call-takers and dispatchers",
        "normal",
        "in_person",
        TaRequestStatus.NEW,
        (
            "Our dispatchers need training on identifying mental health crisis calls and routing them to 988 or the "
            "co-responder team."
        ),
    ),
    (
        "Cuyahoga County ADAMHS Board",
        "Relationship and consensus building",
        "low",
        "hybrid",
        TaRequestStatus.IN_PROGRESS,
        "Facilitate a planning session between the board, three police departments and the mobile crisis provider.",
    ),
    (
        "Mesa Police Department",
        "Policy development and enhancement",
        "urgent",
        "virtual",
        TaRequestStatus.CLOSED,
        "Review our draft general order on responding to people in suicidal crisis before it goes to the chief.",
    ),
]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())[:24]


def _agencies(report) -> dict[str, Agency]:
    agencies = {}
    for index, (name, city, state, agency_type, cohort) in enumerate(AGENCIES):
        agency, created = Agency.objects.get_or_create(
            name=name,
            state=state,
            defaults={
                "city": city,
                "agency_type": agency_type,
                "cohort": cohort,
                "website": f"https://www.{_slug(name)}.example.gov",
            },
        )
        if created:
            report.created.append(f"agency: {name}")
            for offset in range(1 + index % 2):
                first = CONTACT_FIRST_NAMES[(index * 5 + offset) % len(CONTACT_FIRST_NAMES)]
                last = CONTACT_LAST_NAMES[(index * 7 + offset * 3) % len(CONTACT_LAST_NAMES)]
                person = f"{first} {last}"
                AgencyContact.objects.create(
                    agency=agency,
                    sort_order=offset,
                    name=person,
                    role=CONTACT_ROLES[(index + offset) % len(CONTACT_ROLES)],
                    email=f"{first[0].lower()}{_slug(last)}@{_slug(name)}.example.gov",
                    phone=f"555-01{index:02d}",
                )
        agencies[name] = agency
    return agencies


def _members(agencies: dict[str, Agency], report, stored: dict) -> None:
    members = Group.objects.get(name=MEMBERS_GROUP)
    for username, first_name, last_name, agency_name in DEMO_MEMBERS:
        user = demo_user(username, report, stored, first_name=first_name, last_name=last_name)
        user.groups.add(members)
        if not Member.objects.filter(user=user).exists():
            Member.objects.create(user=user, agency=agencies[agency_name])
        if username != "member":  # the shared demo users list already shows `member`
            report.credentials.append(
                (
                    username,
                    stored.get(username, "(unchanged: `manage.py changepassword`)"),
                    f"CoP member at {agency_name} (signs in as {user.email})",
                )
            )


def _ta_requests(agencies: dict[str, Agency], report) -> None:
    for agency_name, focus_name, urgency, mode, status, description in TA_REQUESTS:
        focus_area = Topic.objects.filter(name=focus_name, kind=Topic.Kind.TECHNICAL_ASSISTANCE).first()
        if focus_area is None:
            continue
        _request, created = TaRequest.objects.get_or_create(
            agency=agencies[agency_name],
            description=description,
            defaults={
                "focus_area": focus_area,
                "urgency": urgency,
                "preferred_delivery_mode": mode,
                "status": status,
            },
        )
        if created:
            report.created.append(f"TA request: {agency_name}")


# The demo conversation on Franklin County's request: (kind, author username, days after submission, text).
TA_CONVERSATION = [
    (
        TaMessage.Kind.REPLY,
        "tastaff",
        1,
        (
            "Thanks for the request. Before our first call, could you send the call types your CAD system uses for "
            "behavioral health calls, and who at the county mental health board owns their data?"
        ),
    ),
    (TaMessage.Kind.NOTE, "tastaff", 1, "Pair with the Tulsa dashboard work: same CAD vendor."),
    (
        TaMessage.Kind.FOLLOW_UP,
        "member",
        2,
        (
            "Our CAD uses codes 10-96 and MH-1 to MH-4. The board's data lead is their quality manager; we can "
            "introduce you on the call."
        ),
    ),
]


def _ta_staff(report, stored: dict):
    """The demo TA staff login: works TA requests in the admin, not a superuser."""
    user = demo_user("tastaff", report, stored, first_name="Taylor", last_name="Nguyen")
    user.groups.add(ensure_ta_staff())
    report.credentials.append(
        (
            "tastaff",
            stored.get("tastaff", "(unchanged: `manage.py changepassword`)"),
            "TA staff: triages, assigns and answers TA requests in the admin",
        )
    )
    return user


def _ta_conversation(agencies: dict[str, Agency], staff) -> None:
    ta_request = TaRequest.objects.filter(
        agency=agencies["Franklin County Sheriff's Office"], description=TA_REQUESTS[0][5]
    ).first()
    if ta_request is None or ta_request.messages.exists():
        return
    member = get_user_model().objects.filter(username="member").first()
    authors = {"tastaff": staff, "member": member}
    ta_request.assignee = staff
    ta_request.submitted_by = ta_request.submitted_by or member
    ta_request.first_response_at = ta_request.created_at + timedelta(days=1)
    ta_request.save()
    TaMessage.objects.bulk_create(
        TaMessage(
            ta_request=ta_request,
            kind=kind,
            author=authors[username],
            body=body,
            created_at=ta_request.created_at + timedelta(days=days),
        )
        for kind, username, days, body in TA_CONVERSATION
    )


def build_community_demo(report: DemoReport, credentials: dict) -> None:
    """Agencies, member logins (passwords added to `credentials`, saved by the caller), a TA staff login, TA
    requests and one TA conversation."""
    agencies = _agencies(report)
    _members(agencies, report, credentials)
    staff = _ta_staff(report, credentials)
    _ta_requests(agencies, report)
    _ta_conversation(agencies, staff)
