"""A publication's groups kept as the JSON text they were written as (``JsonText``), not
``jsonb``: written once at closing and read whole, never queried inside, and ``jsonb``
parsed every group on the way in and printed it again on the way out (docs/benchmarks.md).
PostgreSQL turns each stored value into its text (``data::text``; the keys in ``jsonb``'s
order, read back as the same JSON). Where the server has lz4 (PostgreSQL 14 and newer,
built with it), the column is compressed with it: pglz took three times as long."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import tryghed.results.jsontext

LZ4 = """
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_settings
        WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)
    ) THEN
        ALTER TABLE results_publishedgroup ALTER COLUMN data SET COMPRESSION lz4;
    END IF;
END
$$;
"""


def compress_with_lz4(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LZ4)


class Migration(migrations.Migration):
    dependencies = [("results", "0006_publication_participation")]

    operations = [
        migrations.AlterField(
            model_name="publishedgroup",
            name="data",
            field=tryghed.results.jsontext.JsonText(),
        ),
        migrations.RunPython(compress_with_lz4, migrations.RunPython.noop),
    ]
