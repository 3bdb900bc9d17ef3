"""The forum over GraphQL: `ForumQuery` and `ForumMutation`, registered with the partner API's root types.

Members only, entirely: every root field and mutation starts with `require_member` (UNAUTHENTICATED without a token,
FORBIDDEN for a non-member's token), so nothing of the forum reaches anyone else, not even category names.
Moderated (hidden, deleted) threads and posts are absent for everyone, and a restricted category with its threads and
posts for everyone outside its groups (`selectors`: not found, as if absent); banned members read but every
mutation of theirs is refused with the code BANNED. Mutations return their object or field errors, never both.
"""

from dataclasses import dataclass

import graphene
from django.core.exceptions import ValidationError

from community.forum import selectors, services
from community.forum.models import ForumThread
from integrations.graphql import cache
from integrations.graphql.loaders import parse_id, viewer
from integrations.graphql.mutations import (
    ERRORS_DESCRIPTION,
    AccessDenied,
    FieldErrorType,
    field_errors,
    require_member,
)
from integrations.graphql.pagination import paginate, paginated_type, pagination_arguments
from integrations.graphql.registry import registry

# --- types ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    user: object  # None once the account is deleted: the posts stay, "Former member" wrote them


class ForumAuthorType(graphene.ObjectType):
    """Who wrote a thread or post, as other members see them (their full name; never an email)."""

    name = graphene.String(
        required=True, description='The author\'s full name, or "Former member" once their account is deleted.'
    )
    agency_name = graphene.String(
        required=True, description="The author's member agency (its public-facing name); empty for NCPI staff."
    )

    class Meta:
        name = "ForumAuthor"

    @staticmethod
    def resolve_name(author, info):
        return selectors.display_name(author.user)

    @staticmethod
    def resolve_agency_name(author, info):
        return selectors.author_agency_name(author.user)


def author_field():
    return graphene.Field(
        ForumAuthorType, required=True, resolver=lambda item, info: Author(item.author), description="Who wrote it."
    )


class ForumCategoryType(graphene.ObjectType):
    """A section of the members' forum, e.g. Crisis response in the field or Training & curriculum."""

    id = graphene.ID(required=True, description="The category's id.")
    name = graphene.String(required=True, description="The category's name (plain text).")
    slug = graphene.String(required=True, description="Pass to forumThreads(category:).")
    description = graphene.String(required=True, description="What belongs in the category (plain text).")
    thread_count = graphene.Int(
        required=True, description="Visible threads in the category (removed ones not counted)."
    )
    restricted = graphene.Boolean(
        required=True,
        description="True when only some members see the category (e.g. CIT coordinators): a front end can mark "
        "it as such. Those outside its groups never get it, its threads or its posts, on any field.",
    )

    class Meta:
        name = "ForumCategory"

    @staticmethod
    def resolve_restricted(category, info):
        restricted = getattr(category, "restricted", None)  # annotated by selectors.categories()
        return category.restricted_to.exists() if restricted is None else restricted


class ForumPostType(graphene.ObjectType):
    """One post in a thread: the opening question or a reply."""

    id = graphene.ID(required=True, description="The post's id, for editForumPost and reportForumPost.")
    author = author_field()
    body_html = graphene.String(
        required=True,
        description="Sanitised HTML (p, br, strong, em, ul, ol, li, blockquote, code, and a[href] with "
        'rel="nofollow ugc noopener"): safe to insert as is.',
    )
    is_opening = graphene.Boolean(required=True, description="The thread's first post (the question asked).")
    created_at = graphene.DateTime(required=True, description="When the post was written (UTC).")
    edited_at = graphene.DateTime(description="When its author last edited it (null: never).")
    can_edit = graphene.Boolean(
        required=True, description="Whether the caller may edit it now (their own, within the edit window)."
    )
    editable_until = graphene.DateTime(required=True, description="The end of the author's edit window.")
    thread_id = graphene.ID(required=True, description="The thread the post belongs to (forumThread(id:)).")
    thread_title = graphene.String(required=True, description="That thread's title: plain text (never HTML).")

    class Meta:
        name = "ForumPost"

    @staticmethod
    def resolve_thread_title(post, info):
        return post.thread.title

    @staticmethod
    def resolve_can_edit(post, info):
        return services.can_edit(viewer(info), post)

    @staticmethod
    def resolve_editable_until(post, info):
        return services.edit_deadline(post)


