"""Responses keep their choice answers also as bytes, one per choice item
(``core.answer_codes``), for the publication builder; existing responses get theirs here,
a chunk at a time.

The column holds nothing the answers do not: no time, no sequence. The rows are filled in
the order of their random ids, in this migration's one transaction, so neither their new
physical places nor their transaction id tell anything the ids do not. SQLite: adding a
nullable column keeps the table ``WITHOUT ROWID``; ``without_rowid`` runs after it anyway,
in case a later Django rebuilds the table for it (the privacy tests watch).
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from tryghed.core.answer_codes import choice_item_ids, encode
from tryghed.core.instruments import parse_instrument
from tryghed.unordered_tables import without_rowid

CHUNK = 2_000


def fill_codes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    measurement_model = apps.get_model("surveys", "Measurement")
    instrument_model = apps.get_model("surveys", "MeasurementInstrument")
    response_model = apps.get_model("surveys", "Response")
    db = schema_editor.connection.alias
    answered = response_model.objects.using(db).values("measurement_id")
    for measurement_id in (
        measurement_model.objects.using(db)
        .filter(pk__in=answered)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        sources = (
            instrument_model.objects.using(db)
            .filter(measurement_id=measurement_id)
            .order_by("position")
            .values_list("source", "content_hash")
        )
        item_ids = choice_item_ids(
            parse_instrument(source, file=f"measurement instrument {content_hash[:12]}")
            for source, content_hash in sources
        )
        stored = response_model.objects.using(db).filter(
            measurement_id=measurement_id, codes__isnull=True
        )
        last = None
        while True:
            page = stored.order_by("pk") if last is None else stored.filter(pk__gt=last)
            chunk = list(page.order_by("pk").only("pk", "answers")[:CHUNK])
            if not chunk:
                break
            for response in chunk:
                response.codes = encode(response.answers, item_ids)
            response_model.objects.using(db).bulk_update(
                [r for r in chunk if r.codes is not None], ["codes"], batch_size=500
            )
            last = chunk[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_freeze_legacy_trees"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="codes",
            field=models.BinaryField(null=True),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.RunPython(without_rowid("surveys_response"), migrations.RunPython.noop),
    ]
