"""A partial index on the other pages that can hide those below them: parents with an expiry date.

The privacy rule (pages.selectors) treats a page whose `expire_at` has passed as unpublished at once, before the
worker's `publish_scheduled` gets to it, and hides everything below it. This index holds only pages with children
and an expiry date (few), so that check reads a handful of entries per row, as 0002's index does for unpublished
parents. Plain SQL for the same reason as 0002: Wagtail's Page model is not ours to add Meta.indexes to.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_unpublished_parent_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS pages_expiring_parent_path "
            "ON wagtailcore_page (path) WHERE expire_at IS NOT NULL AND numchild > 0",
            "DROP INDEX IF EXISTS pages_expiring_parent_path",
        )
    ]
