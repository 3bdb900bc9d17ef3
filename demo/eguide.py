"""The demo's interactive eGuide: one chapter per building block of a CIT program, as CIT ASSIST's technical
assistance focus areas name them, each with a short checklist and a few self-assessment questions; and some
progress for the demo `member` login, so `make run` shows a guide part-way done.

Idempotent like the rest of `seed_demo`: the guide is created once (demo/site.py). A guide that still holds the
earlier demo's four one-paragraph chapters (databases seeded before the eGuide was interactive) gets these chapters
as a new published revision; a guide anyone has edited since is left alone. The member's progress is added only
while they have none on the guide.
"""

from django.contrib.auth import get_user_model

from community.models import GuideProgress
from community.services import guide_progress_save
from demo.accounts import DemoReport
from pages.blocks import guide_outline
from pages.factories import checklist, paragraph, question, self_assessment
from pages.models import GuidePage

GUIDE_SLUG = "cit-eguide"
GUIDE_TITLE = "CIT Implementation eGuide"
GUIDE_SUMMARY = (
    "An interactive guide to planning, launching and sustaining a Crisis Intervention Team, one building block at a "
    "time: check off what your agency has in place and assess where you stand."
)
# The chapters of the first demo guide (one paragraph each, nothing to tick or answer): replaced when found as is.
EARLIER_DEMO_CHAPTERS = {"why-cit", "building-partnerships", "training-your-officers", "measuring-success"}

