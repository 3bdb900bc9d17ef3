"""The outbox row is a message, not an "event" (the project's word for a training event): the table and the
delivery's foreign key are renamed in place, every row kept. The webhook-id (the row's UUID) does not change."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_endpoint_gave_up_notified_at"),
    ]

    operations = [
        migrations.RenameModel(old_name="WebhookEvent", new_name="OutboxMessage"),
        migrations.RenameField(model_name="delivery", old_name="event", new_name="message"),
        migrations.AlterField(
            model_name="delivery",
            name="object_key",
            field=models.CharField(help_text="Copied from the message to keep the ordering check cheap.", max_length=64),
        ),
    ]
