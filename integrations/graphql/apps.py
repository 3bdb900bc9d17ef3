from django.apps import AppConfig


class GraphQLConfig(AppConfig):
    """The partner GraphQL API: root query, hardened view, limits and bearer tokens (docs/partners.md)."""

    name = "integrations.graphql"
    label = "graphql_api"
    verbose_name = "GraphQL API"
