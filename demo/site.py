"""The whole demo site, built from the CIT ASSIST program itself: its training topics, technical-assistance focus areas,
live virtual events, eLearning courses, publications and Community of Practice recordings.

`build_demo_site()` is idempotent: every object is looked up by a natural key (slug, name, username) and left alone when
it already exists, so a second run changes nothing. One exception brings an older demo up to date: a page only seed_demo
has written (no revision by a person) gets this version's text, and a placeholder file of the previous version
(recognised by its checksum) this version's file, through the admin's replace-file path. Dates are chosen relative to
the first run so the events are upcoming on a fresh install, and are not moved by later runs.

It does not build through the apps' factories (`*/factories.py`): those invent sequence-numbered names for tests, and an
idempotent demo needs fixed natural keys, so pages go through `add_child` + publish and files through `media_upload`
(the admin upload form's checks). It borrows only the factories' `paragraph()` block helper (and their WebVTT sample, to
recognise an older demo's captions). The words come from `demo.program`; pictures from `demo.images`; PDFs from
`media_library.pdf`. This app sits above every other one (it imports them all and nothing imports it), so the content
apps stay free of demo code; `demo.community` and `demo.forum` add the members' side.
"""

import hashlib
import html
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from wagtail.fields import StreamField
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Revision, Site

from demo.accounts import DemoReport, demo_user, load_credentials, save_credentials
from demo.community import build_community_demo
from demo.eguide import (
    GUIDE_SLUG,
    GUIDE_SUMMARY,
    GUIDE_TITLE,
    eguide_chapters,
    seed_member_progress,
    upgrade_earlier_demo_guide,
)
from demo.images import Picture, card_picture, cover_picture, portrait_picture
from demo.program import BIOS, PROGRAM_APPENDIX, PROGRAM_PAGES, TOPIC_GUIDANCE, TRANSCRIPTS
from demo.program import COURSES as COURSE_TEXT
from demo.program import PUBLICATIONS as PUBLICATION_TEXT
from events.models import EventIndexPage, EventSkippedDate, EventStatus, SessionChange, TrainingEventPage
from media_library.factories import WEBVTT_SAMPLE
from media_library.models import (
    CustomDocument,
    CustomImage,
    PublicationIndexPage,
    PublicationPage,
    PublicationType,
    RecordingIndexPage,
    RecordingKind,
    RecordingPage,
)
from media_library.pdf import Section, make_pdf, make_report_pdf
from media_library.services import media_upload
from pages.access import MEMBERS_GROUP
from pages.editorial import EDITORS, MODERATORS, PARTNERS, ensure_editorial_setup
from pages.factories import paragraph
from pages.models import CourseIndexPage, CoursePage, GuidePage, HomePage, Person, ProgramPage, Topic

