"""Local development: `make run`. A throwaway key, DEBUG on, everything else from base."""

import re

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

# The admin's "Partner site" preview opens the reference partner site that `make run` serves (partner-site/).
FRONTEND_PORT = env.int("FRONTEND_PORT", 3000)
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": env.str("HEADLESS_PREVIEW_URL", f"http://localhost:{FRONTEND_PORT}/preview")},
}


class LocalOrigins(list):
    """The origins listed in GRAPHQL_CORS_ALLOWED_ORIGINS, plus any page served from this machine
    (http://localhost:PORT, http://127.0.0.1:PORT): `make run`'s partner site, and a copy a developer starts on
    another port, call the API from the browser without configuration. Development only."""

    def __contains__(self, origin) -> bool:
        return super().__contains__(origin) or bool(LOCAL_ORIGIN.fullmatch(str(origin)))


LOCAL_ORIGIN = re.compile(r"http://(localhost|127\.0\.0\.1|\[::1\]):\d{1,5}")
GRAPHQL_CORS_ALLOWED_ORIGINS = LocalOrigins(GRAPHQL_CORS_ALLOWED_ORIGINS)  # noqa: F405
