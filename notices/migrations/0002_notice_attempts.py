"""Export notices get a state, a bounded count of attempts and the reason of a failure (instead of `sent`)."""

from django.db import migrations, models

UNKNOWN_OUTCOME = "claimed before attempts were recorded; the outcome is unknown, so it is not sent again"


def states_from_sent(apps, schema_editor):
    """Sent notices stay sent; those without a recipient were skipped; a claimed, unsent one is not resent."""
    notices = apps.get_model("notices", "ExportNotice")
    notices.objects.filter(sent=True).update(state="sent", attempts=1)
    notices.objects.filter(sent=False, recipient="").update(state="skipped")
    notices.objects.filter(sent=False).exclude(recipient="").update(state="failed", attempts=1,
                                                                    failure=UNKNOWN_OUTCOME)


def sent_from_states(apps, schema_editor):
    """Back to the boolean: only sent notices were sent."""
    apps.get_model("notices", "ExportNotice").objects.filter(state="sent").update(sent=True)


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0001_notices'),
    ]

    operations = [
        migrations.AddField(
            model_name='exportnotice',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='exportnotice',
            name='failure',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='exportnotice',
            name='last_attempt_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='exportnotice',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='exportnotice',
            name='state',
            field=models.CharField(choices=[('sending', 'Sending'), ('retry', 'Retry'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='sending', max_length=10),
        ),
        migrations.RunPython(states_from_sent, sent_from_states),
        migrations.RemoveField(
            model_name='exportnotice',
            name='sent',
        ),
    ]