TRAINING_TOPICS = [
    ("988 Crisis Hotline", "How the 988 Suicide & Crisis Lifeline connects with law enforcement and crisis services."),
    ("Early Diversion", "Diverting people in mental health crisis from the justice system at the earliest point."),
    ("Response to Suicidal Subjects", "Safe, effective responses to people at risk of suicide."),
    ("Deflection", "Connecting people to treatment and services instead of arrest."),
    ("Best Practices in Co-Response", "Officers and clinicians responding together to behavioral health calls."),
    ("Youth in Suicide Crisis", "Recognizing and responding to young people in suicide crisis."),
    ("Overcoming Language Barriers", "Crisis response with people who speak languages other than English."),
]
TA_FOCUS_AREAS = [
    "Understanding and strengthening the community-wide crisis response system",
    "Relationship and consensus building",
    "Data collection and analysis",
    "CIT leadership competencies",
    "Policy development and enhancement",
    "Infrastructure and capacity building",
    "Training for law enforcement officers and 911 call-takers and dispatchers",
]
PEOPLE = [
    ("Dana Whitfield", "Facilitator", "National Center for Police Innovation"),
    ("Marcus Ortega", "CIT Coordinator", "CIT International"),
    ("Priya Raman", "Licensed Clinical Social Worker", "Co-Responder Program"),
    ("Lt. Anne Kowalski", "Crisis Intervention Team Lead", "Partner police department"),
    ("Dr. Samuel Greene", "Research Director", "National Center for Police Innovation"),
    ("Elena Vasquez", "Language Access Specialist", "CIT International"),
]
# (topic, title, time zone, weekday offset, local start hour)
EVENTS = [
    ("988 Crisis Hotline", "988 and Law Enforcement: Building the Handoff", "America/New_York", 3, 13),
    ("Early Diversion", "Early Diversion Strategies for Patrol", "America/Chicago", 8, 11),
    (
        "Response to Suicidal Subjects",
        "Responding to Suicidal Subjects: Officer Safety and Empathy",
        "America/Denver",
        15,
        10,
    ),
    ("Best Practices in Co-Response", "Best Practices in Co-Response Programs", "America/Los_Angeles", 22, 10),
    ("Youth in Suicide Crisis", "Youth in Suicide Crisis: What Officers Need to Know", "America/Phoenix", 29, 9),
    ("Overcoming Language Barriers", "Overcoming Language Barriers in Crisis Calls", "America/New_York", 36, 14),
]
COURSES = [
    ("CIT Foundations: Responding to People in Mental Health Crisis", 120, ["Response to Suicidal Subjects"]),
    ("Partnering for Crisis Response: Co-Response and Deflection", 90, ["Best Practices in Co-Response", "Deflection"]),
    ("988 and the Crisis Continuum for Public Safety", 60, ["988 Crisis Hotline", "Early Diversion"]),
]
# Past sessions, so a partner site can show an archive: (topic, title, time zone, days before the first run's
# anchor, local start hour, members only). The recordings below link to the ones they record.
PAST_EVENTS = [
    (
        "Best Practices in Co-Response",
        "Community of Practice Meeting: Co-Response Partnerships",
        "America/New_York",
        150,
        14,
        True,
    ),
    ("Deflection", "Webinar: Deflection in Rural Agencies", "America/Chicago", 120, 12, False),
    ("988 Crisis Hotline", "Webinar: 988 and Law Enforcement", "America/New_York", 90, 13, False),
    ("Youth in Suicide Crisis", "Webinar: Youth in Suicide Crisis", "America/Denver", 60, 11, False),
    ("Early Diversion", "Training: Early Diversion Strategies for Patrol", "America/Los_Angeles", 45, 10, False),
]
PUBLICATIONS = [
    ("Building a Crisis Intervention Team: A Starter Guide", "Deflection", PublicationType.GUIDE),
    ("988 and Public Safety: Coordinating Crisis Calls", "988 Crisis Hotline", PublicationType.REPORT),
    (
        "Co-Responder Models: Lessons from the Community of Practice",
        "Best Practices in Co-Response",
        PublicationType.REPORT,
    ),
    ("Deflection Pathways for Law Enforcement", "Deflection", PublicationType.BRIEF),
    ("Early Diversion at the 911 Call", "Early Diversion", PublicationType.FACT_SHEET),
    ("Responding to Suicidal Subjects: A Field Brief", "Response to Suicidal Subjects", PublicationType.BRIEF),
    ("Youth Crisis Response: Schools and Police Working Together", "Youth in Suicide Crisis", PublicationType.GUIDE),
    ("Language Access in Crisis Response", "Overcoming Language Barriers", PublicationType.FACT_SHEET),
    ("Measuring CIT Outcomes: A Data Collection Toolkit", None, PublicationType.TOOLKIT),
    ("CIT Policy Template and Commentary", None, PublicationType.TEMPLATE),
    ("Sustaining CIT: Leadership and Capacity Building", None, PublicationType.REPORT),
    ("Community of Practice Year in Review: Notes for Member Agencies", None, PublicationType.REPORT),
]
# Under the members-only view restriction, its document and pictures in the "Members only" collection.
MEMBERS_ONLY_PUBLICATIONS = {"Community of Practice Year in Review: Notes for Member Agencies"}
# (title, topic, members only, kind); a recording whose title is a past event's records that event.
RECORDINGS = [
    (
        "Community of Practice Meeting: Co-Response Partnerships",
        "Best Practices in Co-Response",
        True,
        RecordingKind.COP_MEETING,
    ),
    ("Community of Practice Meeting: Data That Tells Your CIT Story", None, True, RecordingKind.COP_MEETING),
    ("Webinar: 988 and Law Enforcement", "988 Crisis Hotline", False, RecordingKind.WEBINAR),
    ("Webinar: Deflection in Rural Agencies", "Deflection", False, RecordingKind.WEBINAR),
    ("Webinar: Youth in Suicide Crisis", "Youth in Suicide Crisis", False, RecordingKind.WEBINAR),
    (
        "Training: Early Diversion Strategies for Patrol",
        "Early Diversion",
        False,
        RecordingKind.TRAINING_SESSION,
    ),
]
DEMO_USERS = [
    ("admin", None, True, "Administrator (superuser)"),
    ("editor", EDITORS, False, "Editor: drafts and submits pages"),
    ("moderator", MODERATORS, False, "Moderator: reviews, approves and publishes"),
    ("member", MEMBERS_GROUP, False, "Community of Practice member (no admin access)"),
    ("partner", PARTNERS, False, "Partner web team (no admin access)"),
]


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    return page


