from django.db import models


class CacheEntry(models.Model):
    """The table of the database cache (cms.cache.AtomicDatabaseCache: production without REDIS_URL), with the
    columns `createcachetable` would give it. A model so that its migration makes the table on every `migrate`,
    whichever cache the settings named at the time; nothing reads it through the ORM."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "cms_cache"

    def __str__(self) -> str:
        return self.cache_key


class ContentVersion(models.Model):
    """One row whose `value` goes up, in the writing transaction, with every change that can alter a public or
    members' answer (cms/content_version.py lists them). Response caches key on it, so the moment a publish
    commits every process reads the new number and stops serving answers built before it."""

    value = models.BigIntegerField(default=0)
    # Goes up with every change to who a bearer token is (created, revoked, expiry, its user and their groups):
    # the token cache of the GraphQL hit path keys on it, so a revocation is seen by the next request of every
    # process. Read in the same query as `value` (cms/content_version.py `read`).
    access = models.BigIntegerField(default=0)

    class Meta:
        db_table = "cms_content_version"

    def __str__(self) -> str:
        return str(self.value)
