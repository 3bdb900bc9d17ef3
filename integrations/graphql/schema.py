"""The partner API's schema: the root query and mutation composed from what the apps registered.

The HTTP view (auth, limits) executes `schema` with `request.user` set to the bearer token's user or
AnonymousUser; every field decides visibility for that caller through the privacy rule (`pages.access`). None
of grapple's root fields (`pages`, `search`, `documents`, `images`, `snippets`, `redirects`...) is exposed: they
return drafts and private media to anyone who asks.

Composition, in order: the framework's own pages-level fields and block types (content.py, blocks.py), then every
installed app's `graphql` module (registry.autodiscover: events, media_library, community, community.forum...),
then a type for each model that declares `graphql_fields` and registered none (fields.build_declared_types).
"""

import graphene

from integrations.graphql import blocks, content  # noqa: F401  (they register the pages-level types and fields)
from integrations.graphql.fields import build_declared_types
from integrations.graphql.registry import registry

registry.autodiscover()
page_types = build_declared_types()

Query = registry.root(
    "Query",
    description="What partner sites read: events, publications, recordings, courses, topics and pages (live and "
    "visible to the caller: anonymous callers see public content, members' tokens also members-only content), "
    "plus the members' directory, TA requests and forum.",
)
Mutation = registry.root(
    "Mutation",
    mutations=True,
    description="The apps' mutations (community/), each returning its object or a list of field errors.",
)

schema = graphene.Schema(
    query=Query,
    mutation=Mutation if Mutation._meta.fields else None,
    types=[*page_types, *registry.block_types.values()],
)

# graphene's own texts for the scalars it adds say nothing of the zones partners get.
SCALAR_DESCRIPTIONS = {
    "DateTime": "A point in time, ISO 8601 with its UTC offset, e.g. 2025-03-05T10:00:00-06:00. Events give theirs "
    "in the event's own time zone (see `timeZone`); publication times are UTC.",
    "Date": "A calendar date without a time or zone, ISO 8601, e.g. 2025-03-05.",
}
for scalar_name, scalar_description in SCALAR_DESCRIPTIONS.items():
    schema.graphql_schema.type_map[scalar_name].description = scalar_description
