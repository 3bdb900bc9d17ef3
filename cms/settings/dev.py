"""Local development: `make run`. A throwaway key, DEBUG on, everything else from base."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", True)
# base.py computed it from base's DEBUG (off): the playground and editors' tooling need introspection on here.
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", DEBUG)
SECRET_KEY = env.str("SECRET_KEY", "") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env.comma_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# One line per task at INFO drowns `make run`'s console; failures still show.
LOGGING["loggers"].update({name: {"level": "WARNING"} for name in ("django_tasks", "django_tasks_db")})  # noqa: F405
# runserver prints its own line per request; the app's request line (cms/request_log.py) would double it.
LOGGING["loggers"]["cms.request"] = {"level": env.str("REQUEST_LOG_LEVEL", "WARNING")}  # noqa: F405

# Webhooks: a receiver on this machine works out of the box under `make run`.
WEBHOOKS_ALLOWED_NETWORKS = env.comma_list("WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
