"""Redteam (operator, privacy.md section 0.2): the database task queue stores every task's
arguments, return value and times. Invitations, reminders and the report go through it;
no row may carry a link token, a person or an invitation, only the measurement."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import TestCase
from django_tasks_db.models import DBTaskResult

from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.task_worker import run_ready_tasks
from tryghed.surveys import services

pytestmark = pytest.mark.django_db


def test_the_task_queue_rows_hold_no_token_person_or_invitation(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    place = attack.build_workplace({"Hjemmeplejen": (None, 6), "Køkkenet": (None, 6)})
    launched = attack.launch(place)  # enqueues the invitations; the worker sends them
    run_ready_tasks("redteam")
    tokens = {
        m.group(1)
        for message in mail.outbox
        if (m := attack.LINK.search(str(message.body))) is not None
    }
    assert len(tokens) == 12, "the worker must have sent the invitations"
    people = [p for ps in place.people.values() for p in ps]
    # Three people answer through the e-mailed links, then a reminder round runs.
    for token in sorted(tokens)[:3]:
        attack.submit(token, ps7([2]))
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_request(measurement=launched.measurement, actor=place.owner)
    run_ready_tasks("redteam")
    reminder_tokens = {
        m.group(1)
        for message in mail.outbox
        if (m := attack.LINK.search(str(message.body))) is not None
    } - tokens
    assert len(reminder_tokens) == 9, "the reminders must have gone to the nine others"

    table = DBTaskResult._meta.db_table
    assert table in attack.tables()
    rows = attack.rows(table)
    assert len(rows) >= 2
    text = " ".join(str(value) for row in rows for value in row)
    leaked = [t for t in tokens | reminder_tokens if t in text]
    assert leaked == []
    for person in people:
        assert person.email not in text and person.name not in text
    columns = attack.columns(table)
    args = [row[columns.index("args_kwargs")] for row in rows]
    mid = launched.measurement.pk
    for value in args:
        assert str(value).replace(" ", "") in {
            f'{{"args":[{mid}],"kwargs":{{}}}}',
            f"{{'args':[{mid}],'kwargs':{{}}}}",
        }, value
