"""The API of `pages`: its root fields (`topics`, `topic`, `courses`, `guides`, `guide`, and `page`, `search`,
`searchResults`, `preview` over every content type), the eGuide's type, and the `Viewer` type that other apps
extend.

`pages` is the app every other content app builds on, and stays a leaf: it imports no other app, this API
included. So its adapter lives here, in the framework's one module that knows `pages`, and holds only what the
models cannot declare: pages' page types, `Topic` and `Person` are built from the models' `graphql_fields`
(fields.py), their StreamField blocks are typed in blocks.py, and the events app adds the calendar links of
`Topic` and the member's calendar to `Viewer` from its own `graphql.py`.
"""

import graphene
from graphql import GraphQLError

from integrations.graphql import cache, selectors
from integrations.graphql.blocks import ChapterBlockType
from integrations.graphql.fields import ModelType, after, choices_enum
from integrations.graphql.interfaces import PageInterface, PaginatedPagesType, content_kind_enum, stream_values
from integrations.graphql.loaders import get_loader, parse_id, viewer
from integrations.graphql.pagination import page_bounds, paginate, paginated_type, pagination_arguments
from integrations.graphql.preview import preview_page
from integrations.graphql.registry import registry
from integrations.graphql.resolvers import (
    list_resolver,
    lookup_arguments,
    lookup_resolver,
    order_argument,
    registered,
    topic_arguments,
    translated,
)
from pages.blocks import chapter_slug
from pages.models import CoursePage, GuidePage, Topic

COURSE_ORDERS = {"title": ("title", "pk"), "-title": ("-title", "-pk")}
MAX_URL_PATH_LENGTH = 500

PaginatedCoursesType = paginated_type(
    registry.lazy(CoursePage), "PaginatedCourses", "One page of the online courses (eLearning)."
)


class GuidePageType(ModelType):
    chapter = after(
        "chapters",
        graphene.Field(
            ChapterBlockType,
            slug=graphene.String(required=True, description="The chapter's slug, as in chapters { slug }."),
            description="One chapter by its slug (null when the guide has none with this slug).",
        ),
    )

    class Meta:
        model = GuidePage

    @staticmethod
    def resolve_chapter(guide, info, slug):
        chapters = stream_values(guide.chapters.stream_block, guide.chapters.raw_data)
        return next((chapter for chapter in chapters if chapter_slug(chapter) == slug), None)


PaginatedGuidesType = paginated_type(GuidePageType, "PaginatedGuides", "One page of the interactive eGuides.")


class ViewerFields:
    """`Viewer`'s own fields; apps add theirs with `registry.extend("Viewer", ...)`."""

    name = graphene.String(required=True, description="The token holder's full name, or their username.")
    is_member = graphene.Boolean(required=True, description="Whether members-only content is visible.")

    @staticmethod
    def resolve_name(user, info):
        return user.get_full_name() or user.get_username()

    @staticmethod
    def resolve_is_member(user, info):
        return get_loader(info).caller_is_member()


def viewer_type() -> type:
    return registry.composed(
        "Viewer", ViewerFields, description="The token holder making the request (null for anonymous callers)."
    )


class TopicsQuery(graphene.ObjectType):
    topics = graphene.List(
        graphene.NonNull(registry.lazy(Topic)),
        required=True,
        kind=choices_enum(Topic.Kind)(description="Only topics of this kind (training or technical assistance)."),
        description="The program's topics (the same for every caller), for filters such as `events(topic:)`.",
    )
    topic = graphene.Field(
        registry.lazy(Topic),
        slug=graphene.String(required=True, description="The topic's slug, e.g. 988-crisis-hotline."),
        description="One topic by its slug; null when there is none.",
    )

    @staticmethod
    def resolve_topics(root, info, kind=None):
        return selectors.topics(kind=kind)

    @staticmethod
    def resolve_topic(root, info, slug):
        return selectors.topics().filter(slug=slug).first()