PaginatedForumPostsType = paginated_type(
    ForumPostType, "PaginatedForumPosts", "One page of a forum thread's posts, oldest first."
)


class ForumThreadType(graphene.ObjectType):
    """A discussion in the members' forum: an opening post and its replies."""

    id = graphene.ID(required=True, description="The thread's id, for forumThread(id:) and createForumReply.")
    title = graphene.String(required=True, description="Plain text (never HTML).")
    category = graphene.Field(ForumCategoryType, required=True, description="The category the thread is in.")
    author = author_field()
    created_at = graphene.DateTime(required=True, description="When the thread was started (UTC).")
    last_activity_at = graphene.DateTime(
        required=True, description="When its latest visible post was written (UTC); threads are listed by it."
    )
    locked = graphene.Boolean(required=True, description="Locked threads take no replies or edits.")
    reply_count = graphene.Int(required=True, description="Visible replies (the opening post not counted).")
    last_post = graphene.Field(ForumPostType, description="The latest visible post (the opening one when no reply).")
    posts = graphene.Field(
        PaginatedForumPostsType,
        required=True,
        description="The visible posts, oldest first: the opening post, then the replies.",
        **pagination_arguments(),
    )

    viewer_follows = graphene.Boolean(
        required=True,
        description="Whether the caller follows the thread (gets emails about its replies; followForumThread).",
    )

    class Meta:
        name = "ForumThread"

    @staticmethod
    def resolve_viewer_follows(thread, info):
        return thread.pk in followed_thread_ids(info)

    @staticmethod
    def resolve_locked(thread, info):
        return thread.is_locked

    @staticmethod
    def resolve_last_post(thread, info):
        return thread.last_post

    @staticmethod
    def resolve_posts(thread, info, page=1, per_page=None):
        def attach_thread(rows):
            for post in rows:
                post.thread = thread  # can_edit reads it: no query per post
            return rows

        return paginate(selectors.thread_posts(thread), page=page, per_page=per_page, prepare=attach_thread)


PaginatedForumThreadsType = paginated_type(
    ForumThreadType, "PaginatedForumThreads", "One page of forum threads, most recently active first."
)


def prepare_threads(rows: list[ForumThread]) -> list[ForumThread]:
    """Load every thread's latest visible post (with its author) in one query."""
    latest = selectors.posts_by_id(thread.last_post_id for thread in rows if thread.last_post_id)
    for thread in rows:
        thread.last_post = latest.get(thread.last_post_id)
        if thread.last_post is not None:
            thread.last_post.thread = thread
    return rows


def followed_thread_ids(info) -> set[int]:
    """The caller's followed threads, loaded once per request (so lists of threads cost one query for it)."""
    request = info.context
    if not hasattr(request, "_forum_followed"):
        request._forum_followed = selectors.followed_thread_ids(viewer(info))
    return request._forum_followed


def by_id(find, user, raw_id):
    """`find(user, id=...)` for an id a caller sent; None when it cannot name a row."""
    pk = parse_id(raw_id)
    return find(user, id=pk) if pk else None


# --- queries -------------------------------------------------------------------------------------------------


