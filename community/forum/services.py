"""Writes for the forum: members post, edit and report; moderators hide, lock, delete and ban.

Members' writes raise `ValidationError` (shown as field errors by the GraphQL mutations) or `PostingBanned`.
Every moderation write records a `ModerationAction` in the same transaction: no action without its audit row.
"""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cms.ratelimit import window_hit
from community import notifications
from community.forum.models import (
    ForumBan,
    ForumCategory,
    ForumFollow,
    ForumPost,
    ForumReport,
    ForumThread,
    ModerationAction,
)
from community.forum.permissions import FORUM_MODERATORS, MODERATE_PERMISSION
from community.forum.selectors import active_ban, author_agency_name, display_name
from community.models import NotificationCategory

# The small subset a discussion needs; everything else is stripped (its text kept), <script> and <style> with
# their content. Only a[href] survives as an attribute, so no event handler or style can get through.
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Members' links earn no search ranking from us (nofollow ugc) and get no handle on the reader's tab (noopener).
LINK_REL = "nofollow ugc noopener"

MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Action = ModerationAction.Action


class PostingBanned(Exception):
    """The member is banned from posting; the message (with the reason and any end date) is for them."""

    def __init__(self, ban: ForumBan):
        until = f" until {ban.expires_at:%Y-%m-%d %H:%M} UTC" if ban.expires_at else ""
        super().__init__(f"You are banned from posting in the forum{until}. Reason: {ban.reason}")
        self.ban = ban


# --- members -------------------------------------------------------------------------------------------------


def absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    """Drop relative hrefs: ammonia keeps them (no scheme to check), but "/admin/" or "//evil.example" would
    resolve against whichever partner site shows the post."""
    if attribute == "href" and urlsplit(value).scheme.lower() not in ALLOWED_URL_SCHEMES:
        return None
    return value


