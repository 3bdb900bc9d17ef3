"""One word for one dated instance of an event: "session". EventOccurrenceOverride becomes SessionChange (a session
moved or cancelled on its own) and its relation `rescheduled_occurrences` becomes `session_changes`, keeping the
rows. Drafts and older revisions store the relation under its name in their JSON, so the key is renamed there too
(otherwise publishing a draft or restoring a revision would drop its changed sessions)."""

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models

OLD, NEW = "rescheduled_occurrences", "session_changes"


def rename_in_revisions(apps, schema_editor, old=OLD, new=NEW):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    event_type = ContentType.objects.filter(app_label="events", model="trainingeventpage").first()
    if event_type is None:  # a fresh database: no revisions yet
        return
    for revision in Revision.objects.filter(content_type=event_type).only("pk", "content").iterator():
        if old in revision.content:
            revision.content[new] = revision.content.pop(old)
            revision.save(update_fields=["content"])


def rename_back_in_revisions(apps, schema_editor):
    rename_in_revisions(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("events", "0004_calendar_token_access"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="eventoccurrenceoverride", name="unique_override_per_session"),
        migrations.RenameModel(old_name="EventOccurrenceOverride", new_name="SessionChange"),
        migrations.AlterModelOptions(
            name="sessionchange",
            options={
                "abstract": False,
                "ordering": ["sort_order"],
                "verbose_name": "changed session",
                "verbose_name_plural": "changed sessions",
            },
        ),
        migrations.AlterField(
            model_name="sessionchange",
            name="page",
            field=modelcluster.fields.ParentalKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="session_changes",
                to="events.trainingeventpage",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionchange",
            constraint=models.UniqueConstraint(fields=("page", "original_date"), name="unique_change_per_session"),
        ),
        migrations.RunPython(rename_in_revisions, rename_back_in_revisions),
    ]
