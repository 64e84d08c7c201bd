"""Each measurement keeps the retention period its privacy notice quoted.

For a measurement opened before this, the shortest period in force from its opening until
now: what the organisation's settings' audit rows (``organisation.settings_changed``,
each change as [old, new]) say stood at its opening (the audit row
``measurement.opened``), and every period set since. A cut since opening was quoted to
those who answered afterwards; a raise was quoted to nobody who answered before it, so
the shortest is the one every respondent was told at most. Without audit rows, the
organisation's period today."""

from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SETTINGS_CHANGED = "organisation.settings_changed"
FIELD = "response_retention_months"


def _change(data: Any) -> tuple[int, int] | None:
    change = (data or {}).get("changed", {}).get(FIELD) if isinstance(data, dict) else None
    if (
        isinstance(change, list)
        and len(change) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in change)
    ):
        return change[0], change[1]
    return None


def stored_from_history(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Measurement = apps.get_model("surveys", "Measurement")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for measurement in Measurement.objects.exclude(status="draft").select_related(
        "organisation"
    ):
        opened_at = (
            AuditEvent.objects.filter(
                action="measurement.opened",
                object_type="Measurement",
                object_id=str(measurement.pk),
            )
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        changes = [
            (at, change)
            for at, data in AuditEvent.objects.filter(
                organisation_id=measurement.organisation_id, action=SETTINGS_CHANGED
            )
            .order_by("at", "id")
            .values_list("at", "data")
            if (change := _change(data)) is not None
        ]
        current = measurement.organisation.response_retention_months
        if opened_at is None or not changes:
            period = current
        else:
            before = [new for at, (_old, new) in changes if at < opened_at]
            after = [(old, new) for at, (old, new) in changes if at >= opened_at]
            at_opening = before[-1] if before else (after[0][0] if after else current)
            period = min([at_opening, *(new for _old, new in after)])
        Measurement.objects.filter(pk=measurement.pk).update(response_retention_months=period)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0009_organisation_instruments"),
        ("orgs", "0005_privacy_legal_basis"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="measurement",
            name="response_retention_months",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(stored_from_history, migrations.RunPython.noop),
    ]
