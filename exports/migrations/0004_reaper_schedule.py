"""django-q2's schedule of the reaper that fails exports whose worker died or that no worker took."""
from django.db import migrations
from django.utils import timezone

NAME = "bufdir-reap-lost-exports"


def create_schedule(apps, schema_editor):
    """Every minute by django-q2's schedule; the task itself brings its next run forward (see tasks.py)."""
    schedule = apps.get_model("django_q", "Schedule")
    schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": "exports.tasks.reap_lost_exports", "schedule_type": "I", "minutes": 1, "repeats": -1,
                  "next_run": timezone.now()},
    )


def delete_schedule(apps, schema_editor):
    """Remove the schedule."""
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("exports", "0003_export_lifecycle"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