def _child(
    parent: Page,
    model,
    slug: str,
    report: DemoReport,
    *,
    relations=None,
    members_only=None,
    on_create=None,
    refresh=(),
    **fields,
):
    """The child of `parent` with this slug, created and published only when missing. `on_create`: fields made
    only when the page is created (pictures: a rerun draws nothing). `refresh`: the names of `fields` brought up to
    date on an existing page that only seed_demo has written (an older demo's text, see `_refresh`)."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        _refresh(existing, {name: fields[name] for name in refresh}, report)
        return existing
    fields.update({name: make() for name, make in (on_create or {}).items()})
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    for name, values in (relations or {}).items():
        getattr(page, name).set(values)
    if members_only:
        _restrict_to_members(page, members_only)
    report.created.append(f"{model._meta.verbose_name}: {page.title}" + (" (members only)" if members_only else ""))
    return _publish(page)


def _untouched(page: Page) -> bool:
    """Only seed_demo has written this page: live, nothing unpublished, no revision by a person (the demo's
    revisions have no user). Anything an editor has touched is theirs and is never rewritten."""
    return (
        page.live
        and not page.has_unpublished_changes
        and not Revision.page_revisions.filter(object_id=str(page.pk)).exclude(user=None).exists()
    )


def _without_ids(value):
    """A block's stored data without the random ids Wagtail gives blocks and list items (so equal content compares
    equal)."""
    if isinstance(value, dict):
        return {key: _without_ids(item) for key, item in value.items() if key != "id"}
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    return value


def _comparable(page: Page, name: str, value):
    """`value` as field `name` of `page` would store it (a StreamField's blocks without their ids)."""
    field = page._meta.get_field(name)
    if not isinstance(field, StreamField):
        return value
    probe = type(page)()
    setattr(probe, name, value)  # the field turns blocks given as (type, value) pairs into a StreamValue
    return _without_ids(field.get_prep_value(getattr(probe, name)))


def _refresh(page: Page, fields: dict, report: DemoReport) -> None:
    """Bring `fields` of a page the demo made and nobody edited up to this version's content, in one published
    revision; a rerun finds them equal and writes nothing."""
    if not fields:
        return
    changed = {
        name: value
        for name, value in fields.items()
        if _comparable(page, name, getattr(page, name)) != _comparable(page, name, value)
    }
    if not changed or not _untouched(page):
        return
    for name, value in changed.items():
        setattr(page, name, value)
    _publish(page)
    report.updated.append(f"{page._meta.verbose_name}: {page.title} ({', '.join(changed)})")


def _body(sections: list[Section]) -> list[tuple[str, object]]:
    """StreamField blocks for `sections`: a heading each, paragraphs, and bulleted lists."""
    blocks = []
    for section in sections:
        blocks.append(("heading", {"text": section.heading, "level": "h2"}))
        for paragraph_or_list in section.paragraphs:
            if isinstance(paragraph_or_list, str):
                blocks.append(paragraph(html.escape(paragraph_or_list, quote=False)))
            else:
                items = "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in paragraph_or_list)
                blocks.append(("paragraph", f"<ul>{items}</ul>"))
    return blocks


def _restrict_to_members(page: Page, members: Group) -> None:
    if not PageViewRestriction.objects.filter(page=page).exists():
        restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set([members])


def _first_run_anchor(home: HomePage) -> date:
    """Event dates count from the site's first seeding, so reruns never move them."""
    first = (home.first_published_at or datetime.now(tz=ZoneInfo("UTC"))).date()
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def _next_dst_change(after: date, zone: ZoneInfo) -> date:
    day = after
    for _ in range(400):
        if (
            datetime.combine(day, time(12), zone).utcoffset()
            != datetime.combine(day + timedelta(days=1), time(12), zone).utcoffset()
        ):
            return day + timedelta(days=1)
        day += timedelta(days=1)
    return after


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _document(title: str, filename: str, content: bytes, collection: Collection, report: DemoReport) -> CustomDocument:
    existing = CustomDocument.objects.filter(title=title).first()
    if existing:
        return existing
    document = media_upload(CustomDocument, title=title, filename=filename, content=content, collection=collection)
    report.created.append(f"document: {title}")
    return document


def _image(
    title: str, draw: Callable[[], Picture], alt: str, collection: Collection, report: DemoReport
) -> CustomImage:
    """The image with this title, or a new one drawn by `draw`, uploaded like an editor's (size, hash and focal
    point recorded)."""
    existing = CustomImage.objects.filter(title=title).first()
    if existing:
        return existing
    picture = draw()
    report.created.append(f"image: {title} ({picture.width}x{picture.height})")
    return media_upload(
        CustomImage,
        title=title,
        description=alt,
        filename=f"{slugify(title)[:80]}.jpg",
        content=picture.content,
        collection=collection,
        **picture.focal_point_fields(),
    )


# A page's pictures: (title prefix, drawing, alt text) by kind.
PAGE_PICTURES = {
    "cover": ("Cover", cover_picture, "Cover of “{title}”: the title under a bright disc ringed by circles"),
    "card": ("Card", card_picture, "“{title}” beside a bright disc ringed by circles"),
}


def _page_image(kind: str, title: str, kicker: str, collection: Collection, report: DemoReport) -> CustomImage:
    prefix, draw, alt = PAGE_PICTURES[kind]
    return _image(f"{prefix}: {title}", partial(draw, title, kicker), alt.format(title=title), collection, report)


def _card_image(title: str, kicker: str, collection: Collection, report: DemoReport) -> CustomImage:
    return _page_image("card", title, kicker, collection, report)


def _photos(people: list[Person], collection: Collection, report: DemoReport) -> None:
    """A portrait for each person who has none (initials on a disc: the demo has no real photographs)."""
    for person in people:
        if person.photo_id is None:
            person.photo = _image(
                f"Photo: {person.name}",
                partial(portrait_picture, person.name),
                f"Portrait placeholder for {person.name}: the initials on a bright disc",
                collection,
                report,
            )
            person.save(update_fields=["photo"])


def _collections(members: Group) -> tuple[Collection, Collection]:
    root = Collection.get_first_root_node()
    found = {collection.name: collection for collection in root.get_children()}
    public = found.get("Public") or root.add_child(name="Public")
    private = found.get("Members only") or root.add_child(name="Members only")
    if not CollectionViewRestriction.objects.filter(collection=private).exists():
        restriction = CollectionViewRestriction.objects.create(
            collection=private, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set([members])
    return public, private


def _site_root(report: DemoReport) -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's install creates a placeholder "Welcome" page with the slug we want; it has no content.
        Page.objects.child_of(root).filter(slug="home", content_type__model="page").delete()
        home = HomePage(
            title="CIT ASSIST",
            slug="home",
            intro=(
                "Crisis Intervention Teams Adaptive System of Supports for Implementation of Specialized "
                "Training: a national program that increases the capacity of law enforcement agencies to create "
                "or enhance Crisis Intervention Teams."
            ),
            body=[
                paragraph(
                    "Beginning in 2021, NCPI built and has administered the CIT ASSIST program in partnership with "
                    "the USDOJ COPS Office, CIT International, Inc., and a national advisory board of experts."
                )
            ],
        )
        root.add_child(instance=home)
        _publish(home)
        report.created.append("home page")
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"root_page": home, "hostname": "localhost", "site_name": "CIT ASSIST"},
    )
    return home


