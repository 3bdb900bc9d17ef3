"""The privacy rule's per-page decision, stored and kept current by database triggers (pages/access_store.py).

Installs the triggers, stores every page's decision, then checks it against the rule derived from scratch in
Python (`manage.py page_access` runs the same check): a migration that stored a wrong decision fails here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from pages import access_store


def install(apps, schema_editor):
    access_store.install(schema_editor.connection)
    differing = access_store.drift(
        apps.get_model("wagtailcore", "Page"),
        apps.get_model("wagtailcore", "PageViewRestriction"),
        apps.get_model("pages", "PageAccess"),
        repair=False,
    )
    if differing:
        raise RuntimeError(f"stored page access differs from the rule for {len(differing)} pages: {differing[:5]}")


def uninstall(apps, schema_editor):
    access_store.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0005_person_photo_help_text"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="PageAccess",
            fields=[
                (
                    "page",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="stored_access",
                        serialize=False,
                        to=settings.WAGTAIL_PAGE_MODEL,
                    ),
                ),
                (
                    "audience",
                    models.CharField(
                        choices=[
                            ("public", "Public: live and unrestricted"),
                            ("restricted", "Live, under a view restriction (members, signed-in users or a password)"),
                            ("hidden", "Not visible: the page or an ancestor is not live"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "expires_at",
                    models.DateTimeField(help_text="The earliest expiry of the page and its ancestors.", null=True),
                ),
            ],
            options={"verbose_name": "stored page access"},
        ),
        migrations.RunPython(install, uninstall),
    ]
