"""Reads for the forum. Visibility is decided here once: moderated (hidden or deleted) threads and posts are absent
for every member, their authors included; the admin reads the models directly and sees everything.

Lists carry what their cards show in the same query (reply count, latest visible post id), so a page of threads
costs the same number of queries whatever its size.
"""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from community.forum.models import ForumBan, ForumCategory, ForumFollow, ForumPost, ForumReport, ForumThread


def not_moderated(prefix: str = "") -> Q:
    """Q for "neither hidden nor deleted" on threads or posts, or on the ones at `prefix` ("thread__", "posts__")."""
    return Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}deleted_at__isnull": True})


VISIBLE_POST = VISIBLE_THREAD = not_moderated()


def visible_posts() -> QuerySet[ForumPost]:
    """Posts members may read: not moderated, in a thread members may read."""
    return ForumPost.objects.filter(VISIBLE_POST, not_moderated("thread__"))


def categories() -> QuerySet[ForumCategory]:
    # Explicit order_by: Django drops Meta.ordering from aggregating (GROUP BY) queries.
    return ForumCategory.objects.annotate(thread_count=Count("threads", filter=not_moderated("threads__"))).order_by(
        "sort_order", "name"
    )


def category(*, slug: str) -> ForumCategory | None:
    if "\x00" in slug:  # PostgreSQL refuses NUL in a query: no slug has one
        return None
    return ForumCategory.objects.filter(slug=slug).first()


def threads(*, category: str | None = None) -> QuerySet[ForumThread]:
    """Visible threads, latest activity first, each with `reply_count` and `last_post_id` (visible posts only)."""
    rows = ForumThread.objects.filter(VISIBLE_THREAD).select_related("category", "author__membership__agency")
    if category is not None:
        # PostgreSQL refuses NUL in a query: no slug has one
        rows = rows.filter(category__slug=category) if "\x00" not in category else rows.none()
    latest_post = (
        ForumPost.objects.filter(VISIBLE_POST, thread=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    )
    return rows.annotate(
        reply_count=Count("posts", filter=not_moderated("posts__") & Q(posts__is_opening=False)),
        last_post_id=Subquery(latest_post),
    ).order_by("-last_activity_at", "-id")  # Meta.ordering is dropped under GROUP BY


def thread(*, id: int) -> ForumThread | None:
    return threads().filter(pk=id).first()


def thread_posts(thread: ForumThread) -> QuerySet[ForumPost]:
    """A thread's visible posts, oldest first (the opening post leads), each with `has_open_report`."""
    return (
        ForumPost.objects.filter(VISIBLE_POST, thread=thread)
        .select_related("author__membership__agency")
        .annotate(has_open_report=open_report_exists())
        .order_by("created_at", "id")
    )


def posts_by_id(ids) -> dict[int, ForumPost]:
    rows = (
        ForumPost.objects.filter(pk__in=set(ids))
        .select_related("author__membership__agency")
        .annotate(has_open_report=open_report_exists())
    )
    return {post.pk: post for post in rows}


def open_report_exists() -> Exists:
    return Exists(ForumReport.objects.filter(post=OuterRef("pk"), status=ForumReport.Status.OPEN))


def post_for_member(*, id: int) -> ForumPost | None:
    """A post a member may act on (edit, report), with its thread; None when absent or moderated away."""
    return visible_posts().select_related("thread", "author").filter(pk=id).first()


def thread_for_member(*, id: int) -> ForumThread | None:
    return ForumThread.objects.filter(VISIBLE_THREAD, pk=id).first()


def active_ban(member) -> ForumBan | None:
    """The member's active ban, the longest-lasting one first (a ban until lifted outlasts any dated one)."""
    return ForumBan.objects.active().filter(member=member).order_by(F("expires_at").desc(nulls_first=True)).first()


def followed_thread_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(ForumFollow.objects.filter(user=user, following=True).values_list("thread_id", flat=True))


def author_agency_name(user) -> str:
    """The author's agency as members see it (a public-facing directory field); empty for staff and former members.
    Reads `user.membership.agency`: select_related("author__membership__agency") keeps lists at one query."""
    membership = getattr(user, "membership", None) if user is not None else None
    return membership.agency.name if membership is not None else ""


SEARCH_MAX_LENGTH = 100


def search_posts(*, text: str) -> QuerySet[ForumPost]:
    """Visible posts in visible threads whose body or thread title holds every word of `text`, newest first.
    Raises ValidationError for a search that cannot mean anything (empty, too long, control characters)."""
    from django.core.exceptions import ValidationError

    text = (text or "").strip()
    if not text:
        raise ValidationError("Give some words to search for.", code="required")
    if len(text) > SEARCH_MAX_LENGTH or any(ord(char) < 32 for char in text):
        raise ValidationError(f"Search for at most {SEARCH_MAX_LENGTH} characters of plain text.", code="invalid")
    rows = visible_posts()
    for word in text.split()[:8]:
        rows = rows.filter(Q(body_html__icontains=word) | Q(thread__title__icontains=word))
    return (
        rows.select_related("thread", "author__membership__agency")
        .annotate(has_open_report=open_report_exists())
        .order_by("-created_at", "-id")
    )


def display_name(user) -> str:
    """How a member is named to other members: their full name, never their email or username."""
    if user is None:
        return "Former member"
    return user.get_full_name() or "Member"