def _users(report: DemoReport) -> None:
    stored = load_credentials()
    for username, group_name, superuser, description in DEMO_USERS:
        user = demo_user(
            username,
            report,
            stored,
            first_name=username.title(),
            last_name="Demo",
            is_staff=superuser,
            is_superuser=superuser,
        )
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        report.credentials.append(
            (username, stored.get(username, "(unchanged: `manage.py changepassword`)"), description)
        )
    build_community_demo(report, stored)  # the member directory, member logins and TA requests
    save_credentials(stored)


def _events(home: HomePage, topics: dict, people: list, members: Group, report: DemoReport) -> EventIndexPage:
    index = _child(
        home,
        EventIndexPage,
        "events",
        report,
        title="Training events",
        intro="Facilitator-led, live virtual training for the Community of Practice on topics critical to their work.",
    )
    anchor = _first_run_anchor(home)
    public, private = _collections(members)
    for number, (topic_name, title, zone, offset, hour) in enumerate(EVENTS):
        slug = title.lower().replace(":", "").replace(" ", "-")[:80]
        _child(
            index,
            TrainingEventPage,
            slug,
            report,
            relations={
                "topics": [topics[topic_name]],
                "facilitators": [people[number % len(people)], people[(number + 1) % len(people)]],
            },
            on_create={"card_image": partial(_card_image, title, f"Training event · {topic_name}", public, report)},
            title=title,
            summary=f"A live, virtual, facilitator-led session on {topic_name.lower()} for CIT ASSIST agencies.",
            start_date=anchor + timedelta(days=offset),
            start_time=time(hour),
            end_time=time(hour + 1, 30),
            time_zone=zone,
            registration_url=f"https://www.citinternational.org/events/{slug}",
            join_url=f"https://meet.example.org/cit-assist/{slug}",
            audience="CIT coordinators, patrol officers, 911 call-takers and mental health partners",
            capacity=300,
            refresh=("body",),
            body=_event_body(topic_name),
        )

    chicago = ZoneInfo("America/Chicago")
    dst_day = _next_dst_change(anchor, chicago)
    # Four weekly sessions, two before and two after the clocks change: 11:00 Chicago time throughout.
    _child(
        index,
        TrainingEventPage,
        "deflection-series",
        report,
        relations={"topics": [topics["Deflection"]], "facilitators": people[:2]},
        on_create={
            "card_image": partial(
                _card_image, "Deflection in Practice: Four-Week Series", "Training series · Deflection", public, report
            )
        },
        title="Deflection in Practice: Four-Week Series",
        summary="A four-session weekly series on building deflection pathways with treatment providers.",
        start_date=dst_day - timedelta(days=11),
        start_time=time(11),
        end_time=time(12, 30),
        time_zone="America/Chicago",
        recurrence_frequency="weekly",
        recurrence_count=4,
        registration_url="https://www.citinternational.org/events/deflection-series",
        refresh=("body",),
        body=_event_body("Deflection"),
    )

    schedule = {
        "start_date": _nth_weekday(anchor.year, anchor.month, weekday=3, nth=2),  # the second Thursday
        "start_time": time(14),
        "end_time": time(15, 30),
        "time_zone": "America/New_York",
        "recurrence_frequency": "monthly",
        "recurrence_interval": 3,
        "recurrence_monthly_by_weekday": True,
        "recurrence_count": 8,
    }
    sessions = [session.original_date for session in TrainingEventPage(**schedule).rule_sessions()]
    _child(
        index,
        TrainingEventPage,
        "community-of-practice-quarterly-meeting",
        report,
        relations={"topics": [topics["Best Practices in Co-Response"]], "facilitators": people[:1]},
        members_only=members,
        on_create={
            "card_image": partial(
                _card_image, "Community of Practice Quarterly Meeting", "Members only · CoP meeting", private, report
            )
        },
        title="Community of Practice Quarterly Meeting",
        summary="The CoP meets virtually each quarter to share insights and overcome common challenges.",
        join_url="https://meet.example.org/cit-assist/cop-quarterly",
        audience="Community of Practice member agencies",
        body=[paragraph("Agencies share what is working, what is not, and what they are trying next.")],
        session_changes=[
            SessionChange(
                original_date=sessions[1],
                new_date=sessions[1] + timedelta(days=7),
                new_start_time=time(13),
                new_end_time=time(14, 30),
                note="Moved one week later to avoid a national conference.",
            )
        ],
        skipped_dates=[EventSkippedDate(date=sessions[2], reason="Replaced by the annual convening.")],
        **schedule,
    )

    for topic_name, title, zone, days_before, hour, members_only in PAST_EVENTS:
        _child(
            index,
            TrainingEventPage,
            _past_event_slug(title),
            report,
            relations={"topics": [topics[topic_name]], "facilitators": people[:2]},
            members_only=members if members_only else None,
            on_create={
                "card_image": partial(
                    _card_image,
                    title,
                    "Members only · past session" if members_only else f"Past session · {topic_name}",
                    private if members_only else public,
                    report,
                )
            },
            title=title,
            summary=f"A past live, virtual session on {topic_name.lower()}: see its recording.",
            start_date=anchor - timedelta(days=days_before),
            start_time=time(hour),
            end_time=time(hour + 1, 30),
            time_zone=zone,
            audience="CIT coordinators, patrol officers, 911 call-takers and mental health partners",
            refresh=("body",),
            body=_event_body(topic_name),
        )

    _child(
        index,
        TrainingEventPage,
        "language-access-roundtable",
        report,
        relations={"topics": [topics["Overcoming Language Barriers"]]},
        title="Language Access Roundtable",
        summary="A roundtable on interpreter services during crisis calls. Cancelled: see the recording instead.",
        start_date=anchor + timedelta(days=18),
        start_time=time(12),
        end_time=time(13),
        time_zone="America/Denver",
        status=EventStatus.CANCELLED,
    )
    return index