def sanitise_body(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=absolute_links_only,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def clean_body(body: str) -> str:
    """The sanitised body, or a ValidationError on `body` when it is empty or too long once sanitised."""
    html = sanitise_body(body or "")
    if not nh3.clean(html, tags=set()).strip():
        raise ValidationError({"body": ValidationError("Write something: the post is empty.", code="required")})
    limit = settings.FORUM_MAX_BODY_LENGTH
    if len(html) > limit:
        raise ValidationError(
            {
                "body": ValidationError(
                    f"Posts may be at most {limit} characters (this one has {len(html)}).", code="max_length"
                )
            }
        )
    return html


def clean_title(title: str) -> str:
    """Titles are plain text: markup is refused rather than escaped, so no partner ever renders it as HTML."""
    title = " ".join((title or "").split())
    limit = settings.FORUM_MAX_TITLE_LENGTH
    if not title:
        problem = ValidationError("Give the thread a title.", code="required")
    elif len(title) > limit:
        problem = ValidationError(f"Titles may be at most {limit} characters.", code="max_length")
    elif MARKUP.search(title) or CONTROL_CHARACTERS.search(title):
        problem = ValidationError("Titles are plain text: remove the HTML.", code="invalid")
    else:
        return title
    raise ValidationError({"title": problem})


def ensure_not_banned(member) -> None:
    ban = active_ban(member)
    if ban is not None:
        raise PostingBanned(ban)


def take_slot(member, *, kind: str, limit: int, what: str) -> None:
    """Count one `kind` of write against the member's limit per FORUM_POST_RATE_WINDOW_SECONDS (fixed window in the
    shared cache, atomic INCR on Redis); a ValidationError with code RATE_LIMITED when over."""
    if limit <= 0:
        return
    window = settings.FORUM_POST_RATE_WINDOW_SECONDS
    count, retry_after = window_hit(f"forum:{kind}:{member.pk}", window)
    if count > limit:
        raise ValidationError(
            f"You are {what} too fast: at most {limit} per {window} s. Try again in {retry_after} s.",
            code="RATE_LIMITED",
        )


def take_posting_slot(member) -> None:
    take_slot(member, kind="posts", limit=settings.FORUM_POST_RATE_LIMIT, what="posting")


@transaction.atomic
def forum_thread_create(*, author, category: ForumCategory, title: str, body: str) -> ForumThread:
    ensure_not_banned(author)
    title, html = _clean_together(lambda: clean_title(title), lambda: clean_body(body))
    take_posting_slot(author)
    now = timezone.now()
    thread = ForumThread.objects.create(
        category=category, title=title, author=author, created_at=now, last_activity_at=now
    )
    ForumPost.objects.create(thread=thread, author=author, is_opening=True, body_html=html, created_at=now)
    ForumFollow.objects.create(user=author, thread=thread)
    return thread


@transaction.atomic
def forum_reply_create(*, author, thread: ForumThread, body: str) -> ForumPost:
    ensure_not_banned(author)
    html = clean_body(body)
    thread = ForumThread.objects.select_for_update().get(pk=thread.pk)  # a lock racing the reply wins or loses whole
    if thread.is_locked:
        raise ValidationError(
            {"threadId": ValidationError("This thread is locked: it takes no new replies.", code="locked")}
        )
    take_posting_slot(author)
    now = timezone.now()
    post = ForumPost.objects.create(thread=thread, author=author, body_html=html, created_at=now)
    ForumThread.objects.filter(pk=thread.pk).update(last_activity_at=now)
    ForumFollow.objects.get_or_create(user=author, thread=thread)  # an earlier unfollow stands
    _tell_followers(post)
    return post


# --- notifications ---------------------------------------------------------------------------------------------


def thread_member_link(thread: ForumThread) -> str:
    path = settings.MEMBERS_FORUM_THREAD_PATH.format(id=thread.pk)
    return (settings.MEMBERS_SITE_URL or settings.PUBLIC_BASE_URL).rstrip("/") + "/" + path.lstrip("/")


def excerpt(post: ForumPost, length: int = 500) -> str:
    text = " ".join(nh3.clean(post.body_html, tags=set()).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _tell_followers(post: ForumPost) -> None:
    """Email each follower of the thread once about a new reply: not its author, not unfollowers, not those who may
    no longer read its category (notify() checks the audience)."""
    followers = (
        ForumFollow.objects.filter(thread=post.thread, following=True)
        .exclude(user_id=post.author_id)
        .select_related("user")
    )
    context = {
        "thread": post.thread,
        "author_name": display_name(post.author),
        "author_agency": author_agency_name(post.author),
        "excerpt": excerpt(post),
    }
    for follow in followers:
        notifications.notify(
            recipient=follow.user,
            category=NotificationCategory.FORUM_REPLIES,
            kind="forum.reply",
            template="forum_reply",
            context=context,
            link=thread_member_link(post.thread),
            audience_members=True,
            # Checked again when sent: a follower who lost access to a restricted category gets nothing.
            audience_forum_category=post.thread.category,
        )


def forum_follow_set(*, member, thread: ForumThread, following: bool) -> ForumFollow:
    follow, _ = ForumFollow.objects.update_or_create(
        user=member, thread=thread, defaults={"following": following, "updated_at": timezone.now()}
    )
    return follow


def _tell_moderators(report: ForumReport) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    post = report.post
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("forum_reports:inspect", args=[report.pk])
    moderators = get_user_model().objects.filter(groups__name=FORUM_MODERATORS, is_active=True).distinct()
    for moderator in moderators:
        notifications.notify(
            recipient=moderator,
            category=NotificationCategory.FORUM_REPORTS,
            kind="forum.report",
            template="forum_report",
            context={
                "thread": post.thread,
                "report": report,
                "author_name": display_name(post.author),
                "excerpt": excerpt(post),
            },
            link=link,
            audience_permission=MODERATE_PERMISSION,
        )


def edit_deadline(post: ForumPost) -> datetime:
    return post.created_at + timedelta(minutes=settings.FORUM_EDIT_WINDOW_MINUTES)


@transaction.atomic
def forum_post_edit(*, editor, post: ForumPost, body: str, title: str | None = None) -> ForumPost:
    """The author's own edit, within FORUM_EDIT_WINDOW_MINUTES, of a visible post in an unlocked thread."""
    ensure_not_banned(editor)
    post = ForumPost.objects.select_for_update().select_related("thread").get(pk=post.pk)
    refusal = _edit_refusal(editor, post)
    if refusal:
        raise ValidationError({"id": refusal})
    if title is not None and not post.is_opening:
        raise ValidationError({"title": ValidationError("Only a thread's opening post has a title.", code="invalid")})
    if title is not None:
        title, html = _clean_together(lambda: clean_title(title), lambda: clean_body(body))
    else:
        html = clean_body(body)
    take_posting_slot(editor)
    post.body_html = html
    post.edited_at = timezone.now()
    post.save(update_fields=["body_html", "edited_at"])
    if title is not None:
        ForumThread.objects.filter(pk=post.thread_id).update(title=title)
    return post


def can_edit(user, post: ForumPost, now: datetime | None = None) -> bool:
    return _edit_refusal(user, post, now) is None


def _edit_refusal(user, post: ForumPost, now: datetime | None = None) -> ValidationError | None:
    if post.author_id != user.pk:
        return ValidationError("You can only edit your own posts.", code="forbidden")
    if not post.is_visible or not post.thread.is_visible:
        return ValidationError("This post was removed by a moderator.", code="hidden")
    if post.thread.is_locked:
        return ValidationError("This thread is locked: its posts can no longer be edited.", code="locked")
    if (now or timezone.now()) > edit_deadline(post):
        minutes = settings.FORUM_EDIT_WINDOW_MINUTES
        return ValidationError(f"Posts can only be edited within {minutes} minutes of posting.", code="edit_window")
    has_open_report = getattr(post, "has_open_report", None)
    if has_open_report is None:
        has_open_report = post.reports.filter(status=ForumReport.Status.OPEN).exists()
    if has_open_report:
        # Keeps the evidence moderators are about to read.
        return ValidationError("This post has been reported and is waiting for a moderator.", code="reported")
    return None


def forum_post_report(*, reporter, post: ForumPost, reason: str) -> ForumReport:
    """Report a post to the moderators; a member's second report of the same post changes nothing."""
    ensure_not_banned(reporter)
    reason = (reason or "").strip()
    limit = settings.FORUM_MAX_REPORT_REASON_LENGTH
    if not reason:
        raise ValidationError({"reason": ValidationError("Say what is wrong with the post.", code="required")})
    if len(reason) > limit:
        raise ValidationError({"reason": ValidationError(f"At most {limit} characters.", code="max_length")})
    if CONTROL_CHARACTERS.search(reason):  # PostgreSQL cannot even store a NUL
        raise ValidationError({"reason": ValidationError("Remove the control characters.", code="invalid")})
    existing = ForumReport.objects.filter(post=post, reporter=reporter).first()
    if existing is not None:
        return existing  # a repeat: no new row, no slot used
    # Reports have their own budget: a member flagging many posts must not flood the moderators' queue.
    take_slot(reporter, kind="reports", limit=settings.FORUM_REPORT_RATE_LIMIT, what="reporting")
    with transaction.atomic():
        report, created = ForumReport.objects.get_or_create(post=post, reporter=reporter, defaults={"reason": reason})
        if created:
            _tell_moderators(report)
    return report


def _clean_together(*cleaners):
    """Run every cleaner and raise all their field errors at once (a form shows every problem, not the first)."""
    results, errors = [], {}
    for clean in cleaners:
        try:
            results.append(clean())
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return results


# --- moderators ----------------------------------------------------------------------------------------------


def _audit(*, actor, action: str, target: str, reason: str = "", **targets) -> ModerationAction:
    return ModerationAction.objects.create(actor=actor, action=action, target=target[:255], reason=reason, **targets)


def _post_target(post: ForumPost) -> str:
    return f"Post {post.pk} by {display_name(post.author)} in “{post.thread.title}”"


def _set_post(post: ForumPost, field: str, value, *, by, action: str, reason: str) -> ForumPost:
    setattr(post, field, value)
    post.save(update_fields=[field])
    _audit(actor=by, action=action, target=_post_target(post), reason=reason, post=post, thread=post.thread)
    return post


@transaction.atomic
def forum_post_hide(*, post: ForumPost, by, reason: str = "") -> ForumPost:
    """Hide the post and resolve its open reports (hiding is what they asked for), each resolution audited."""
    hidden = _set_post(post, "hidden_at", timezone.now(), by=by, action=Action.HIDE_POST, reason=reason)
    for report in post.reports.filter(status=ForumReport.Status.OPEN).select_related("post__thread"):
        forum_report_resolve(report=report, by=by, reason=reason or "Post hidden")
    return hidden


@transaction.atomic
def forum_post_unhide(*, post: ForumPost, by, reason: str = "") -> ForumPost:
    return _set_post(post, "hidden_at", None, by=by, action=Action.UNHIDE_POST, reason=reason)


@transaction.atomic
def forum_post_delete(*, post: ForumPost, by, reason: str = "") -> ForumPost:
    """Soft delete: members never see it again, the audit trail and reports keep pointing at it."""
    return _set_post(post, "deleted_at", timezone.now(), by=by, action=Action.DELETE_POST, reason=reason)


def _set_thread(thread: ForumThread, field: str, value, *, by, action: str, reason: str) -> ForumThread:
    setattr(thread, field, value)
    thread.save(update_fields=[field])
    _audit(actor=by, action=action, target=f"Thread “{thread.title}”", reason=reason, thread=thread)
    return thread


@transaction.atomic
def forum_thread_lock(*, thread: ForumThread, by, reason: str = "") -> ForumThread:
    return _set_thread(thread, "locked_at", timezone.now(), by=by, action=Action.LOCK_THREAD, reason=reason)


@transaction.atomic
def forum_thread_unlock(*, thread: ForumThread, by, reason: str = "") -> ForumThread:
    return _set_thread(thread, "locked_at", None, by=by, action=Action.UNLOCK_THREAD, reason=reason)


@transaction.atomic
def forum_thread_hide(*, thread: ForumThread, by, reason: str = "") -> ForumThread:
    return _set_thread(thread, "hidden_at", timezone.now(), by=by, action=Action.HIDE_THREAD, reason=reason)


@transaction.atomic
def forum_thread_unhide(*, thread: ForumThread, by, reason: str = "") -> ForumThread:
    return _set_thread(thread, "hidden_at", None, by=by, action=Action.UNHIDE_THREAD, reason=reason)


@transaction.atomic
def forum_thread_delete(*, thread: ForumThread, by, reason: str = "") -> ForumThread:
    return _set_thread(thread, "deleted_at", timezone.now(), by=by, action=Action.DELETE_THREAD, reason=reason)


@transaction.atomic
def forum_member_ban(*, member, by, reason: str, expires_at: datetime | None = None) -> ForumBan:
    ban = ForumBan.objects.create(member=member, reason=reason, expires_at=expires_at, created_by=by)
    until = f" until {expires_at:%Y-%m-%d %H:%M %Z}" if expires_at else ""
    _audit(
        actor=by,
        action=Action.BAN_MEMBER,
        target=f"{display_name(member)} ({member.get_username()}){until}",
        reason=reason,
        member=member,
    )
    return ban


@transaction.atomic
def forum_ban_lift(*, ban: ForumBan, by, reason: str = "") -> ForumBan:
    ban.lifted_at = timezone.now()
    ban.lifted_by = by
    ban.save(update_fields=["lifted_at", "lifted_by"])
    member = ban.member
    _audit(
        actor=by,
        action=Action.UNBAN_MEMBER,
        target=f"{display_name(member)} ({member.get_username()})",
        reason=reason,
        member=member,
    )
    return ban


@transaction.atomic
def forum_report_resolve(*, report: ForumReport, by, reason: str = "") -> ForumReport:
    """Resolve an open report (audited); one already resolved (hiding its post resolves it) stays as it was."""
    if report.status == ForumReport.Status.RESOLVED:
        return report
    report.status = ForumReport.Status.RESOLVED
    report.resolved_at = timezone.now()
    report.resolved_by = by
    report.save(update_fields=["status", "resolved_at", "resolved_by"])
    _audit(
        actor=by,
        action=Action.RESOLVE_REPORT,
        target=f"Report on {_post_target(report.post)}",
        reason=reason,
        report=report,
        post=report.post,
        thread=report.post.thread,
    )
    return report