# (slug, title, summary, paragraphs, checklist heading, checklist items (key, text), questions)
CHAPTERS = [
    (
        "crisis-response-system",
        "Understanding your community's crisis response system",
        "CIT is one part of a community-wide system: map it before you build on it.",
        [
            (
                "A Crisis Intervention Team does not stand alone. When a person in a mental health crisis needs help, "
                "the call may reach 911, the 988 Suicide & Crisis Lifeline, a mobile crisis team, a hospital or a "
                "co-responder unit, and what happens next depends on how well those parts connect. Before you design "
                "or expand a CIT program, learn how the system in your community works today."
            ),
            (
                "Walk a few real calls through the system with your partners: who answered, who responded, where the "
                "person ended up and what options were missing. The gaps you find (no receiving facility at night, no "
                "follow-up after a crisis contact, dispatchers without a way to reach crisis services) set the "
                "priorities for everything that follows in this guide."
            ),
        ],
        "Map the system",
        [
            ("system-map", "We have a written map of who responds to behavioral health crisis calls, and when."),
            ("988-link", "We know how 988 and our 911 center hand calls to each other."),
            ("receiving-options", "Officers know where they can take a person in crisis, at any hour."),
            ("gaps-listed", "We have listed the gaps in the system with our partners."),
        ],
        [
            question(
                "system-understanding",
                "How well do your agency's leaders understand the community's crisis response system?",
                low="Hardly at all",
                high="In detail",
            ),
            question("after-hours-option", "Is there a place to take a person in crisis after hours?", "yes_no"),
            question("biggest-gap", "What is the biggest gap in your community's crisis response?", "text"),
        ],
    ),
    (
        "relationships-and-consensus",
        "Building relationships and consensus",
        "CIT is a community partnership: law enforcement, mental health, advocates and people with lived experience.",
        [
            (
                "The strongest CIT programs belong to the community, not to one agency. Law enforcement, mental and "
                "behavioral health providers, advocacy organizations, 911 centers and people with lived experience "
                "each bring something the others cannot, and the program lasts when all of them have a stake in it."
            ),
            (
                "Consensus takes deliberate work: a steering group that meets regularly, shared goals written down, "
                "and agreements (such as a memorandum of understanding) that survive changes of leadership. Expect "
                "disagreements about roles and resources; resolving them early is part of building the team."
            ),
        ],
        "Partners at the table",
        [
            (
                "steering-group",
                "A steering group with law enforcement, mental health and advocacy members meets regularly.",
            ),
            ("lived-experience", "People with lived experience and their families have a seat at the table."),
            ("shared-goals", "The partners have agreed on written goals for the program."),
            ("mou-signed", "A memorandum of understanding sets out each partner's role."),
            ("dispatch-partner", "Our 911 center is a partner, not only a recipient of decisions."),
        ],
        [
            question(
                "partnership-strength",
                "How strong are your working relationships with mental health partners?",
                low="Just starting",
                high="Strong and trusted",
            ),
            question("advocates-involved", "Are advocacy organizations involved in planning?", "yes_no"),
            question(
                "partner-to-add", "Which partner is missing, and who could bring them in?", "text", max_length=300
            ),
        ],
    ),
    (
        "leadership",
        "CIT leadership competencies",
        "Programs need a champion in command staff and a coordinator who runs them day to day.",
        [
            (
                "Every CIT program needs leaders at two levels: a champion among command staff who makes the program a "
                "priority and protects its resources, and a coordinator who recruits officers, organizes training, "
                "keeps partners informed and solves the daily problems."
            ),
            (
                "Leadership is a set of skills that can be learned: building coalitions, communicating the program's "
                "purpose inside and outside the agency, using data to make decisions, and planning for the day the "
                "current leaders move on. Name successors before you need them."
            ),
        ],
        "Leadership in place",
        [
            ("command-champion", "A member of command staff champions the program."),
            ("coordinator-named", "A CIT coordinator is named, with time set aside for the role."),
            ("succession-plan", "We know who would take over if the coordinator left."),
        ],
        [
            question(
                "leadership-support",
                "How visible is command staff's support for CIT?",
                low="Not visible",
                high="Clear and constant",
            ),
            question("coordinator-time", "Does the coordinator have protected time for the program?", "yes_no"),
        ],
    ),
    (
        "policies-and-procedures",
        "Policy development and enhancement",
        "Write down how crisis calls are handled, so practice does not depend on who is on shift.",
        [
            (
                "Policies turn good intentions into consistent practice. A CIT policy says how crisis calls are "
                "identified and dispatched, when a CIT-trained officer or a co-responder is sent, how officers may "
                "connect people with treatment instead of arrest, and how information is shared with partners within "
                "the law."
            ),
            (
                "Develop policy with your partners and review it regularly: a policy written by one agency alone often "
                "stops at that agency's door. Make sure supervisors know it, and that training teaches it."
            ),
        ],
        "Policy checklist",
        [
            ("cit-policy", "A written policy covers responses to people in behavioral health crisis."),
            ("dispatch-protocol", "Call-takers and dispatchers have a protocol for identifying crisis calls."),
            ("transport-procedure", "Procedures say how and where a person may be taken for care."),
            ("policy-review", "The policy is reviewed with partners at least every two years."),
        ],
        [
            question(
                "policy-followed",
                "How consistently is the policy followed on every shift?",
                low="Rarely",
                high="Always",
            ),
            question("partners-reviewed", "Did partners review the policy before it was adopted?", "yes_no"),
        ],
    ),
    (
        "training",
        "Training for officers, call-takers and dispatchers",
        "Scenario-based training for officers, and training for the 911 staff who take the first call.",
        [
            (
                "Training is the most visible part of CIT, but it works only on top of the other building blocks. The "
                "core course for officers teaches how to recognize signs of mental illness and crisis, de-escalation, "
                "and the local resources officers can call on, with scenario-based practice and with mental health "
                "professionals and people with lived experience among the instructors."
            ),
            (
                "The first contact is usually a call-taker or dispatcher. Training for 911 staff helps them recognize "
                "a crisis call, gather what responders need and send the right response. Plan refresher training too, "
                "and the live and on-demand courses CIT ASSIST offers can support both."
            ),
        ],
        "Training in place",
        [
            ("core-course", "Officers can attend a core CIT course with scenario-based practice."),
            ("dispatch-training", "Call-takers and dispatchers receive crisis call training."),
            ("lived-experience-instructors", "People with lived experience help teach the course."),
            ("refresher-training", "Trained officers get refresher training."),
            ("training-records", "We know how many officers on each shift are CIT-trained."),
        ],
        [
            question(
                "shift-coverage",
                "How often is a CIT-trained officer available on every shift?",
                low="Seldom",
                high="Always",
            ),
            question("dispatch-trained", "Have your call-takers and dispatchers been trained?", "yes_no"),
            question("training-need", "Which topic should your next training cover?", "text", max_length=300),
        ],
    ),
    (
        "infrastructure-and-capacity",
        "Infrastructure and capacity building",
        "Funding, staffing and crisis services that let the program last beyond its first grant.",
        [
            (
                "A program that depends on one grant or one person is fragile. Capacity means the staff time, "
                "budget, crisis services and working agreements that keep CIT running year after year: a coordinator "
                "position in the budget, crisis response services officers can rely on, and partners who plan for the "
                "program's future together."
            ),
            (
                "Plan for sustainability from the start: know what the program costs, who pays for which part, and "
                "what would happen if a funding source ended. Share results with the officials who decide budgets."
            ),
        ],
        "Capacity checklist",
        [
            ("budget-line", "The program has a line in a budget, not only grant funding."),
            ("crisis-services", "Mental health crisis response services are available to officers."),
            ("sustainability-plan", "A written plan says how the program continues after current funding ends."),
        ],
        [
            question(
                "sustainability",
                "How confident are you that the program would survive the end of its current funding?",
                low="Not confident",
                high="Very confident",
            ),
            question("costs-known", "Do you know what the program costs each year?", "yes_no"),
        ],
    ),
    (
        "data-and-evaluation",
        "Data collection and analysis",
        "Track outcomes, not only outputs, and use the data to tell your program's story.",
        [
            (
                "Data shows whether CIT is doing what the community hoped: fewer injuries, more connections to care, "
                "fewer arrests of people who needed treatment. Counting trained officers is a start, but outcomes come "
                "from recording what happened on crisis calls and following up with partners."
            ),
            (
                "Decide with your partners which few measures matter, how each will be collected, and how often the "
                "results will be reviewed. Data that nobody looks at is a burden; data reviewed together improves the "
                "program and makes the case for it."
            ),
        ],
        "Data checklist",
        [
            ("crisis-calls-flagged", "Crisis calls are flagged in our records system."),
            (
                "outcomes-recorded",
                "Officers record the outcome of each crisis call (e.g. referral, transport, arrest).",
            ),
            ("measures-agreed", "Partners have agreed on the measures the program tracks."),
            ("results-reviewed", "Results are reviewed with partners on a schedule."),
        ],
        [
            question(
                "data-use",
                "How much do your program's decisions rely on data?",
                low="Not at all",
                high="Every decision",
            ),
            question("outcome-data", "Can you report outcomes of crisis calls, not only their number?", "yes_no"),
            question("data-question", "What question would you most like your data to answer?", "text"),
        ],
    ),
    (
        "community-of-practice",
        "Learning with the Community of Practice",
        "Use the network of agencies that have solved the problems you are facing.",
        [
            (
                "The CIT ASSIST Community of Practice connects the agencies that receive COPS Office funding to "
                "improve responses to mental health crises. It meets virtually each quarter to share what works "
                "and to solve common challenges together."
            ),
            (
                "Between meetings, the Online Resource Center holds the discussion forum, the member directory, the "
                "resource library and recordings of past meetings and webinars, and its Technical Assistance Center is "
                "where your agency can ask NCPI for direct help on any of the building blocks in this guide."
            ),
        ],
        "Make use of the network",
        [
            ("attend-meetings", "Someone from our agency attends the quarterly CoP meetings."),
            ("forum-post", "We have asked or answered a question in the discussion forum."),
            ("peer-contact", "We have contacted a peer agency through the member directory."),
            ("ta-request", "We know how to request technical assistance."),
        ],
        [
            question("ta-needed", "Would technical assistance help your agency in the next six months?", "yes_no"),
        ],
    ),
]