def _event_body(topic_name: str) -> list:
    """An event's description: its topic in a sentence, then what the session covers (the topic's guidance)."""
    return [paragraph(dict(TRAINING_TOPICS)[topic_name]), *_body(TOPIC_GUIDANCE[topic_name])]


def _past_event_slug(title: str) -> str:
    return "past-" + slugify(title)[:70]


def _program_pages(home: HomePage, focus_areas: list[Topic], report: DemoReport) -> None:
    """The program page and its children, with the program's text (`demo.program.PROGRAM_PAGES`); technical
    assistance also lists its focus areas (the topic snippets)."""
    extra_blocks = {"technical-assistance": [("topic_list", {"heading": "Focus areas", "topics": focus_areas})]}
    program = None
    for slug, (title, summary, sections) in PROGRAM_PAGES.items():
        page = _child(
            program or home,
            ProgramPage,
            slug,
            report,
            refresh=("summary", "body"),
            title=title,
            summary=summary,
            body=[*_body(sections), *extra_blocks.get(slug, [])],
        )
        program = program or page  # the first is the program page; the others are its children


def _courses(home: HomePage, topics: dict, report: DemoReport) -> None:
    index = _child(
        home,
        CourseIndexPage,
        "courses",
        report,
        title="Self-paced online training",
        intro="Three no-cost, on-demand CIT eLearning courses and an interactive eGuide.",
    )
    for title, minutes, topic_names in COURSES:
        slug = title.split(":")[0].lower().replace(" ", "-")
        _child(
            index,
            CoursePage,
            slug,
            report,
            relations={"topics": [topics[name] for name in topic_names]},
            refresh=("summary", "body"),
            title=title,
            summary=COURSE_TEXT[title][0],
            body=_body(COURSE_TEXT[title][1]),
            duration_minutes=minutes,
            audience="Public safety, mental and behavioral health, and advocacy professionals",
            course_url=f"https://learning.example.org/cit-assist/{slug}",
        )
    guide = _child(
        index,
        GuidePage,
        GUIDE_SLUG,
        report,
        title=GUIDE_TITLE,
        summary=GUIDE_SUMMARY,
        on_create={"chapters": eguide_chapters},
    )
    upgrade_earlier_demo_guide(guide, report)


