"""The forum over GraphQL: `ForumQuery` and `ForumMutation`, registered with the partner API's root types.

Members only, entirely: every root field and mutation starts with `require_member` (UNAUTHENTICATED without a token,
FORBIDDEN for a non-member's token), so nothing of the forum reaches anyone else, not even category names.
Moderated (hidden, deleted) threads and posts are absent for everyone (`selectors`); banned members read but every
mutation of theirs is refused with the code BANNED. Mutations return their object or field errors, never both.
"""

from dataclasses import dataclass

import graphene
from django.core.exceptions import ValidationError

from community.forum import selectors, services
from community.forum.models import ForumThread
from integrations.graphql import cache
from integrations.graphql.loaders import parse_id, viewer
from integrations.graphql.mutations import AccessDenied, FieldErrorType, field_errors, require_member
from integrations.graphql.pagination import paginate, paginated_type, pagination_arguments
from integrations.graphql.registry import registry

# --- types ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    user: object  # None once the account is deleted: the posts stay, "Former member" wrote them


class ForumAuthorType(graphene.ObjectType):
    """Who wrote a thread or post, as other members see them (their full name; never an email)."""

    name = graphene.String(required=True)

    class Meta:
        name = "ForumAuthor"

    @staticmethod
    def resolve_name(author, info):
        return selectors.display_name(author.user)


def author_field():
    return graphene.Field(
        ForumAuthorType, required=True, resolver=lambda item, info: Author(item.author), description="Who wrote it."
    )


class ForumCategoryType(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    slug = graphene.String(required=True, description="Pass to forumThreads(category:).")
    description = graphene.String(required=True)
    thread_count = graphene.Int(required=True)

    class Meta:
        name = "ForumCategory"


class ForumPostType(graphene.ObjectType):
    id = graphene.ID(required=True)
    author = author_field()
    body_html = graphene.String(
        required=True,
        description="Sanitised HTML (p, br, strong, em, ul, ol, li, blockquote, code, and a[href] with "
        'rel="nofollow ugc noopener"): safe to insert as is.',
    )
    is_opening = graphene.Boolean(required=True, description="The thread's first post (the question asked).")
    created_at = graphene.DateTime(required=True)
    edited_at = graphene.DateTime(description="When its author last edited it (null: never).")
    can_edit = graphene.Boolean(
        required=True, description="Whether the caller may edit it now (their own, within the edit window)."
    )
    editable_until = graphene.DateTime(required=True, description="The end of the author's edit window.")

    class Meta:
        name = "ForumPost"

    @staticmethod
    def resolve_can_edit(post, info):
        return services.can_edit(viewer(info), post)

    @staticmethod
    def resolve_editable_until(post, info):
        return services.edit_deadline(post)


PaginatedForumPostsType = paginated_type(ForumPostType, "PaginatedForumPosts")


class ForumThreadType(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True, description="Plain text (never HTML).")
    category = graphene.Field(ForumCategoryType, required=True)
    author = author_field()
    created_at = graphene.DateTime(required=True)
    last_activity_at = graphene.DateTime(required=True)
    locked = graphene.Boolean(required=True, description="Locked threads take no replies or edits.")
    reply_count = graphene.Int(required=True, description="Visible replies (the opening post not counted).")
    last_post = graphene.Field(ForumPostType, description="The latest visible post (the opening one when no reply).")
    posts = graphene.Field(
        PaginatedForumPostsType,
        required=True,
        description="The visible posts, oldest first: the opening post, then the replies.",
        **pagination_arguments(),
    )

    class Meta:
        name = "ForumThread"

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


PaginatedForumThreadsType = paginated_type(ForumThreadType, "PaginatedForumThreads")


def prepare_threads(rows: list[ForumThread]) -> list[ForumThread]:
    """Load every thread's latest visible post (with its author) in one query."""
    latest = selectors.posts_by_id(thread.last_post_id for thread in rows if thread.last_post_id)
    for thread in rows:
        thread.last_post = latest.get(thread.last_post_id)
        if thread.last_post is not None:
            thread.last_post.thread = thread
    return rows


def by_id(find, raw_id):
    """`find(id=...)` for an id a caller sent; None when it cannot name a row."""
    pk = parse_id(raw_id)
    return find(id=pk) if pk else None


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
        ForumThreadType, id=graphene.ID(required=True), description="Members only. Null when absent or removed."
    )

    @staticmethod
    def resolve_forum_categories(root, info):
        require_member(info)
        return selectors.categories()

    @staticmethod
    def resolve_forum_threads(root, info, category=None, page=1, per_page=None):
        require_member(info)
        return paginate(selectors.threads(category=category), page=page, per_page=per_page, prepare=prepare_threads)

    @staticmethod
    def resolve_forum_thread(root, info, id):
        require_member(info)
        found = by_id(selectors.thread, id)
        return prepare_threads([found])[0] if found else None


