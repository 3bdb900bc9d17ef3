from django.apps import AppConfig


class GraphQLConfig(AppConfig):
    """The partner GraphQL API: root query, hardened view, limits and bearer tokens (DESIGN.md §2, §4)."""

    name = "integrations.graphql"
    label = "graphql_api"
    verbose_name = "GraphQL API"
