"""Exports started from the command line before its label was Norwegian say so in Norwegian too."""
from django.db import migrations

ENGLISH, NORWEGIAN = "command line", "kommandolinjen"


def to_norwegian(apps, schema_editor):
    """Rename the old default starter of `bufdir_export` on recorded exports."""
    audits = apps.get_model("exports", "BufdirExportAudit")
    audits.objects.filter(requested_by_label=ENGLISH).update(requested_by_label=NORWEGIAN)


def to_english(apps, schema_editor):
    """Undo: the old English label."""
    audits = apps.get_model("exports", "BufdirExportAudit")
    audits.objects.filter(requested_by_label=NORWEGIAN).update(requested_by_label=ENGLISH)


class Migration(migrations.Migration):
    dependencies = [("exports", "0008_config_trial_run")]
    operations = [migrations.RunPython(to_norwegian, to_english)]
