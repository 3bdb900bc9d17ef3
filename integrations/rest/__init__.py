"""Wagtail's REST API v2 at /api/v2/ (pages only): the baseline the GraphQL API is benchmarked against."""
