"""Django's PostgreSQL backend, waiting a few seconds for the server when a new connection is refused.

A PostgreSQL restart (failover, upgrade, `pg_ctl restart`) refuses connections for about a second. Without a wait
every request arriving in that second fails; with it they are only slower, and only the requests whose queries
were running when the server went away fail (the middleware answers them with a clean 503). The wait is bounded by
DATABASE_CONNECT_RETRY_SECONDS so a real outage still answers within seconds.
"""

import logging
import time

from django.conf import settings
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + settings.DATABASE_CONNECT_RETRY_SECONDS
        delay = 0.1
        while True:
            try:
                return super().get_new_connection(conn_params)
            except self.Database.OperationalError as exc:
                if time.monotonic() + delay > deadline:
                    raise
                logger.warning("database connection refused, retrying in %.1fs: %s", delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
