from django.apps import AppConfig


class GraphQLConfig(AppConfig):
    """The partner GraphQL API: root query, hardened view, limits and bearer tokens (docs/partners.md)."""

    name = "integrations.graphql"
    label = "graphql_api"
    verbose_name = "GraphQL API"

    def ready(self):
        from cms import content_version
        from integrations.graphql.models import ApiTokenExpiry

        # A token's end date is part of who it is: the hit path's token cache keys on the access counter.
        content_version.track_access(ApiTokenExpiry)
