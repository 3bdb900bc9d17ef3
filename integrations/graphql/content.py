"""The API of `pages`: its root fields (`topics`, `topic`, `courses`, and `page`, `search`, `preview` over every
content type) and the `Viewer` type that other apps extend.

`pages` is the app every other content app builds on, and stays a leaf: it imports no other app, this API
included. So its adapter lives here, in the framework's one module that knows `pages`, and holds only what the
models cannot declare: pages' page types, `Topic` and `Person` are built from the models' `graphql_fields`
(fields.py), their StreamField blocks are typed in blocks.py, and the events app adds the calendar links of
`Topic` and the member's calendar to `Viewer` from its own `graphql.py`.
"""

import graphene
from graphql import GraphQLError

from integrations.graphql import cache, selectors
from integrations.graphql.fields import choices_enum
from integrations.graphql.interfaces import PageInterface
from integrations.graphql.loaders import get_loader, parse_id, viewer
from integrations.graphql.pagination import page_bounds, paginated_type, pagination_arguments
from integrations.graphql.preview import preview_page
from integrations.graphql.registry import registry
from integrations.graphql.resolvers import list_resolver, order_argument, translated
from pages.models import CoursePage, Topic

COURSE_ORDERS = {"title": ("title", "pk"), "-title": ("-title", "-pk")}
MAX_URL_PATH_LENGTH = 500

PaginatedCoursesType = paginated_type(registry.lazy(CoursePage), "PaginatedCourses")


class ViewerFields:
    """`Viewer`'s own fields; apps add theirs with `registry.extend("Viewer", ...)`."""

    name = graphene.String(required=True)
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
    topics = graphene.List(graphene.NonNull(registry.lazy(Topic)), required=True, kind=choices_enum(Topic.Kind)())
    topic = graphene.Field(registry.lazy(Topic), slug=graphene.String(required=True))

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
        topic=graphene.String(),
        order=order_argument(COURSE_ORDERS),
        resolver=list_resolver(selectors.courses, orders=COURSE_ORDERS),
        **pagination_arguments(),
    )
    page = graphene.Field(
        PageInterface,
        id=graphene.ID(),
        url_path=graphene.String(description="The page's path on the site, e.g. /program/community-of-practice/."),
    )
    search = graphene.List(
        graphene.NonNull(PageInterface),
        required=True,
        query=graphene.String(required=True),
        description="Every content type, best match first.",
        **pagination_arguments(),
    )
    viewer = graphene.Field(viewer_type)
    preview = graphene.Field(
        PageInterface,
        token=graphene.String(required=True),
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
cache.declare_roots(shared=["topics", "topic", "courses", "page", "search"], uncached=["viewer", "preview"])