class PagesQuery(graphene.ObjectType):
    courses = graphene.Field(
        PaginatedCoursesType,
        required=True,
        **topic_arguments(),
        order=order_argument(COURSE_ORDERS),
        description="The online courses (eLearning) the caller may see.",
        resolver=list_resolver(selectors.courses, orders=COURSE_ORDERS),
        **pagination_arguments(),
    )
    guides = graphene.Field(
        PaginatedGuidesType,
        required=True,
        description="The interactive eGuides, by title.",
        resolver=list_resolver(selectors.guides),
        **pagination_arguments(),
    )
    guide = graphene.Field(
        GuidePageType,
        description="One eGuide by id or slug, e.g. cit-eguide; null when absent or not visible to the caller.",
        resolver=lookup_resolver(selectors.guide, registered),
        **lookup_arguments(),
    )
    page = graphene.Field(
        PageInterface,
        description="Any content page the caller may see, by id or by path (give one); null when there is none "
        "or the caller may not see it. Ask for type-specific fields with fragments (`... on ProgramPage`).",
        id=graphene.ID(description="The page's `id`."),
        url_path=graphene.String(description="The page's path on the site, e.g. /program/community-of-practice/."),
    )
    search = graphene.List(
        graphene.NonNull(PageInterface),
        required=True,
        query=graphene.String(
            required=True, description='Words to look for, e.g. "crisis line"; punctuation is ignored.'
        ),
        description="Every content type the caller may see, best match first.",
        deprecation_reason="Use searchResults: the same hits with their total and page count, and a kinds filter.",
        **pagination_arguments(),
    )
    search_results = graphene.Field(
        PaginatedPagesType,
        required=True,
        query=graphene.String(required=True, description="Words to look for (at most 200 characters)."),
        kinds=graphene.List(
            graphene.NonNull(lambda: content_kind_enum()),
            description="Only pages of these kinds, e.g. [EVENT, PUBLICATION]; every kind when left out.",
        ),
        description="Every content type the caller may see, best match first, with the total number of matches "
        "(pagination.total).",
        **pagination_arguments(),
    )
    viewer = graphene.Field(
        viewer_type, description="Who the bearer token belongs to; null for anonymous callers (no token)."
    )
    preview = graphene.Field(
        PageInterface,
        token=graphene.String(
            required=True, description="The `token` query parameter the admin added to your preview URL."
        ),
        description="A draft shown in the admin's 'Partner site' preview mode; the token expires.",
    )

    @staticmethod
    def resolve_page(root, info, id=None, url_path=None):
        """Any content page by id or by its path on the site ("/program/community-of-practice/")."""
        if (id is None) == (url_path is None):
            raise GraphQLError("Give either id or urlPath.")
        loader = get_loader(info)
        if id is not None:
            pk = parse_id(id)
            if pk is None:
                return None
            found = selectors.page(user=loader.user, pk=pk)
        else:
            if len(url_path) > MAX_URL_PATH_LENGTH:
                raise GraphQLError("urlPath is too long.")
            found = selectors.page(user=loader.user, url_path=loader.tree_url_path(url_path))
        return loader.register([found])[0] if found else None

    @staticmethod
    def resolve_search(root, info, query, page=1, per_page=None):
        offset, per_page = page_bounds(page, per_page)
        hits = translated(selectors.search)(user=viewer(info), query=query, offset=offset, limit=per_page)
        return get_loader(info).register(hits)

    @staticmethod
    def resolve_search_results(root, info, query, kinds=None, page=1, per_page=None):
        page_bounds(page, per_page)  # a hostile page or perPage fails before the search runs
        loader = get_loader(info)
        ranked = translated(selectors.search_ranking)(user=loader.user, query=query, kinds=kinds)
        return paginate(
            ranked,
            page=page,
            per_page=per_page,
            prepare=lambda ids: loader.register(selectors.specific_pages(ids)),
        )

    @staticmethod
    def resolve_preview(root, info, token):
        page = preview_page(token)
        return get_loader(info).register([page])[0] if type(page) in registry.page_models() else None

    @staticmethod
    def resolve_viewer(root, info):
        user = viewer(info)
        return user if user.is_authenticated else None


# Where these fields sit among the root's (registry.py explains `order`): topics after the events app's fields,
# the pages fields last.
registry.register_query(TopicsQuery, order=40)
registry.register_query(PagesQuery, order=60)
# The viewer is one person and a preview a draft: never stored (integrations/graphql/cache.py).
cache.declare_roots(
    shared=["topics", "topic", "courses", "guides", "guide", "page", "search", "searchResults"],
    uncached=["viewer", "preview"],
)
