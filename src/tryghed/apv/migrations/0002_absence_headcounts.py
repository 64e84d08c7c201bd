"""Sickness absence keeps the headcount it rests on and whether it may be shown.

Until now a figure was suppressed against the units' headcounts of the day it was read,
so a hire, a leaver or a move could show a figure of an earlier period that subtracted to
fewer than 10 people (privacy.md sections 2 and 3). From now on both are frozen when the
figure is entered (``apv.health.freeze``).

Existing rows get the snapshot as of this migration: each figure's subtree with every
unit's own active employees at the time the migration runs, and the decision the pages
showed until now (``core.suppression`` over each period's figures with those
headcounts). The figures shown thereby are recorded as published, so a figure entered
later for the same period is checked against them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q

from tryghed.core.suppression import DEFAULT_MINIMUM, Group, suppress


def freeze_existing(apps: Any, schema_editor: Any) -> None:
    SicknessAbsence = apps.get_model("apv", "SicknessAbsence")
    PublishedAbsence = apps.get_model("apv", "PublishedAbsence")
    Unit = apps.get_model("orgs", "Unit")
    minimum = DEFAULT_MINIMUM["health"]
    organisation_ids = set(SicknessAbsence.objects.values_list("organisation_id", flat=True))
    for organisation_id in sorted(organisation_ids):
        units = Unit.objects.filter(organisation_id=organisation_id)
        own = dict(
            units.annotate(n=Count("people", filter=Q(people__is_active=True))).values_list(
                "pk", "n"
            )
        )
        paths = dict(units.values_list("pk", "path"))
        periods: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
        for absence in SicknessAbsence.objects.filter(organisation_id=organisation_id):
            prefix = paths[absence.unit_id]
            absence.unit_headcounts = {
                str(pk): own.get(pk, 0) for pk, path in paths.items() if path.startswith(prefix)
            }
            absence.headcount = sum(absence.unit_headcounts.values())
            periods[(absence.period_start, absence.period_end)].append(absence)
        for (start, end), entries in sorted(periods.items()):
            # One snapshot for all, so the units are the atoms, as the pages counted them.
            counts = {str(pk): n for pk, n in own.items()}
            groups = [Group(("absence", a.pk), frozenset(a.unit_headcounts)) for a in entries]
            decisions = suppress(groups, counts, minimum)
            for absence in entries:
                decision = decisions[("absence", absence.pk)]
                if decision.shown:
                    absence.publication = "shown"
                    PublishedAbsence.objects.create(
                        organisation_id=organisation_id,
                        period_start=start,
                        period_end=end,
                        unit_headcounts=absence.unit_headcounts,
                    )
                elif decision.reason == "complementary":
                    absence.publication = "complementary"
                else:
                    absence.publication = "small_unit"
                absence.save(update_fields=["unit_headcounts", "headcount", "publication"])


class Migration(migrations.Migration):
    dependencies = [
        ("apv", "0001_initial"),
        ("orgs", "0002_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="sicknessabsence",
            name="headcount",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="sicknessabsence",
            name="publication",
            field=models.CharField(
                blank=True,
                choices=[
                    ("shown", "Vises"),
                    ("small_unit", "Under 10 medarbejdere"),
                    ("complementary", "Skjult for at beskytte en mindre gruppe"),
                ],
                default="",
                editable=False,
                max_length=13,
            ),
        ),
        migrations.AddField(
            model_name="sicknessabsence",
            name="unit_headcounts",
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.CreateModel(
            name="PublishedAbsence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                ("unit_headcounts", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="published_absences",
                        to="orgs.organisation",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["organisation", "period_start", "period_end"],
                        name="apv_publish_organis_27ff11_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(freeze_existing, migrations.RunPython.noop),
    ]