class ForumQuery(graphene.ObjectType):
    forum_categories = graphene.List(
        graphene.NonNull(ForumCategoryType), required=True, description="Members only. The forum's categories."
    )
    forum_threads = graphene.Field(
        PaginatedForumThreadsType,
        required=True,
        category=graphene.String(description="A category slug; all categories when absent."),
        description="Members only. Threads, latest activity first.",
        **pagination_arguments(),
    )
    forum_thread = graphene.Field(
        ForumThreadType,
        id=graphene.ID(required=True, description="The thread's `id`."),
        description="Members only. Null when absent or removed.",
    )

    forum_search = graphene.Field(
        PaginatedForumPostsType,
        required=True,
        text=graphene.String(
            required=True, description="Words to find (all must match) in posts and thread titles; at most 100."
        ),
        description="Members only. Visible posts whose text or thread title holds every word, newest first; posts "
        "and threads moderators hid or deleted are never found.",
        **pagination_arguments(),
    )

    @staticmethod
    def resolve_forum_search(root, info, text, page=1, per_page=None):
        member = require_member(info)
        try:
            rows = selectors.search_posts(member, text=text)
        except ValidationError as error:
            raise AccessDenied(" ".join(error.messages), "BAD_USER_INPUT") from None
        return paginate(rows, page=page, per_page=per_page)

    @staticmethod
    def resolve_forum_categories(root, info):
        return selectors.categories(require_member(info))

    @staticmethod
    def resolve_forum_threads(root, info, category=None, page=1, per_page=None):
        rows = selectors.threads(require_member(info), category=category)
        return paginate(rows, page=page, per_page=per_page, prepare=prepare_threads)

    @staticmethod
    def resolve_forum_thread(root, info, id):
        found = by_id(selectors.thread, require_member(info), id)
        return prepare_threads([found])[0] if found else None


# --- mutations -----------------------------------------------------------------------------------------------


def errors_field():
    return graphene.List(graphene.NonNull(FieldErrorType), required=True, description=ERRORS_DESCRIPTION)


def not_found(field: str, what: str) -> list[FieldErrorType]:
    return [FieldErrorType(field=field, message=f"No such {what}, or it was removed.", code="not_found")]


def perform(info, action):
    """Run `action(member)` for a member caller: field errors for bad input, BANNED for banned members."""
    member = require_member(info)
    try:
        return action(member)
    except services.PostingBanned as banned:
        raise AccessDenied(str(banned), "BANNED") from None
    except ValidationError as error:
        return field_errors(error)


def shown_thread(member, thread: ForumThread) -> ForumThread:
    """The thread as queries return it (reply count, last post)."""
    return prepare_threads([selectors.thread(member, id=thread.pk)])[0]


class CreateForumThreadInput(graphene.InputObjectType):
    """A new thread: where it goes, its title and its opening post."""

    category = graphene.String(required=True, description="The category's slug.")
    title = graphene.String(required=True, description="Plain text, at most 200 characters.")
    body = graphene.String(required=True, description="HTML (sanitised; see ForumPost.bodyHtml), at most 20,000.")


class CreateForumThread(graphene.Mutation):
    class Arguments:
        input = CreateForumThreadInput(required=True, description="The thread to start.")

    thread = graphene.Field(ForumThreadType, description="The new thread; null when `errors` is not empty.")
    errors = errors_field()

    class Meta:
        name = "CreateForumThreadPayload"
        description = "Members only. Start a thread; its body is the opening post."

    @staticmethod
    def mutate(root, info, input):
        def create(member):
            category = selectors.category(member, slug=input.category)
            if category is None:
                return not_found("category", "category")
            thread = services.forum_thread_create(author=member, category=category, title=input.title, body=input.body)
            return shown_thread(member, thread)

        return payload(CreateForumThread, "thread", perform(info, create))


class CreateForumReplyInput(graphene.InputObjectType):
    """A reply to a thread."""

    thread_id = graphene.ID(required=True, description="The thread's `id`.")
    body = graphene.String(required=True, description="HTML (sanitised; see ForumPost.bodyHtml), at most 20,000.")


def payload(payload_class, field: str, result):
    """The mutation's payload: `field` set to the object, or to null with `result`'s field errors."""
    if isinstance(result, list):
        return payload_class(**{field: None}, errors=result)
    return payload_class(**{field: result}, errors=[])


