"""The members' discussion forum: categories, threads, posts, reports, bans and the moderation audit trail.

A thread's opening words are its first post (`is_opening`), so every piece of member-written text is a `ForumPost`
and is hidden, edited, reported and deleted the same way. Nothing is ever removed from the database by moderation:
"delete" is a soft delete, so the audit trail can always point at what was acted on.

Only sanitised HTML is stored (`services.sanitise_body`). The raw source is not kept: it is exactly the script and
event-handler markup we refuse to serve, and keeping it would leave one careless template away from an XSS. What
moderators judge is what members saw, and that is the sanitised text. Edits of a reported post are refused, so the
evidence a report points at cannot be edited away.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ForumCategory(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used by partner sites: forumThreads(category:).")
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0, help_text="Lower numbers are listed first.")
    # Empty: open to every member. Otherwise only members of one of these groups (and forum moderators) see the
    # category, its threads and posts, anywhere: lists, search, follows and emails (`selectors.readable_categories`).
    restricted_to = models.ManyToManyField(
        Group,
        blank=True,
        related_name="+",
        verbose_name="visible only to",
        help_text="Leave empty for a category every member sees. Otherwise only members of these groups (and forum "
        "moderators) see it, its threads and posts, in search and in emails.",
    )

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "forum category"
        verbose_name_plural = "forum categories"

    def __str__(self):
        return self.name


class ForumThread(models.Model):
    category = models.ForeignKey(ForumCategory, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_threads"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Raised by every new visible post: threads are listed by latest activity, on an index, without aggregating.
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    locked_at = models.DateTimeField(null=True, blank=True, help_text="Locked threads take no new replies or edits.")
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        verbose_name = "forum thread"

    def __str__(self):
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and self.deleted_at is None


class ForumPost(models.Model):
    thread = models.ForeignKey(ForumThread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_posts"
    )
    is_opening = models.BooleanField(default=False, help_text="The thread's first post (its body).")
    body_html = models.TextField(help_text="Sanitised HTML, as members see it.")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "forum post"
        permissions = [("moderate_forum", "Can moderate the forum (hide, lock, delete, ban, resolve reports)")]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self):
        return f"Post {self.pk} in “{self.thread}”"

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and self.deleted_at is None


class ForumReport(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    post = models.ForeignKey(ForumPost, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="forum_reports"
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "forum report"
        constraints = [
            # One report per member per post: reporting again changes nothing (no flooding the queue).
            models.UniqueConstraint(fields=["post", "reporter"], name="forum_one_report_per_member_per_post"),
        ]

    def __str__(self):
        return f"Report on post {self.post_id}"


class ActiveBanQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ForumBan(models.Model):
    """A member banned from posting (reading stays allowed); lifted by a moderator or when it expires."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_bans")
    reason = models.TextField(help_text="Shown to the member when a post is refused.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty for a ban until lifted.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ActiveBanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "forum ban"

    def __str__(self):
        return f"Ban of {self.member}"


class ModerationAction(models.Model):
    """The audit trail: one row per moderation action, written by the service that performs it."""

    class Action(models.TextChoices):
        HIDE_POST = "hide_post", "Hid post"
        UNHIDE_POST = "unhide_post", "Unhid post"
        DELETE_POST = "delete_post", "Deleted post"
        HIDE_THREAD = "hide_thread", "Hid thread"
        UNHIDE_THREAD = "unhide_thread", "Unhid thread"
        LOCK_THREAD = "lock_thread", "Locked thread"
        UNLOCK_THREAD = "unlock_thread", "Unlocked thread"
        DELETE_THREAD = "delete_thread", "Deleted thread"
        BAN_MEMBER = "ban_member", "Banned member"
        UNBAN_MEMBER = "unban_member", "Lifted ban"
        RESOLVE_REPORT = "resolve_report", "Resolved report"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    thread = models.ForeignKey(ForumThread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(ForumPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(ForumReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What the target was called when acted on: kept readable even if the row it names goes away.
    target = models.CharField(max_length=255)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "moderation action"

    def __str__(self):
        return f"{self.get_action_display()}: {self.target}"


class ForumFollow(models.Model):
    """A member following a thread: its new replies are emailed to them (as their email preferences say).

    Starting a thread or replying follows it, once: a row with `following=False` is an explicit unfollow, which
    later replies of theirs do not undo."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_follows")
    thread = models.ForeignKey(ForumThread, on_delete=models.CASCADE, related_name="follows")
    following = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "forum follow"
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="forum_one_follow_per_member_thread")]

    def __str__(self):
        return f"{self.user} {'follows' if self.following else 'unfollowed'} {self.thread}"
