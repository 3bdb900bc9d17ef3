"""Test settings: fast hashing, in-memory files only where a test does not ask for real storage."""

import tempfile

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"  # noqa: S105
DEBUG = False
# Production's answer whatever the shell says; tests that need introspection turn it on with the settings fixture.
GRAPHQL_INTROSPECTION = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="cms-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
PUBLIC_BASE_URL = "https://cms.example.org"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
DEMO_CREDENTIALS_FILE = Path(tempfile.mkdtemp(prefix="cms-test-demo-")) / "demo-credentials.json"  # noqa: F405

# Webhooks: tests run real receivers on 127.0.0.1; link-local and metadata stay blocked regardless.
WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
