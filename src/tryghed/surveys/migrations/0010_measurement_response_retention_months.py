"""Each measurement keeps the retention period its privacy notice quoted.

Measurements opened before this have the organisation's current period (the one their
notice showed, unless it was changed since: the best that is known)."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import OuterRef, Subquery


def stored_from_organisation(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Measurement = apps.get_model("surveys", "Measurement")
    Organisation = apps.get_model("orgs", "Organisation")
    period = Organisation.objects.filter(pk=OuterRef("organisation_id")).values(
        "response_retention_months"
    )[:1]
    Measurement.objects.exclude(status="draft").update(
        response_retention_months=Subquery(period)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0009_organisation_instruments"),
        ("orgs", "0005_privacy_legal_basis"),
    ]

    operations = [
        migrations.AddField(
            model_name="measurement",
            name="response_retention_months",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(stored_from_organisation, migrations.RunPython.noop),
    ]