def _replace_placeholder_file(
    document: CustomDocument | None, placeholder: bytes, filename: str, make: Callable[[], bytes], report: DemoReport
) -> None:
    """An older demo's placeholder file, recognised by its checksum (so nobody has replaced it), gets this
    version's content through the admin's replace-file path; the document and its references stay the same."""
    if document is None or document.sha256 != hashlib.sha256(placeholder).hexdigest():
        return
    media_upload(
        CustomDocument,
        instance=document,
        title=document.title,
        description=document.description,
        filename=filename,
        content=make(),
        collection=document.collection,
    )
    report.updated.append(f"document file: {document.title}")


def _publication_pdf(title: str, publication_type: str, published: date, author: Person) -> bytes:
    """The publication itself: what it is for, the guidance of each area it covers and (except on a fact sheet,
    which stays short) the program it comes from."""
    purpose, areas = PUBLICATION_TEXT[title]
    kind = PublicationType(publication_type).label.split(":")[0]
    sections = [Section(f"About this {kind.lower()}", [purpose])]
    for area in areas:
        sections += [Section(f"{area}: {section.heading}", section.paragraphs) for section in TOPIC_GUIDANCE[area]]
    if publication_type != PublicationType.FACT_SHEET:
        sections += PROGRAM_APPENDIX
    return make_report_pdf(
        title,
        sections,
        subtitle=f"{kind} · {published:%B %Y} · {author.name}, {author.organization}",
        footer="CIT ASSIST resource library",
        cover=publication_type != PublicationType.FACT_SHEET,
    )