# --- mutations -----------------------------------------------------------------------------------------------


def errors_field():
    return graphene.List(graphene.NonNull(FieldErrorType), required=True)


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


def shown_thread(thread: ForumThread) -> ForumThread:
    """The thread as queries return it (reply count, last post)."""
    return prepare_threads([selectors.thread(id=thread.pk)])[0]


class CreateForumThreadInput(graphene.InputObjectType):
    category = graphene.String(required=True, description="The category's slug.")
    title = graphene.String(required=True, description="Plain text, at most 200 characters.")
    body = graphene.String(required=True, description="HTML (sanitised; see ForumPost.bodyHtml), at most 20,000.")


class CreateForumThread(graphene.Mutation):
    class Arguments:
        input = CreateForumThreadInput(required=True)

    thread = graphene.Field(ForumThreadType)
    errors = errors_field()

    class Meta:
        name = "CreateForumThreadPayload"
        description = "Members only. Start a thread; its body is the opening post."

    @staticmethod
    def mutate(root, info, input):
        def create(member):
            category = selectors.category(slug=input.category)
            if category is None:
                return not_found("category", "category")
            thread = services.forum_thread_create(author=member, category=category, title=input.title, body=input.body)
            return shown_thread(thread)

        return payload(CreateForumThread, "thread", perform(info, create))


class CreateForumReplyInput(graphene.InputObjectType):
    thread_id = graphene.ID(required=True)
    body = graphene.String(required=True, description="HTML (sanitised; see ForumPost.bodyHtml), at most 20,000.")


def payload(payload_class, field: str, result):
    """The mutation's payload: `field` set to the object, or to null with `result`'s field errors."""
    if isinstance(result, list):
        return payload_class(**{field: None}, errors=result)
    return payload_class(**{field: result}, errors=[])


class CreateForumReply(graphene.Mutation):
    class Arguments:
        input = CreateForumReplyInput(required=True)

    post = graphene.Field(ForumPostType)
    errors = errors_field()

    class Meta:
        name = "CreateForumReplyPayload"
        description = "Members only. Reply to a thread (refused with code 'locked' when the thread is locked)."

    @staticmethod
    def mutate(root, info, input):
        def create(member):
            thread = by_id(selectors.thread_for_member, input.thread_id)
            if thread is None:
                return not_found("threadId", "thread")
            return services.forum_reply_create(author=member, thread=thread, body=input.body)

        return payload(CreateForumReply, "post", perform(info, create))


class EditForumPostInput(graphene.InputObjectType):
    body = graphene.String(required=True, description="The new HTML body (replaces the old one).")
    title = graphene.String(description="Opening posts only: the thread's new title.")


class EditForumPost(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)
        input = EditForumPostInput(required=True)

    post = graphene.Field(ForumPostType)
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
            post = by_id(selectors.post_for_member, id)
            if post is None:
                return not_found("id", "post")
            return services.forum_post_edit(editor=member, post=post, body=input.body, title=input.title)

        return payload(EditForumPost, "post", perform(info, edit))


class ReportForumPost(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String(required=True, description="What is wrong with the post (at most 1,000).")

    ok = graphene.Boolean(required=True)
    errors = errors_field()

    class Meta:
        name = "ReportForumPostPayload"
        description = "Members only. Tell the moderators about a post; reporting it again changes nothing."

    @staticmethod
    def mutate(root, info, id, reason):
        def report(member):
            post = by_id(selectors.post_for_member, id)
            if post is None:
                return not_found("id", "post")
            return services.forum_post_report(reporter=member, post=post, reason=reason)

        result = perform(info, report)
        if isinstance(result, list):
            return ReportForumPost(ok=False, errors=result)
        return ReportForumPost(ok=True, errors=[])


class ForumMutation(graphene.ObjectType):
    create_forum_thread = CreateForumThread.Field()
    create_forum_reply = CreateForumReply.Field()
    edit_forum_post = EditForumPost.Field()
    report_forum_post = ReportForumPost.Field()


# First among the root's fields and mutations (registry.py explains `order`).
registry.register_query(ForumQuery, order=10)
# Posts change with every reply, not with a publish: never stored.
cache.declare_roots(uncached=["forumCategories", "forumThreads", "forumThread"])
registry.register_mutation(ForumMutation, order=10)
