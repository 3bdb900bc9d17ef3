"""Benchmark server settings: production settings over plain HTTP on 127.0.0.1, plus the floor view's URL."""

from cms.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["127.0.0.1"]
GRAPHQL_RATE_LIMIT_ANONYMOUS = 0  # one client sends thousands of requests on purpose
GRAPHQL_RATE_LIMIT_TOKEN = 0
