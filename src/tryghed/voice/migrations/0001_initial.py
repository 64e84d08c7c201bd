"""The voice channel's two tables; on SQLite both become ``WITHOUT ROWID`` tables.

A rowid would number cases (and messages) in the order they were written, which is the
order of creation the operator must not learn (privacy.md sections 1 and 6). Django
rebuilds a SQLite table for many schema changes and the rebuilt table has a rowid again:
``tests/privacy/test_voice_attack.py`` watches ``sqlite_master``; a later migration that
rebuilds either table must call ``without_rowid`` again.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

from tryghed.unordered_tables import without_rowid


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orgs", "0004_require_mfa"),
    ]

    operations = [
        migrations.CreateModel(
            name="Case",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "receiver",
                    models.CharField(
                        choices=[("leader", "Lederen af enheden"), ("amo", "AMO/HR")], max_length=10
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("concern", "Bekymring"),
                            ("idea", "Idé"),
                            ("near_miss", "Nærved-hændelse"),
                            ("mistake", "Fejl"),
                        ],
                        max_length=20,
                    ),
                ),
                ("text", models.TextField(max_length=2000)),
                ("code_hash", models.CharField(max_length=64, unique=True)),
                ("opened_on", models.DateField()),
                ("acknowledged_on", models.DateField(blank=True, null=True)),
                ("answered_on", models.DateField(blank=True, null=True)),
                ("closed_on", models.DateField(blank=True, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="orgs.organisation",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orgs.unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "sag",
                "verbose_name_plural": "sager",
            },
        ),
        migrations.CreateModel(
            name="Message",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                (
                    "author",
                    models.CharField(
                        choices=[("reporter", "Dig, der skrev"), ("receiver", "Modtageren")],
                        max_length=10,
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("reply", "Svar"), ("ack", "Kvittering"), ("note", "Intern note")],
                        max_length=10,
                    ),
                ),
                ("text", models.TextField(max_length=2000)),
                ("created_on", models.DateField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="voice.case",
                    ),
                ),
            ],
            options={
                "ordering": ["case", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "position"), name="voice_message_position"
                    )
                ],
            },
        ),
        migrations.RunPython(without_rowid("voice_case"), migrations.RunPython.noop),
        migrations.RunPython(without_rowid("voice_message"), migrations.RunPython.noop),
    ]
