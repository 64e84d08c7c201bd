"""Who may never be told that a case exists (docs/voice.md, "No receiver outside the line"):
the leaders of the case's line, sealed on the case (``voice.withheld``).

Cases raised before this migration get the leaders of their line today, which is whom
the administrators' count left them out for until now, so no one's count moves here.
The column is nullable without a default, so SQLite adds it with ``ALTER TABLE ADD
COLUMN``; ``without_rowid`` runs again in case a later Django rebuilds the table.
"""

from typing import Any

from django.db import migrations, models

from tryghed.unordered_tables import without_rowid
from tryghed.voice.withheld import seal_withheld

LEADER = "leader"


def seal_the_leaders_of_today(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("voice", "Case")
    Membership = apps.get_model("orgs", "Membership")
    for case in Case.objects.filter(withheld__isnull=True).select_related("unit").order_by("pk"):
        leaders: list[int] = []
        if case.unit is not None:
            line = [int(part) for part in case.unit.path.strip("/").split("/") if part]
            leaders = list(
                Membership.objects.filter(
                    organisation_id=case.organisation_id, role=LEADER, unit_id__in=line
                ).values_list("user_id", flat=True)
            )
        Case.objects.filter(pk=case.pk).update(withheld=seal_withheld(case.pk, leaders))


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_require_mfa"),
        ("voice", "0003_outcome"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="withheld",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(seal_the_leaders_of_today, migrations.RunPython.noop),
        migrations.RunPython(without_rowid("voice_case"), migrations.RunPython.noop),
    ]
