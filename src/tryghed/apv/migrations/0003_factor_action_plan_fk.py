"""FactorAssessment.action_plan_id was a bare integer; it becomes a foreign key to the
actions app's plan. The old column is renamed, the key added, the ids that still name a
plan copied over (an id whose plan no longer exists is dropped), and the old column
removed: the same steps on SQLite and PostgreSQL."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def copy_plan_ids(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    factor_model = apps.get_model("apv", "FactorAssessment")
    plan_model = apps.get_model("actions", "ActionPlan")
    plans = set(plan_model.objects.values_list("pk", flat=True))
    for factor in factor_model.objects.exclude(legacy_action_plan_id=None):
        if factor.legacy_action_plan_id in plans:
            factor.action_plan_id = factor.legacy_action_plan_id
            factor.save(update_fields=["action_plan"])


def copy_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    factor_model = apps.get_model("apv", "FactorAssessment")
    for factor in factor_model.objects.exclude(action_plan=None):
        factor.legacy_action_plan_id = factor.action_plan_id
        factor.save(update_fields=["legacy_action_plan_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_evaluation_reminders"),
        ("apv", "0002_absence_headcounts"),
    ]

    operations = [
        migrations.RenameField(
            model_name="factorassessment",
            old_name="action_plan_id",
            new_name="legacy_action_plan_id",
        ),
        migrations.AddField(
            model_name="factorassessment",
            name="action_plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="+",
                to="actions.actionplan",
            ),
        ),
        migrations.RunPython(copy_plan_ids, copy_back),
        migrations.RemoveField(model_name="factorassessment", name="legacy_action_plan_id"),
    ]