def _publications(home, topics, people, public, private, members, report: DemoReport) -> PublicationIndexPage:
    index = _child(
        home,
        PublicationIndexPage,
        "resources",
        report,
        title="Resource library",
        intro="Publications from the CIT ASSIST program and its partners.",
    )
    for number, (title, topic_name, publication_type) in enumerate(PUBLICATIONS):
        slug = title.split(":")[0].lower().replace(" ", "-")[:80]
        members_only = title in MEMBERS_ONLY_PUBLICATIONS
        collection = private if members_only else public
        author = people[number % len(people)]
        published = date(2022 + number % 4, number % 12 + 1, 15)
        write_pdf = partial(_publication_pdf, title, publication_type, published, author)
        abstract = f"<p>{html.escape(PUBLICATION_TEXT[title][0], quote=False)}</p>"
        existing = PublicationPage.objects.filter(slug=slug).first()
        if existing:  # an older demo's: its placeholder PDF and abstract are brought up to date
            placeholder = make_pdf(title, ["CIT ASSIST resource library", "National Center for Police Innovation"])
            _replace_placeholder_file(existing.document, placeholder, f"{slug}.pdf", write_pdf, report)
            _refresh(existing, {"abstract": abstract}, report)
            continue
        kicker = "Members only · publication" if members_only else f"Publication · {topic_name or 'CIT ASSIST'}"
        _child(
            index,
            PublicationPage,
            slug,
            report,
            relations={"authors": [author], "topics": [topics[topic_name]] if topic_name else []},
            members_only=members if members_only else None,
            title=title,
            publication_type=publication_type,
            publication_date=published,
            abstract=abstract,
            document=_document(title, f"{slug}.pdf", write_pdf(), collection, report),
            cover_image=_page_image("cover", title, kicker, collection, report),
            card_image=_card_image(title, kicker, collection, report),
        )
    return index


def _webvtt(lines: list[tuple[str, str]]) -> str:
    """Captions for what was said: a cue per line, with the speaker as a WebVTT voice, timed by its length."""
    cues, start = ["WEBVTT", ""], 5.0
    for number, (speaker, words) in enumerate(lines, start=1):
        end = start + max(3.0, len(words.split()) / 2.5)
        cues += [str(number), f"{_timestamp(start)} --> {_timestamp(end)}", f"<v {speaker}>{words}", ""]
        start = end + 1.5
    return "\n".join(cues)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def _recordings(home, topics, people, public, private, members, report: DemoReport) -> None:
    index = _child(
        home,
        RecordingIndexPage,
        "recordings",
        report,
        title="CoP meeting and webinar recordings",
        intro="Recordings of Community of Practice meetings (members only) and public webinars.",
    )
    past_events = {
        event.slug: event
        for event in TrainingEventPage.objects.filter(slug__in=[_past_event_slug(row[1]) for row in PAST_EVENTS])
    }
    for number, (title, topic_name, members_only, kind) in enumerate(RECORDINGS):
        slug = title.split(":")[-1].strip().lower().replace(" ", "-")[:80]
        said = TRANSCRIPTS[title]
        captions = _webvtt(said).encode()
        transcript = "".join(f"<p><b>{speaker}:</b> {html.escape(words, quote=False)}</p>" for speaker, words in said)
        existing = RecordingPage.objects.filter(slug=slug).first()
        if existing:  # an older demo's: its sample captions and two-line transcript are brought up to date
            placeholder = WEBVTT_SAMPLE.encode()
            _replace_placeholder_file(existing.captions, placeholder, f"{slug}.vtt", partial(bytes, captions), report)
            _refresh(existing, {"transcript": transcript}, report)
            continue
        event = past_events.get(_past_event_slug(title))
        collection = private if members_only else public
        _child(
            index,
            RecordingPage,
            slug,
            report,
            relations={
                "presenters": people[number % 3 : number % 3 + 2],
                "topics": [topics[topic_name]] if topic_name else [],
            },
            members_only=members if members_only else None,
            title=title,
            recording_kind=kind,
            related_event=event,
            card_image=_card_image(
                title, "Members only · recording" if members_only else "Webinar recording", collection, report
            ),
            summary=f"{title}. Agencies shared what is working in their communities.",
            recorded_on=event.start_date if event else date(2025, 3 * (number % 4) + 1, 12),
            duration_minutes=60 + 15 * (number % 3),
            embed_url=f"https://vimeo.com/cit-assist/{slug}",
            captions=_document(f"Captions: {title}", f"{slug}.vtt", captions, collection, report),
            transcript=transcript,
        )


