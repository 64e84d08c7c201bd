"""The demo: the leader's two weakest results become plans; a reminder fires; the spring
wave shows the change on the plans."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tryghed.accounts.models import User
from tryghed.actions import selectors
from tryghed.actions.demo import load_demo_actions
from tryghed.actions.models import ActionPlan, PlanStatus
from tryghed.actions.tasks import send_due_reminders
from tryghed.orgs.demo import load_demo
from tryghed.orgs.models import Unit
from tryghed.surveys.demo import load_demo_measurements


@pytest.mark.django_db
def test_the_demo_leader_has_plans_from_the_two_weakest_results(
    settings: object, django_capture_on_commit_callbacks: Any
) -> None:
    organisation, _ = load_demo()
    with django_capture_on_commit_callbacks(execute=False):  # no invitations for the demo
        load_demo_measurements(organisation)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo_actions(organisation)
    assert not load_demo_actions(organisation)  # once only
    # The day's reminders went out with the plans: the overdue action's among them.
    assert any("Fristen er overskredet" in m.subject for m in mail.outbox)

    unit = Unit.objects.get(organisation=organisation, external_id="SUND-HJN")
    plans = list(ActionPlan.objects.filter(focus_area__unit=unit).order_by("pk"))
    assert len(plans) == 2
    start = plans[0].focus_area.measurement
    weakest = selectors.weakest_scales(start, unit, 2, "da")
    assert [(p.focus_area.instrument_id, p.focus_area.figure_id) for p in plans] == [
        (f.instrument_id, f.figure_id) for f in weakest
    ]
    assert all(a.owner_label and a.deadline for p in plans for a in p.actions.all())
    assert plans[0].signed_off_by == User.objects.get(email="amo@demo-kommune.dk")
    assert plans[1].status == PlanStatus.EVALUATED and plans[1].effect_evaluation

    assert send_due_reminders(timezone.localdate()) == 0  # already sent, never twice

    for plan in plans:
        (later,) = selectors.remeasurements(plan)
        assert later.source == "report" and later.change is not None

    client = Client()
    client.force_login(User.objects.get(email="leder@demo-kommune.dk"))
    page = client.get(f"/o/{organisation.slug}/handleplaner/{plans[0].pk}/").content.decode()
    assert "Trivsel og tryghed, forår 2026" in page
