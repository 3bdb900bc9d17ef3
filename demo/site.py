"""The whole demo site, built from the CIT ASSIST program itself: its training topics, technical-assistance focus
areas, live virtual events, eLearning courses, publications and Community of Practice recordings.

`build_demo_site()` is idempotent: every object is looked up by a natural key (slug, name, username) and left alone
when it already exists, so a second run changes nothing. Dates are chosen relative to the first run so the events
are upcoming on a fresh install, and are not moved by later runs.

It does not build through the apps' factories (`*/factories.py`): those invent sequence-numbered names for tests,
and an idempotent demo needs fixed natural keys, so pages go through `add_child` + publish and files through
`media_upload` (the admin upload form's checks). It borrows only the factories' `paragraph()` block helper and
their WebVTT sample. This app sits above every other one (it imports them all and nothing imports it), so the
content apps stay free of demo code; `demo.community` and `demo.forum` add the members' side.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site

from demo.accounts import DemoReport, demo_user, load_credentials, save_credentials
from demo.community import build_community_demo
from demo.images import Picture, card_picture, cover_picture, portrait_picture
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
from media_library.pdf import make_pdf
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
ONLINE_RESOURCE_CENTER_PARTS = [
    "Community Discussion Forum",
    "Member Directory",
    "Resource Library of Publications",
    "CoP Meeting and Webinar Recordings",
    "Technical Assistance Center",
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
]
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
    parent: Page, model, slug: str, report: DemoReport, *, relations=None, members_only=None, on_create=None, **fields
):
    """The child of `parent` with this slug, created and published only when missing. `on_create`: fields made
    only when the page is created (pictures: a rerun draws nothing)."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
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
            body=[paragraph(dict(TRAINING_TOPICS)[topic_name])],
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
        body=[paragraph(dict(TRAINING_TOPICS)["Deflection"])],
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
            body=[paragraph(dict(TRAINING_TOPICS)[topic_name])],
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


def _past_event_slug(title: str) -> str:
    return "past-" + slugify(title)[:70]


def _program_pages(home: HomePage, focus_areas: list[Topic], report: DemoReport) -> None:
    program = _child(
        home,
        ProgramPage,
        "program",
        report,
        title="About CIT ASSIST",
        summary="A national program to create or enhance Crisis Intervention Teams in law enforcement agencies.",
        body=[
            paragraph(
                "We provide comprehensive support through an established Community of Practice, ongoing "
                "opportunities for learning and networking, access to training and resources, and direct "
                "technical assistance services."
            )
        ],
    )
    _child(
        program,
        ProgramPage,
        "community-of-practice",
        report,
        title="Community of Practice",
        summary="A problem-solving network of the agencies funded by the COPS Office to improve crisis response.",
        body=[
            paragraph(
                "The CoP provides a structured way for agencies to connect with and leverage the knowledge and "
                "experience of one another. The group meets virtually each quarter."
            )
        ],
    )
    _child(
        program,
        ProgramPage,
        "online-resource-center",
        report,
        title="Online Resource Center",
        summary="The members-only hub for all CIT ASSIST activities.",
        body=[
            paragraph("The Online Resource Center houses:"),
            (
                "paragraph",
                "<ul>" + "".join(f"<li>{part}</li>" for part in ONLINE_RESOURCE_CENTER_PARTS) + "</ul>",
            ),
        ],
    )
    _child(
        program,
        ProgramPage,
        "technical-assistance",
        report,
        title="Technical Assistance",
        summary="Direct technical assistance to support immediate and ongoing CIT implementation efforts.",
        body=[
            paragraph(
                "Services range from short-term support and guidance to more comprehensive, longer-term "
                "engagements, customized to each organization's needs."
            ),
            ("topic_list", {"heading": "Focus areas", "topics": focus_areas}),
        ],
    )
    _child(
        program,
        ProgramPage,
        "training",
        report,
        title="Training",
        summary="Facilitator-led live virtual training and self-paced online courses.",
        body=[
            paragraph(
                "On-going facilitator-led training events for the CoP, and no-cost on-demand eLearning courses "
                "with an interactive eGuide for all public safety and behavioral health professionals."
            )
        ],
    )


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
            title=title,
            summary=f"A no-cost, self-paced course: {title}.",
            duration_minutes=minutes,
            audience="Public safety, mental and behavioral health, and advocacy professionals",
            course_url=f"https://learning.example.org/cit-assist/{slug}",
        )
    _child(
        index,
        GuidePage,
        "cit-eguide",
        report,
        title="CIT Implementation eGuide",
        summary="An interactive guide to planning, launching and sustaining a Crisis Intervention Team.",
        chapters=[
            ("chapter", {"title": title, "slug": slugify(title), "summary": summary, "body": [paragraph(text)]})
            for title, summary, text in (
                ("Why CIT", "The case for Crisis Intervention Teams.", "CIT is a community partnership."),
                ("Building partnerships", "Who belongs at the table.", "Law enforcement, mental health, advocacy."),
                ("Training your officers", "The 40-hour curriculum and beyond.", "Scenario-based training works."),
                ("Measuring success", "Data that tells your story.", "Track outcomes, not only outputs."),
            )
        ],
    )


def _publications(home, topics, people, public: Collection, report: DemoReport) -> PublicationIndexPage:
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
        if PublicationPage.objects.filter(slug=slug).exists():
            continue
        document = _document(
            title,
            f"{slug}.pdf",
            make_pdf(title, ["CIT ASSIST resource library", "National Center for Police Innovation"]),
            public,
            report,
        )
        _child(
            index,
            PublicationPage,
            slug,
            report,
            relations={"authors": [people[number % len(people)]], "topics": [topics[topic_name]] if topic_name else []},
            title=title,
            publication_type=publication_type,
            publication_date=date(2022 + number % 4, number % 12 + 1, 15),
            abstract=f"<p>{title}: practical guidance for agencies building or enhancing a CIT.</p>",
            document=document,
            cover_image=_page_image("cover", title, f"Publication · {topic_name or 'CIT ASSIST'}", public, report),
            card_image=_card_image(title, f"Publication · {topic_name or 'CIT ASSIST'}", public, report),
        )
    return index


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
        if RecordingPage.objects.filter(slug=slug).exists():
            continue
        event = past_events.get(_past_event_slug(title))
        captions = _document(
            f"Captions: {title}", f"{slug}.vtt", WEBVTT_SAMPLE.encode(), private if members_only else public, report
        )
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
                title,
                "Members only · recording" if members_only else "Webinar recording",
                private if members_only else public,
                report,
            ),
            summary=f"{title}. Agencies shared what is working in their communities.",
            recorded_on=event.start_date if event else date(2025, 3 * (number % 4) + 1, 12),
            duration_minutes=60 + 15 * (number % 3),
            embed_url=f"https://vimeo.com/cit-assist/{slug}",
            captions=captions,
            transcript=(
                "<p><b>Facilitator:</b> Welcome, everyone, to today's session.</p>"
                "<p><b>Panelist:</b> Our co-responder team answered 1,200 calls last year.</p>"
            ),
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
    public, private = _collections(members)
    _photos(people, public, report)
    home = _site_root(report)
    _program_pages(home, focus_areas, report)
    _events(home, topics, people, members, report)
    _courses(home, topics, report)
    _publications(home, topics, people, public, report)
    _recordings(home, topics, people, public, private, members, report)
    _users(report)
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
