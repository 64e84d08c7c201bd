"""Unlinkable storage (privacy.md section 1, docs/anonymity.md "Storage").

- ``SubmissionMark`` replaces ``Invitation.used``: each used invitation becomes a keyed
  mark under the current answer key (the key is needed only when there is one to convert).
- ``PendingAnswer``: the sealed pool of answers not yet released.
- The quasi-identifiers leave: ``Response.job_group/seniority_band/language`` and
  ``Invitation.job_group/seniority_band`` (``Person`` keeps them).
- Existing responses are written again in a random order in this one transaction, and
  every invitation row is rewritten, so that neither transaction ids (PostgreSQL
  ``xmin``) nor physical order pair a response with the invitation it came from. The old
  row versions stay on disk until ``VACUUM FULL surveys_response, surveys_invitation``.
- SQLite: ``surveys_response`` becomes a ``WITHOUT ROWID`` table keyed by its random id.
  This must stay the last operation on that table here: Django rebuilds a SQLite table
  for many schema changes and the rebuilt table has a rowid again (a test watches).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations, models

from tryghed.surveys.sealing import keyring, mark_with


def invitations_to_marks(apps: Any, schema_editor: Any) -> None:
    Invitation = apps.get_model("surveys", "Invitation")
    SubmissionMark = apps.get_model("surveys", "SubmissionMark")
    db = schema_editor.connection.alias
    used = Invitation.objects.using(db).filter(used=True).values_list("measurement_id", "pk")
    if not used.exists():
        return
    key = keyring()[0]  # a clear error if there is no key: "used" must not be lost
    SubmissionMark.objects.using(db).bulk_create(
        (
            SubmissionMark(measurement_id=measurement_id, mark=mark_with(key, measurement_id, pk))
            for measurement_id, pk in used.iterator()
        ),
        batch_size=1000,
    )


def marks_to_invitations(apps: Any, schema_editor: Any) -> None:
    Invitation = apps.get_model("surveys", "Invitation")
    SubmissionMark = apps.get_model("surveys", "SubmissionMark")
    db = schema_editor.connection.alias
    marks = set(SubmissionMark.objects.using(db).values_list("measurement_id", "mark"))
    if not marks:
        return
    keys = keyring()
    answered = [
        pk
        for measurement_id, pk in Invitation.objects.using(db).values_list("measurement_id", "pk")
        if any((measurement_id, mark_with(k, measurement_id, pk)) in marks for k in keys)
    ]
    Invitation.objects.using(db).filter(pk__in=answered).update(used=True)


def rewrite_rows(apps: Any, schema_editor: Any) -> None:
    """PostgreSQL: every response again, in random order, and every invitation rewritten,
    all with this transaction's id. (SQLite: the table rebuild below does the same.)"""
    if schema_editor.connection.vendor != "postgresql":
        return
    columns = "id, measurement_id, unit_id, week, answers, texts"
    for statement in (
        f"CREATE TEMPORARY TABLE tryghed_response_copy AS SELECT {columns} FROM surveys_response",  # noqa: S608
        "DELETE FROM surveys_response",
        f"INSERT INTO surveys_response ({columns}) SELECT {columns} "  # noqa: S608
        "FROM tryghed_response_copy ORDER BY random()",
        "DROP TABLE tryghed_response_copy",
        # A submission used to UPDATE its invitation: its row version would tell who answered.
        "UPDATE surveys_invitation SET reminders_sent = reminders_sent",
    ):
        schema_editor.execute(statement)


def response_without_rowid(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'surveys_response'"
        )
        (create,) = cursor.fetchone()
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'surveys_response' AND sql IS NOT NULL"
        )
        indexes = [row[0] for row in cursor.fetchall()]
    if "WITHOUT ROWID" in create.upper():
        return
    head = 'CREATE TABLE "surveys_response"'
    assert create.startswith(head), create
    new_table = '"surveys_response__without_rowid"'
    schema_editor.execute(f"CREATE TABLE {new_table}{create[len(head) :]} WITHOUT ROWID")
    schema_editor.execute(
        f"INSERT INTO {new_table} (id, measurement_id, unit_id, week, answers, texts) "  # noqa: S608
        "SELECT id, measurement_id, unit_id, week, answers, texts FROM surveys_response "
        "ORDER BY random()"
    )
    schema_editor.execute('DROP TABLE "surveys_response"')
    schema_editor.execute(f'ALTER TABLE {new_table} RENAME TO "surveys_response"')
    for index in indexes:
        schema_editor.execute(index)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_measurement_frozen_tree"),
    ]

    operations = [
        migrations.CreateModel(
            name="SubmissionMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("mark", models.CharField(max_length=64)),
                (
                    "measurement",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="surveys.measurement",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("measurement", "mark"), name="submission_mark_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="PendingAnswer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("sealed", models.BinaryField()),
                (
                    "measurement",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="surveys.measurement",
                    ),
                ),
            ],
        ),
        migrations.RunPython(invitations_to_marks, marks_to_invitations),
        migrations.RemoveIndex(
            model_name="invitation",
            name="surveys_inv_measure_3d58c7_idx",
        ),
        migrations.RemoveField(model_name="invitation", name="used"),
        migrations.RemoveField(model_name="invitation", name="job_group"),
        migrations.RemoveField(model_name="invitation", name="seniority_band"),
        migrations.RemoveField(model_name="response", name="job_group"),
        migrations.RemoveField(model_name="response", name="seniority_band"),
        migrations.RemoveField(model_name="response", name="language"),
        migrations.RunPython(rewrite_rows, migrations.RunPython.noop),
        # Last on surveys_response (see the module docstring).
        migrations.RunPython(response_without_rowid, migrations.RunPython.noop),
    ]
