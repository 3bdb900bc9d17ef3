"""Reads for the Online Resource Center: the member directory, a member's agency and its TA requests.

Every read that returns members-only data takes the caller and returns nothing for non-members: the GraphQL
resolvers refuse non-members with a clear error before they get here, so this is the second line, not the first.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cms.hashing import secret_digest
from community.models import (
    STATE_CODES,
    TA_FINISHED_STATUSES,
    TA_STAFF_GROUP,
    Agency,
    AgencyContact,
    GuideProgress,
    Invitation,
    TaMessage,
    TaRequest,
    TaRequestChange,
)
from pages.access import active_user, user_is_member, visible_pages
from pages.blocks import SCALE_MAX, SCALE_MIN, ChapterOutline, Question, QuestionKind, guide_outline
from pages.models import GuidePage

SEARCH_MAX_LENGTH = 100


def is_staff_account(user) -> bool:
    """Django's staff or superuser status: accounts that member sign-in and invitations never serve (a superuser's
    token passes every restriction; staff get API tokens from `manage.py api_token create`)."""
    return bool(user.is_staff or user.is_superuser)


def member_agency(user) -> Agency | None:
    user = active_user(user)
    if not user.is_authenticated:
        return None
    try:
        return user.membership.agency
    except ObjectDoesNotExist:
        return None


def clean_search(search: str | None) -> str:
    """Search words as typed, stripped; refused when too long or holding control characters (PostgreSQL rejects
    NUL in text; nothing legitimate needs the others)."""
    text = (search or "").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        raise ValidationError(f"search may be at most {SEARCH_MAX_LENGTH} characters.", code="max_length")
    if any(ord(char) < 32 for char in text):
        raise ValidationError("search may not contain control characters.", code="invalid")
    return text


def agencies(
    *, user, state: str | None = None, cohort: int | None = None, agency_type: str | None = None, search=None
) -> QuerySet:
    """The directory for `user` (empty for non-members), filtered; contacts prefetched in their order.

    Raises ValidationError for a filter that cannot mean anything (an unknown state code, a too-long search), so
    the caller is told rather than shown an empty list."""
    if not user_is_member(user):
        return Agency.objects.none()
    rows = Agency.objects.prefetch_related(Prefetch("contacts", queryset=AgencyContact.objects.order_by("sort_order")))
    if state is not None:
        code = state.strip().upper()
        if code not in STATE_CODES:
            raise ValidationError("state must be a two-letter US state or territory code, e.g. OH.", code="invalid")
        rows = rows.filter(state=code)
    if cohort is not None:
        rows = rows.filter(cohort=cohort)
    if agency_type is not None:
        rows = rows.filter(agency_type=agency_type)
    text = clean_search(search)
    if text:
        # Each word must appear in the name or city: the ORM parameterises it, so SQL-looking input is just text.
        for word in text.split()[:8]:
            rows = rows.filter(Q(name__icontains=word) | Q(city__icontains=word))
    return rows.order_by("name", "state", "pk")


def agency(*, user, pk) -> Agency | None:
    return agencies(user=user).filter(pk=pk).first()


def ta_requests(*, user, status: str | None = None) -> QuerySet:
    """The TA requests of the member's agency, newest first (none when they have no agency)."""
    own_agency = member_agency(user) if user_is_member(user) else None
    if own_agency is None:
        return TaRequest.objects.none()
    rows = (
        TaRequest.objects.filter(agency=own_agency)
        .select_related("agency", "focus_area")
        .prefetch_related(
            Prefetch("agency__contacts", queryset=AgencyContact.objects.order_by("sort_order")),
            # Internal notes are left out here, in the query: no resolver can reach them.
            Prefetch(
                "messages",
                queryset=TaMessage.objects.filter(kind__in=TaMessage.MEMBER_VISIBLE).select_related(
                    "author", "attachment"
                ),
                to_attr="visible_messages",
            ),
            Prefetch(
                "changes",
                queryset=TaRequestChange.objects.filter(field="status").order_by("changed_at", "pk"),
                to_attr="status_changes",
            ),
        )
    )
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def ta_request(*, user, pk) -> TaRequest | None:
    """One request of the member's agency (None for another agency's, an absent one, or a non-member)."""
    return ta_requests(user=user).filter(pk=pk).first() if pk is not None else None