class CreateForumReply(graphene.Mutation):
    class Arguments:
        input = CreateForumReplyInput(required=True, description="The reply and the thread it answers.")

    post = graphene.Field(ForumPostType, description="The new reply; null when `errors` is not empty.")
    errors = errors_field()

    class Meta:
        name = "CreateForumReplyPayload"
        description = "Members only. Reply to a thread (refused with code 'locked' when the thread is locked)."

    @staticmethod
    def mutate(root, info, input):
        def create(member):
            thread = by_id(selectors.thread_for_member, member, input.thread_id)
            if thread is None:
                return not_found("threadId", "thread")
            return services.forum_reply_create(author=member, thread=thread, body=input.body)

        return payload(CreateForumReply, "post", perform(info, create))


class EditForumPostInput(graphene.InputObjectType):
    """The post's new content."""

    body = graphene.String(required=True, description="The new HTML body (replaces the old one).")
    title = graphene.String(description="Opening posts only: the thread's new title.")


class EditForumPost(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True, description="The post's `id`.")
        input = EditForumPostInput(required=True, description="The post's new content.")

    post = graphene.Field(ForumPostType, description="The edited post; null when `errors` is not empty.")
    errors = errors_field()

    class Meta:
        name = "EditForumPostPayload"
        description = (
            "Members only. Edit your own post within the edit window (codes: forbidden, edit_window, locked, "
            "reported, hidden)."
        )

    @staticmethod
    def mutate(root, info, id, input):
        def edit(member):
            post = by_id(selectors.post_for_member, member, id)
            if post is None:
                return not_found("id", "post")
            return services.forum_post_edit(editor=member, post=post, body=input.body, title=input.title)

        return payload(EditForumPost, "post", perform(info, edit))


class ReportForumPost(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True, description="The post's `id`.")
        reason = graphene.String(required=True, description="What is wrong with the post (at most 1,000).")

    ok = graphene.Boolean(required=True, description="True when the moderators have the report.")
    errors = errors_field()

    class Meta:
        name = "ReportForumPostPayload"
        description = "Members only. Tell the moderators about a post; reporting it again changes nothing."

    @staticmethod
    def mutate(root, info, id, reason):
        def report(member):
            post = by_id(selectors.post_for_member, member, id)
            if post is None:
                return not_found("id", "post")
            return services.forum_post_report(reporter=member, post=post, reason=reason)

        result = perform(info, report)
        if isinstance(result, list):
            return ReportForumPost(ok=False, errors=result)
        return ReportForumPost(ok=True, errors=[])


class FollowForumThread(graphene.Mutation):
    class Arguments:
        thread_id = graphene.ID(required=True, description="The thread to follow or unfollow.")
        follow = graphene.Boolean(required=True, description="true to follow, false to stop following.")

    thread = graphene.Field(ForumThreadType, description="The thread, with viewerFollows; null on errors.")
    errors = graphene.List(
        graphene.NonNull(FieldErrorType), required=True, description="What went wrong; empty on success."
    )

    class Meta:
        name = "FollowForumThreadPayload"
        description = (
            "Members only. Follow a thread (its replies are emailed to you, immediately or in a daily digest as your "
            "notification preferences say) or stop following it. Starting or replying to a thread follows it; an "
            "unfollow stays until you follow again."
        )

    @staticmethod
    def mutate(root, info, thread_id, follow):
        member = require_member(info)
        thread = by_id(selectors.thread_for_member, member, thread_id)
        if thread is None:
            return FollowForumThread(thread=None, errors=not_found("threadId", "thread"))
        services.forum_follow_set(member=member, thread=thread, following=follow)
        info.context._forum_followed = selectors.followed_thread_ids(member)
        return FollowForumThread(thread=shown_thread(member, thread), errors=[])


class ForumMutation(graphene.ObjectType):
    create_forum_thread = CreateForumThread.Field()
    create_forum_reply = CreateForumReply.Field()
    edit_forum_post = EditForumPost.Field()
    report_forum_post = ReportForumPost.Field()
    follow_forum_thread = FollowForumThread.Field()


# First among the root's fields and mutations (registry.py explains `order`).
registry.register_query(ForumQuery, order=10)
# Posts change with every reply, not with a publish: never stored.
cache.declare_roots(uncached=["forumCategories", "forumThreads", "forumThread", "forumSearch"])
registry.register_mutation(ForumMutation, order=10)
