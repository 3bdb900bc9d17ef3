"""Demo forum: the four discussion categories open to every member, a fifth restricted to the "CIT coordinators"
group (the demo `member` login and two authors are in it; `tulsa` and `cuyahoga` are not, so signing in as either
shows it absent), and a few realistic threads by Community of Practice members.

Idempotent: categories by slug, members by username, threads by (category, title); a thread that exists is left as
it is (replies included). Demo members who only appear as authors get no password (they cannot sign in); the demo
"moderator" login also moderates the forum.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from community.forum.models import ForumCategory, ForumFollow, ForumPost, ForumThread
from community.forum.permissions import ensure_forum_moderators
from community.forum.services import sanitise_body
from pages.access import MEMBERS_GROUP

CATEGORIES = [
    (
        "crisis-response-in-the-field",
        "Crisis response in the field",
        "Calls, co-response, deflection and diversion: what works on the street and on the phone.",
    ),
    (
        "training-and-curriculum",
        "Training & curriculum",
        "The 40-hour CIT course, refresher training, dispatcher and 911 call-taker training, the eLearning courses.",
    ),
    (
        "data-and-evaluation",
        "Data & evaluation",
        "Collecting and analysing CIT data, outcome measures and telling your program's story.",
    ),
    (
        "behavioral-health-partnerships",
        "Behavioral health partnerships",
        "Working with mental health providers, 988, crisis centers, hospitals and advocates.",
    ),
]

# The restricted category: only this group (and forum moderators) see it, its threads and posts.
COORDINATORS_GROUP = "CIT coordinators"
COORDINATORS_CATEGORY = (
    "coordinators-corner",
    "CIT coordinators' corner",
    (
        "For agencies' CIT coordinators: running the 40-hour course, instructor rosters, budgets and reporting to "
        "the COPS Office."
    ),
)
# Demo logins and authors in COORDINATORS_GROUP.
COORDINATORS = ("member", "dmorales", "lchen")

# (username, first name, last name): fictional staff of fictional member agencies.
MEMBERS = [
    ("dmorales", "Dana", "Morales"),
    ("jokafor", "James", "Okafor"),
    ("lchen", "Lin", "Chen"),
    ("rwhitehorse", "Rae", "Whitehorse"),
]

# (category slug, title, [(author username, days ago, body HTML), ...]): the first post opens the thread.
THREADS = [
    (
        "crisis-response-in-the-field",
        "Covering overnight crisis calls without a co-responder",
        [
            (
                "dmorales",
                12,
                (
                    "<p>Our co-responder clinicians work 10 am to 8 pm. Overnight, CIT officers are on their "
                    "own. How are other CoP agencies covering nights?</p>"
                ),
            ),
            (
                "jokafor",
                11,
                (
                    "<p>We route overnight calls with no safety risk to the regional mobile crisis team through "
                    "<strong>988</strong>; officers only go when dispatch flags a weapon or violence.</p>"
                ),
            ),
            (
                "rwhitehorse",
                10,
                (
                    "<p>Rural county here. We use tele-mental-health on the officers' tablets: a clinician "
                    "joins by video within about 15 minutes.</p>"
                ),
            ),
        ],
    ),
    (
        "training-and-curriculum",
        "Training 911 call-takers to recognise a mental health crisis",
        [
            (
                "lchen",
                9,
                (
                    "<p>We want our dispatchers to code mental-health calls consistently before we add a "
                    "diversion option. Has anyone adapted the CIT curriculum for call-takers?</p>"
                ),
            ),
            (
                "dmorales",
                8,
                (
                    "<p>We ran an 8-hour version with scenario drills. The TA team helped us write the "
                    "call-type codes: ask them through the Technical Assistance Center.</p>"
                ),
            ),
        ],
    ),
    (
        "data-and-evaluation",
        "Which outcome measures do you report to your city council?",
        [
            (
                "jokafor",
                6,
                (
                    "<p>Council wants numbers for next year's budget. We have calls, CIT dispatches and "
                    "arrests. What else is worth collecting?</p>"
                ),
            ),
            (
                "lchen",
                5,
                (
                    "<p>Track <em>dispositions</em>: referred to services, transported to a crisis center, "
                    "emergency hold, arrest. Injuries to officers and subjects matter too.</p>"
                    "<ul><li>repeat contacts within 90 days</li><li>officer time on scene</li></ul>"
                ),
            ),
            (
                "rwhitehorse",
                4,
                "<p>The CoP meeting recording on data that tells your CIT story has a good template.</p>",
            ),
        ],
    ),
    (
        "behavioral-health-partnerships",
        "Getting a data-sharing agreement with the local crisis center",
        [
            (
                "rwhitehorse",
                3,
                (
                    "<p>Our crisis center wants to share follow-up outcomes but their lawyers worry about "
                    "HIPAA. Did anyone get an MOU signed?</p>"
                ),
            ),
            (
                "jokafor",
                2,
                (
                    "<blockquote><p>share only what each side needs</p></blockquote><p>That was the line that "
                    "got ours signed: aggregate outcomes monthly, no names.</p>"
                ),
            ),
        ],
    ),
    (
        "coordinators-corner",
        "Finding instructors for the 40-hour course when a partner pulls out",
        [
            (
                "dmorales",
                7,
                (
                    "<p>Our county mental health board can no longer lend two clinicians as instructors for the "
                    "spring 40-hour course. How do other coordinators keep a backup roster?</p>"
                ),
            ),
            (
                "lchen",
                6,
                (
                    "<p>We keep a shared roster with the two neighbouring counties and swap instructors for the "
                    "blocks on de-escalation and on psychiatric medications. NAMI's local affiliate covers the "
                    "family panel.</p>"
                ),
            ),
        ],
    ),
]


def _member(username: str, first_name: str, last_name: str, members: Group, report) -> object:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@agency.example.org"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        report.created.append(f"forum member: {first_name} {last_name}")
    user.groups.add(members)
    return user


@transaction.atomic
def build_forum_demo(report) -> None:
    """Add the demo forum to `report` (a `demo.accounts.DemoReport`)."""
    moderators = ensure_forum_moderators()
    moderator = get_user_model().objects.filter(username="moderator").first()
    if moderator is not None:
        moderator.groups.add(moderators)
    members = Group.objects.get(name=MEMBERS_GROUP)
    authors = {username: _member(username, first, last, members, report) for username, first, last in MEMBERS}
    categories = {}
    for order, (slug, name, description) in enumerate([*CATEGORIES, COORDINATORS_CATEGORY]):
        categories[slug], created = ForumCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )
        if created:
            report.created.append(f"forum category: {name}")
    coordinators, _ = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    categories[COORDINATORS_CATEGORY[0]].restricted_to.add(coordinators)
    coordinators.user_set.add(*get_user_model().objects.filter(username__in=COORDINATORS))
    now = timezone.now()
    for slug, title, posts in THREADS:
        if ForumThread.objects.filter(category=categories[slug], title=title).exists():
            continue
        (opener, days_ago, _body), *_ = posts
        started = now - timedelta(days=days_ago)
        last = now - timedelta(days=posts[-1][1])
        thread = ForumThread.objects.create(
            category=categories[slug], title=title, author=authors[opener], created_at=started, last_activity_at=last
        )
        for position, (username, days_ago, body) in enumerate(posts):
            ForumPost.objects.create(
                thread=thread,
                author=authors[username],
                is_opening=position == 0,
                body_html=sanitise_body(body),
                created_at=now - timedelta(days=days_ago),
            )
        report.created.append(f"forum thread: {title} ({len(posts) - 1} replies)")
    _follows()


def _follows() -> None:
    """Everyone who posted in a thread follows it (as posting does), and the demo `member` follows the first."""
    for post in ForumPost.objects.filter(author__isnull=False).only("author_id", "thread_id"):
        ForumFollow.objects.get_or_create(user_id=post.author_id, thread_id=post.thread_id)
    member = get_user_model().objects.filter(username="member").first()
    first = ForumThread.objects.order_by("created_at", "pk").first()
    if member is not None and first is not None:
        ForumFollow.objects.get_or_create(user=member, thread=first)
