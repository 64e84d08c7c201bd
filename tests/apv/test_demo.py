from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import client_for
from tryghed.accounts.models import User
from tryghed.apv import selectors, services
from tryghed.apv.demo import load_demo_apv
from tryghed.apv.models import ApvReminder, FactorAssessment, RiskAssessment, SicknessAbsence
from tryghed.orgs.models import Organisation

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.mark.django_db
def test_the_demo_has_an_apv_with_a_revision_reminder_due(
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())
    organisation = Organisation.objects.get(slug="demo-kommune")
    assert not load_demo_apv(organisation)  # once only
    assessments = RiskAssessment.objects.filter(organisation=organisation)
    assert assessments.count() == 3
    assert all(a.measurement is not None for a in assessments)  # the spring screening
    assert FactorAssessment.objects.filter(
        assessment__organisation=organisation, fully_sound="no"
    ).exists()
    assert SicknessAbsence.objects.filter(organisation=organisation).count() == 4
    assert not selectors.team_balance(organisation).too_few_non_managers
    revision = selectors.revision_state(organisation)
    assert revision.needed and len(revision.changes) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.apv_reminders_send()
    change = revision.changes[0]
    assert ApvReminder.objects.filter(organisation=organisation, key=f"change:{change.pk}").exists()
    assert any("amo@demo-kommune.dk" in m.to for m in mail.outbox)
    employee = User.objects.get(email="medarbejder@demo-kommune.dk")
    page = client_for(employee).get(reverse("apv:document", kwargs={"org": organisation.slug}))
    assert page.status_code == 200
    assert "Hjemmeplejen Nord" in page.content.decode()
