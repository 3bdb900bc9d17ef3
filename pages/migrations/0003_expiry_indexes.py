"""Partial indexes for expiry, which the privacy rule (pages.access) applies itself.

A page whose `expire_at` has passed is treated as unpublished at once, before the worker's `publish_scheduled` gets
to it, and hides everything below it:
- `pages_expiring_parent_path` holds only pages with children and an expiry date (few), so the hidden-ancestor
  check reads a handful of entries per row, as 0002's index does for unpublished parents;
- `pages_expire_at` lets the feeds find the last expiry that has passed (their Last-Modified) without a scan.
Plain SQL for the same reason as 0002: Wagtail's Page model is not ours to add Meta.indexes to.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_unpublished_parent_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS pages_expiring_parent_path "
            "ON wagtailcore_page (path) WHERE expire_at IS NOT NULL AND numchild > 0",
            "DROP INDEX IF EXISTS pages_expiring_parent_path",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS pages_expire_at ON wagtailcore_page (expire_at) WHERE expire_at IS NOT NULL",
            "DROP INDEX IF EXISTS pages_expire_at",
        ),
    ]
