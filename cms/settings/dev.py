"""Local development: `make run`. A throwaway key, DEBUG on, everything else from base."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DEBUG", "true").lower() in {"1", "true", "yes", "on"}
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")  # noqa: F405

# One line per task at INFO drowns `make run`'s console; failures still show.
LOGGING["loggers"].update({name: {"level": "WARNING"} for name in ("django_tasks", "django_tasks_db")})  # noqa: F405
# runserver prints its own line per request; the app's request line (cms/request_log.py) would double it.
LOGGING["loggers"]["cms.request"] = {"level": os.environ.get("REQUEST_LOG_LEVEL", "WARNING")}  # noqa: F405

# Webhooks: a receiver on this machine works out of the box under `make run`.
WEBHOOKS_ALLOWED_NETWORKS = env_list("WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")  # noqa: F405
