"""Measurements opened before trees were frozen get their unit tree now, as it stands on
the day this runs (the nearest to "when the people were invited" that is still known):
from then on their participation rows and reports never follow a reorganisation either.
The same units and fields as ``surveys.selectors.unit_tree_now``. Drafts are left alone:
they freeze when they open."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import Q


def freeze(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    measurement_model = apps.get_model("surveys", "Measurement")
    unit_model = apps.get_model("orgs", "Unit")
    response_model = apps.get_model("surveys", "Response")
    pending = measurement_model.objects.filter(frozen_tree__isnull=True).exclude(status="draft")
    for measurement in pending:
        scope = Q(pk__in=[])
        for entry in measurement.scope.select_related("unit"):
            unit = entry.unit
            scope |= Q(path__startswith=unit.path) if entry.include_subtree else Q(pk=unit.pk)
        in_scope = set(
            unit_model.objects.filter(organisation_id=measurement.organisation_id, is_active=True)
            .filter(scope)
            .values_list("pk", flat=True)
        )
        answered = response_model.objects.filter(measurement=measurement).values("unit_id")
        rows = (
            unit_model.objects.filter(Q(pk__in=in_scope) | Q(pk__in=answered))
            .order_by("path", "pk")
            .values_list("pk", "parent_id", "path", "depth", "name", "is_active")
        )
        tree: list[dict[str, Any]] = [
            {
                "id": pk,
                "parent": parent_id,
                "path": path,
                "depth": depth,
                "name": name,
                "active": is_active,
                "in_scope": pk in in_scope,
            }
            for pk, parent_id, path, depth, name, is_active in rows
        ]
        measurement_model.objects.filter(pk=measurement.pk, frozen_tree__isnull=True).update(
            frozen_tree=tree
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_retention"),
        ("surveys", "0005_paper_codes"),
    ]

    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