# --- TA staff's queues ------------------------------------------------------------------------------------------


def ta_staff_users() -> QuerySet:
    """Active accounts TA requests can be assigned to: the TA staff group's members."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=TA_STAFF_GROUP, is_active=True).order_by("first_name", "pk")


def ta_open() -> Q:
    return ~Q(status__in=TA_FINISHED_STATUSES)


def ta_overdue(now=None) -> Q:
    """Open requests still without a staff reply past their urgency's target (TA_RESPONSE_TARGET_HOURS)."""
    now = now or timezone.now()
    late = Q(pk__in=[])
    for urgency, hours in settings.TA_RESPONSE_TARGET_HOURS.items():
        late |= Q(urgency=urgency, created_at__lt=now - timedelta(hours=hours))
    return ta_open() & Q(first_response_at__isnull=True) & late


TA_QUEUES = {
    "new": ("New", lambda user: Q(status="new")),
    "unassigned": ("Unassigned", lambda user: ta_open() & Q(assignee__isnull=True)),
    "overdue": ("Overdue", lambda user: ta_overdue()),
    "mine": ("Assigned to me", lambda user: ta_open() & Q(assignee=user)),
}


def ta_queue(name: str, *, user) -> Q:
    return TA_QUEUES[name][1](user)


def ta_queue_counts(*, user) -> dict[str, int]:
    """How many requests each triage queue holds, in one query (the dashboard panel)."""
    return TaRequest.objects.aggregate(**{name: Count("pk", filter=ta_queue(name, user=user)) for name in TA_QUEUES})


def ta_response_due(ta_request: TaRequest):
    """When staff's first reply is due (None once replied or finished)."""
    if ta_request.first_response_at is not None or ta_request.status in TA_FINISHED_STATUSES:
        return None
    hours = settings.TA_RESPONSE_TARGET_HOURS.get(ta_request.urgency)
    return ta_request.created_at + timedelta(hours=hours) if hours else None


INVITATION_TOKEN_MAX_LENGTH = 100


def invitation_for_token(token: str | None) -> Invitation | None:
    """The invitation a link's token names (accepted and expired ones too, so callers can say which)."""
    if not token or len(token) > INVITATION_TOKEN_MAX_LENGTH:
        return None
    return Invitation.objects.select_related("agency").filter(token_hash=secret_digest(token)).first()


# --- eGuide progress ------------------------------------------------------------------------------------------

GUIDE_SLUG_MAX_LENGTH = 255  # Wagtail's slug column


def guide_for_member(*, user, pk: int | None = None, slug: str | None = None) -> GuidePage | None:
    """A live guide the member may see, by id or slug; None for non-members and for a guide that is absent, a
    draft or restricted from them (the same answer, so nobody learns that a hidden guide exists)."""
    if not user_is_member(user) or (slug is not None and len(slug) > GUIDE_SLUG_MAX_LENGTH):
        return None
    rows = visible_pages(GuidePage, user=user)
    rows = rows.filter(pk=pk) if pk is not None else rows.filter(slug=slug)
    return rows.order_by("pk").first()


@dataclass
class ChapterProgress:
    """A member's progress on one chapter as the guide stands now: what they saved, less anything the editors
    have since removed from the chapter."""

    chapter: ChapterOutline
    visited: bool
    completed: bool
    checked_items: list[str]
    answers: dict  # question key -> answer, only for questions still in the chapter with an answer of their kind
    updated_at: datetime | None

    @property
    def percent_complete(self) -> int:
        if self.completed:
            return 100
        steps = self.chapter.steps
        return (len(self.checked_items) + len(self.answers)) * 100 // steps if steps else 0


