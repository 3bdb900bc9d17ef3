"""Reads for the forum. Visibility is decided here once: moderated (hidden or deleted) threads and posts are absent
for every member, their authors included; a restricted category (`ForumCategory.restricted_to`), its threads and
posts are absent for everyone outside its groups, except forum moderators. Every read a member makes takes the
reader (`user`); the admin reads the models directly and sees everything.

Lists carry what their cards show in the same query (reply count, latest visible post id), so a page of threads
costs the same number of queries whatever its size.
"""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from community.forum.models import ForumBan, ForumCategory, ForumFollow, ForumPost, ForumReport, ForumThread
from community.forum.permissions import can_moderate

Restriction = ForumCategory.restricted_to.through


def readable_categories(user) -> QuerySet[ForumCategory]:
    """The categories `user` may read: every open one, and restricted ones whose groups they are in; all of them
    for forum moderators (they judge reports from anywhere); none for an anonymous or inactive caller."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ForumCategory.objects.none()
    if can_moderate(user):
        return ForumCategory.objects.all()
    restrictions = Restriction.objects.filter(forumcategory=OuterRef("pk"))
    return ForumCategory.objects.filter(~Exists(restrictions) | Exists(restrictions.filter(group__user=user)))


def can_read_category(user, category_id: int) -> bool:
    return readable_categories(user).filter(pk=category_id).exists()


def in_readable_category(user, prefix: str = "") -> Q:
    """Q for threads (prefix "") or posts (prefix "thread__") in a category `user` may read."""
    return Q(**{f"{prefix}category__in": readable_categories(user).values("pk")})


def not_moderated(prefix: str = "") -> Q:
    """Q for "neither hidden nor deleted" on threads or posts, or on the ones at `prefix` ("thread__", "posts__")."""
    return Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}deleted_at__isnull": True})


VISIBLE_POST = VISIBLE_THREAD = not_moderated()


def visible_posts(user) -> QuerySet[ForumPost]:
    """Posts `user` may read: not moderated, in a thread members may read, in a category `user` may read."""
    return ForumPost.objects.filter(VISIBLE_POST, not_moderated("thread__"), in_readable_category(user, "thread__"))


def categories(user) -> QuerySet[ForumCategory]:
    # Explicit order_by: Django drops Meta.ordering from aggregating (GROUP BY) queries.
    return (
        readable_categories(user)
        .annotate(
            thread_count=Count("threads", filter=not_moderated("threads__")),
            restricted=Exists(Restriction.objects.filter(forumcategory=OuterRef("pk"))),
        )
        .order_by("sort_order", "name")
    )


def category(user, *, slug: str) -> ForumCategory | None:
    """The category `user` may read with that slug; None also for a restricted one they may not (so its name and
    very existence stay with its groups)."""
    if "\x00" in slug:  # PostgreSQL refuses NUL in a query: no slug has one
        return None
    return readable_categories(user).filter(slug=slug).first()


def threads(user, *, category: str | None = None) -> QuerySet[ForumThread]:
    """Visible threads `user` may read, latest activity first, each with `reply_count` and `last_post_id` (visible
    posts only)."""
    rows = ForumThread.objects.filter(VISIBLE_THREAD, in_readable_category(user)).select_related(
        "category", "author__membership__agency"
    )
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


def thread(user, *, id: int) -> ForumThread | None:
    return threads(user).filter(pk=id).first()


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


def post_for_member(user, *, id: int) -> ForumPost | None:
    """A post `user` may act on (edit, report), with its thread; None when absent, moderated away or in a category
    they may not read."""
    return visible_posts(user).select_related("thread", "author").filter(pk=id).first()


def thread_for_member(user, *, id: int) -> ForumThread | None:
    return ForumThread.objects.filter(VISIBLE_THREAD, in_readable_category(user), pk=id).first()


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


def search_posts(user, *, text: str) -> QuerySet[ForumPost]:
    """Visible posts in visible threads of categories `user` may read whose body or thread title holds every word
    of `text`, newest first.
    Raises ValidationError for a search that cannot mean anything (empty, too long, control characters)."""
    from django.core.exceptions import ValidationError

    text = (text or "").strip()
    if not text:
        raise ValidationError("Give some words to search for.", code="required")
    if len(text) > SEARCH_MAX_LENGTH or any(ord(char) < 32 for char in text):
        raise ValidationError(f"Search for at most {SEARCH_MAX_LENGTH} characters of plain text.", code="invalid")
    rows = visible_posts(user)
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