# The demo member's progress: (chapter, checked items, answers, completed).
MEMBER_PROGRESS = [
    (
        "crisis-response-system",
        ["system-map", "988-link", "receiving-options", "gaps-listed"],
        [
            {"question": "system-understanding", "scale": 4},
            {"question": "after-hours-option", "yes_no": True},
            {"question": "biggest-gap", "text": "Follow-up after a crisis contact: nobody calls the person back."},
        ],
        True,
    ),
    (
        "relationships-and-consensus",
        ["steering-group", "shared-goals"],
        [{"question": "partnership-strength", "scale": 3}, {"question": "advocates-involved", "yes_no": False}],
        False,
    ),
    ("leadership", [], [], False),
]


def eguide_chapters() -> list[tuple[str, dict]]:
    return [
        (
            "chapter",
            {
                "title": title,
                "slug": slug,
                "summary": summary,
                "body": [
                    *(paragraph(text) for text in paragraphs),
                    checklist(heading, items),
                    self_assessment("Where does your agency stand?", questions),
                ],
            },
        )
        for slug, title, summary, paragraphs, heading, items, questions in CHAPTERS
    ]


def upgrade_earlier_demo_guide(guide: GuidePage, report: DemoReport) -> None:
    """Give a guide still holding the earlier demo's chapters (and nothing to tick or answer) the interactive ones."""
    outline = guide_outline(guide.chapters.raw_data)
    if {chapter.slug for chapter in outline} != EARLIER_DEMO_CHAPTERS or any(c.steps for c in outline):
        return
    guide.chapters = eguide_chapters()
    guide.summary = GUIDE_SUMMARY
    guide.save_revision().publish()
    report.created.append(f"guide page: {guide.title} (chapters made interactive)")


def seed_member_progress(report: DemoReport) -> None:
    """Progress for the demo `member` login on the demo guide, once."""
    member = get_user_model().objects.filter(username="member").first()
    guide = GuidePage.objects.filter(slug=GUIDE_SLUG).first()
    if member is None or guide is None or GuideProgress.objects.filter(user=member, guide=guide).exists():
        return
    for chapter, checked, answers, completed in MEMBER_PROGRESS:
        guide_progress_save(
            user=member, guide=guide, chapter=chapter, checked_items=checked, answers=answers, completed=completed
        )
    report.created.append(f"eGuide progress: member on {len(MEMBER_PROGRESS)} chapters")