@dataclass
class GuideProgressSummary:
    guide: GuidePage
    chapters: list[ChapterProgress]

    @property
    def percent_complete(self) -> int:
        """Every chapter counts the same, unvisited ones as 0."""
        return sum(c.percent_complete for c in self.chapters) // len(self.chapters) if self.chapters else 0

    @property
    def updated_at(self) -> datetime | None:
        return max((c.updated_at for c in self.chapters if c.updated_at), default=None)


ANSWER_FIELDS = {QuestionKind.SCALE: "scale", QuestionKind.YES_NO: "yes_no", QuestionKind.TEXT: "text"}


def answer_problem(question: Question, answer) -> str | None:
    """Why `answer` cannot answer `question` (its kind, range or length), or None when it can."""
    if question.kind == QuestionKind.SCALE:
        if type(answer) is not int or not SCALE_MIN <= answer <= SCALE_MAX:
            return f"“{question.key}” takes scale, a whole number from {SCALE_MIN} to {SCALE_MAX}."
    elif question.kind == QuestionKind.YES_NO:
        if type(answer) is not bool:
            return f"“{question.key}” takes yesNo, true or false."
    elif not isinstance(answer, str) or not answer.strip():
        return f"“{question.key}” takes text: write an answer, or leave the question out."
    elif len(answer) > question.max_length:
        return f"The answer to “{question.key}” may be at most {question.max_length} characters."
    elif any(ord(char) < 32 and char not in "\n\r\t" for char in answer):
        return f"The answer to “{question.key}” may not contain control characters."
    return None


def guide_progress(*, user, guide: GuidePage) -> GuideProgressSummary:
    """`user`'s progress on every chapter of `guide` (live content), in the guide's order: one query. Only ever the
    caller's own rows: there is no way to ask for someone else's."""
    rows = {row.chapter_slug: row for row in GuideProgress.objects.filter(user=active_user(user), guide=guide)}
    chapters = [chapter_progress(chapter, rows.get(chapter.slug)) for chapter in guide_outline(guide.chapters.raw_data)]
    return GuideProgressSummary(guide=guide, chapters=chapters)


def chapter_progress(chapter: ChapterOutline, row: GuideProgress | None) -> ChapterProgress:
    """What `row` (None: not visited) says about `chapter` as it stands now: stored keys the chapter no longer has,
    and answers no longer of their question's kind, are left out."""
    checked = (
        {key for key in row.checked_items if isinstance(key, str)}
        if row and isinstance(row.checked_items, list)
        else set()
    )
    stored = row.answers if row and isinstance(row.answers, dict) else {}
    return ChapterProgress(
        chapter=chapter,
        visited=row is not None,
        completed=bool(row and row.completed),
        checked_items=[key for key in chapter.items if key in checked],
        answers={
            key: stored[key]
            for key, question in chapter.questions.items()
            if key in stored and answer_problem(question, stored[key]) is None
        },
        updated_at=row.updated_at if row else None,
    )


@dataclass
class ChapterTotals:
    title: str
    visited: int
    completed: int


def guide_progress_totals() -> list[tuple[GuidePage, int, list[ChapterTotals]]]:
    """For editors: per guide that has any progress, how many members started it and, per chapter of its live
    content, how many visited and completed it. Counts only: no member, item or answer is named. Two queries."""
    per_chapter = {
        (row["guide_id"], row["chapter_slug"]): row
        for row in GuideProgress.objects.values("guide_id", "chapter_slug").annotate(
            visited=Count("pk"), completed=Count("pk", filter=Q(completed=True))
        )
    }
    started = dict(
        GuideProgress.objects.values("guide_id")
        .annotate(members=Count("user", distinct=True))
        .values_list("guide_id", "members")
    )
    totals = []
    for guide in GuidePage.objects.filter(pk__in=started).order_by("title", "pk"):
        chapters = []
        for chapter in guide_outline(guide.chapters.raw_data):
            row = per_chapter.get((guide.pk, chapter.slug), {})
            chapters.append(ChapterTotals(chapter.title, row.get("visited", 0), row.get("completed", 0)))
        totals.append((guide, started[guide.pk], chapters))
    return totals
