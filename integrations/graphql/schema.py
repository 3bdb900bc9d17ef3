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

Query = registry.root("Query")
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