@transaction.atomic
def build_demo_site() -> DemoReport:
    report = DemoReport()
    ensure_editorial_setup()
    members = Group.objects.get(name=MEMBERS_GROUP)
    topics = {}
    for name, description in TRAINING_TOPICS:
        topics[name], _created = Topic.objects.get_or_create(
            name=name, defaults={"description": description, "kind": Topic.Kind.TRAINING}
        )
    focus_areas = [
        Topic.objects.get_or_create(name=name, defaults={"kind": Topic.Kind.TECHNICAL_ASSISTANCE})[0]
        for name in TA_FOCUS_AREAS
    ]
    people = [
        Person.objects.get_or_create(name=name, organization=organization, defaults={"role": role})[0]
        for name, role, organization in PEOPLE
    ]
    for person in people:
        if not person.bio and person.name in BIOS:  # an older demo's people had none; a bio someone wrote stays
            person.bio = f"<p>{html.escape(BIOS[person.name], quote=False)}</p>"
            person.save(update_fields=["bio"])
    public, private = _collections(members)
    _photos(people, public, report)
    home = _site_root(report)
    _program_pages(home, focus_areas, report)
    _events(home, topics, people, members, report)
    _courses(home, topics, report)
    _publications(home, topics, people, public, private, members, report)
    _recordings(home, topics, people, public, private, members, report)
    _users(report)
    seed_member_progress(report)
    return report


def build_volume(count: int, *, progress: bool = True) -> list[str]:
    """`count` more events and publications, live without revision history, for benchmarks; idempotent by slug."""
    from tqdm import tqdm

    home = HomePage.objects.get()
    events = EventIndexPage.objects.child_of(home).get()
    library = PublicationIndexPage.objects.child_of(home).get()
    topics = list(Topic.objects.filter(kind=Topic.Kind.TRAINING))
    people = list(Person.objects.all())
    existing_events = set(TrainingEventPage.objects.filter(slug__startswith="volume-").values_list("slug", flat=True))
    existing_pubs = set(PublicationPage.objects.filter(slug__startswith="volume-").values_list("slug", flat=True))
    shared_document = CustomDocument.objects.filter(collection__name="Public").order_by("pk").first()
    cover = CustomImage.objects.order_by("pk").first()
    anchor = _first_run_anchor(home)
    zones = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
    created = []
    for number in tqdm(range(count), desc="volume", unit="pair", disable=not progress):
        topic = topics[number % len(topics)]
        slug = f"volume-event-{number}"
        if slug not in existing_events:
            with transaction.atomic():
                event = TrainingEventPage(
                    title=f"{topic.name}: regional session {number}",
                    slug=slug,
                    summary=f"Regional live virtual session on {topic.name.lower()}.",
                    start_date=anchor + timedelta(days=number % 365),
                    start_time=time(9 + number % 8),
                    end_time=time(10 + number % 8, 30),
                    time_zone=zones[number % len(zones)],
                    registration_url=f"https://www.citinternational.org/events/{slug}",
                    body=[paragraph(topic.description or topic.name)],
                )
                event.topics.set([topic])
                event.facilitators.set(people[number % len(people) : number % len(people) + 2])
                events.add_child(instance=event)
            created.append(f"event: {event.title}")
        slug = f"volume-publication-{number}"
        if slug not in existing_pubs:
            with transaction.atomic():
                publication = PublicationPage(
                    title=f"{topic.name} brief {number}",
                    slug=slug,
                    publication_type=PublicationType.BRIEF,
                    publication_date=date(2021 + number % 5, number % 12 + 1, 1),
                    abstract=f"<p>Field brief {number} on {topic.name.lower()}.</p>",
                    document=shared_document,
                    cover_image=cover,
                )
                publication.topics.set([topic])
                publication.authors.set(people[number % len(people) : number % len(people) + 1])
                library.add_child(instance=publication)
            created.append(f"publication: {publication.title}")
    return created
