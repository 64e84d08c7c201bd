"""Paper codes replace open links (privacy.md section 5).

The open links' table is dropped. Answers given through an open link are already stored
as responses (with their unit) and are kept; only the reusable links go.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_retention"),
        ("surveys", "0004_unlinkable_storage"),
    ]

    operations = [
        migrations.CreateModel(
            name="PaperCode",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("code_hash", models.CharField(max_length=64, unique=True)),
                (
                    "measurement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="paper_codes",
                        to="surveys.measurement",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.unit",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["measurement", "unit"], name="surveys_pap_measure_ed04dd_idx"
                    )
                ],
            },
        ),
        migrations.DeleteModel(name="OpenLink"),
    ]
