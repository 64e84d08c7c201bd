"""What a case led to ("Det blev til en handling", issue 11): a focus area or an action of
the case's unit, and the day. Nullable columns without a default, so SQLite adds them with
``ALTER TABLE ADD COLUMN``; ``without_rowid`` runs again in case a later Django rebuilds.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

without_rowid = importlib.import_module("tryghed.voice.migrations.0001_initial").without_rowid


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_evaluation_reminders"),
        ("voice", "0002_safety_valves"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="action",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="actions.action",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="focus_area",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="actions.focusarea",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="outcome_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(without_rowid("voice_case"), migrations.RunPython.noop),
    ]
