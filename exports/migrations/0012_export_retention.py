"""Retention: when a bundle and an audit's details were deleted, and django-q2's daily schedule that does it."""
from django.db import migrations, models
from django.utils import timezone

NAME = "bufdir-apply-retention"


def create_schedule(apps, schema_editor):
    """Once a day by django-q2's schedule."""
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={"func": "exports.tasks.apply_retention", "schedule_type": "D", "repeats": -1,
                  "next_run": timezone.now()},
    )


def delete_schedule(apps, schema_editor):
    """Remove the schedule."""
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("exports", "0011_export_deviations"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="bufdirexportaudit",
            name="bundle_removed_at",
            field=models.DateTimeField(blank=True, editable=False, help_text="When the retention rules deleted the file; the figures stay on the audit.", null=True, verbose_name="file deleted"),
        ),
        migrations.AddField(
            model_name="bufdirexportaudit",
            name="details_removed_at",
            field=models.DateTimeField(blank=True, editable=False, help_text="When the retention rules deleted the error detail and the events' messages.", null=True, verbose_name="details deleted"),
        ),
        migrations.RunPython(create_schedule, delete_schedule),
    ]
