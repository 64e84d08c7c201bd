"""A publication's header keeps the measurement's participation rows as decided at closing
(``ReportCache.participation``). Headers stored before have none; the first read computes
them from the final counts and stores them (results.aggregates.participation), so nothing
is computed here."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("results", "0005_publication_texts")]

    operations = [
        migrations.AddField(
            model_name="reportcache",
            name="participation",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
