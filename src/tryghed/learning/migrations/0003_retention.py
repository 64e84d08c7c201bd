"""The organisation's retention period for the learning log (``LogSettings``).

A new table only: ``learning_entry`` is not rebuilt, so it stays ``WITHOUT ROWID`` on
SQLite (see 0001_initial).
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("learning", "0001_initial"),
        ("orgs", "0004_require_mfa"),
    ]

    operations = [
        migrations.CreateModel(
            name="LogSettings",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="orgs.organisation",
                    ),
                ),
                (
                    "retention_months",
                    models.PositiveSmallIntegerField(
                        default=36,
                        validators=[
                            django.core.validators.MinValueValidator(3),
                            django.core.validators.MaxValueValidator(120),
                        ],
                        verbose_name="måneder en situation gemmes",
                    ),
                ),
            ],
            options={
                "verbose_name": "indstillinger for læringsloggen",
                "verbose_name_plural": "indstillinger for læringsloggen",
            },
        ),
    ]
