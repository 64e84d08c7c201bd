"""Reminders before and after an action's deadline and a plan's evaluation date, as
background tasks.

The operator runs ``tryghed remind-actions`` once a day (cron); it enqueues
``send_action_reminders``. Each action gets at most one reminder of each kind per
deadline (a unique row, written in the same transaction as the e-mail is sent), so running
it twice on the same day, or every day, never sends the same reminder twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tryghed.actions.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionPlan,
    ActionReminder,
    EvaluationReminder,
    PlanStatus,
    ReminderKind,
)
from tryghed.orgs.models import Membership, Role, Unit

logger = logging.getLogger(__name__)

# How many days before a deadline the first reminder goes out.
DAYS_BEFORE = 7


def _site_url() -> str:
    return str(getattr(settings, "TRYGHED_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def due_reminders(today: dt.date) -> list[tuple[Action, str]]:
    """Open actions that need a reminder today, each with its kind, not yet sent."""
    actions = (
        Action.objects.filter(status__in=OPEN_ACTION_STATUSES)
        .filter(
            Q(deadline__lt=today)
            | Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=DAYS_BEFORE))
        )
        .select_related("plan__focus_area__unit", "plan__organisation", "owner_person")
        .order_by("deadline", "pk")
    )
    sent = set(
        ActionReminder.objects.filter(action__in=actions).values_list(
            "action_id", "kind", "deadline"
        )
    )
    due: list[tuple[Action, str]] = []
    for action in actions:
        kind = ReminderKind.AFTER if action.deadline < today else ReminderKind.BEFORE
        if (action.pk, kind, action.deadline) not in sent:
            due.append((action, kind))
    return due


def due_evaluations(today: dt.date) -> list[tuple[ActionPlan, str]]:
    """Plans not yet evaluated whose evaluation date is near or passed, not yet reminded."""
    plans = (
        ActionPlan.objects.exclude(status__in=[PlanStatus.EVALUATED, PlanStatus.STOPPED])
        .filter(evaluation_date__isnull=False)
        .filter(evaluation_date__lte=today + dt.timedelta(days=DAYS_BEFORE))
        .select_related("focus_area__unit", "organisation")
        .order_by("evaluation_date", "pk")
    )
    sent = set(
        EvaluationReminder.objects.filter(plan__in=plans).values_list(
            "plan_id", "kind", "evaluation_date"
        )
    )
    due: list[tuple[ActionPlan, str]] = []
    for plan in plans:
        assert plan.evaluation_date is not None
        kind = ReminderKind.AFTER if plan.evaluation_date < today else ReminderKind.BEFORE
        if (plan.pk, kind, plan.evaluation_date) not in sent:
            due.append((plan, kind))
    return due


def recipients(action: Action) -> list[str]:
    """The owner (when they have an e-mail address) and the leaders of the plan's unit, or of
    the nearest unit above it that has a leader."""
    found: list[str] = []
    if action.owner_person is not None and action.owner_person.email:
        found.append(action.owner_person.email)
    return list(dict.fromkeys([*found, *leader_emails(action.plan.focus_area.unit)]))


def leader_emails(unit: Unit) -> list[str]:
    """The leaders of the unit, or of the nearest unit above it that has one."""
    found: list[str] = []
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    leaders = Membership.objects.filter(
        organisation_id=unit.organisation_id, role=Role.LEADER, unit_id__in=ids
    ).select_related("user", "unit")
    nearest = max((m.unit.depth for m in leaders if m.unit is not None), default=None)
    for membership in leaders:
        if membership.unit is not None and membership.unit.depth == nearest:
            found.append(membership.user.email)
    return list(dict.fromkeys(e for e in found if e))


def _send(action: Action, kind: str, to: list[str], today: dt.date) -> None:
    plan = action.plan
    link = _site_url() + reverse(
        "actions:plan_detail", kwargs={"org": plan.organisation.slug, "plan_id": plan.pk}
    )
    context = {
        "action": action,
        "plan": plan,
        "unit": plan.focus_area.unit,
        "organisation": plan.organisation,
        "overdue": kind == ReminderKind.AFTER,
        "days": abs((action.deadline - today).days),
        "link": link,
    }
    with translation.override("da"):
        subject = render_to_string("actions/email/reminder_subject.txt", context).strip()
        body = render_to_string("actions/email/reminder.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=to).send()


def _send_evaluation(plan: ActionPlan, kind: str, to: list[str], today: dt.date) -> None:
    assert plan.evaluation_date is not None
    link = _site_url() + reverse(
        "actions:plan_evaluate", kwargs={"org": plan.organisation.slug, "plan_id": plan.pk}
    )
    context = {
        "plan": plan,
        "unit": plan.focus_area.unit,
        "overdue": kind == ReminderKind.AFTER,
        "days": abs((plan.evaluation_date - today).days),
        "link": link,
    }
    with translation.override("da"):
        subject = render_to_string("actions/email/evaluation_subject.txt", context).strip()
        body = render_to_string("actions/email/evaluation.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=to).send()


def send_due_evaluation_reminders(today: dt.date) -> int:
    sent = 0
    for plan, kind in due_evaluations(today):
        to = leader_emails(plan.focus_area.unit)
        if not to:
            logger.warning("plan %s: no leader with an e-mail address", plan.pk)
            continue
        assert plan.evaluation_date is not None
        try:
            with transaction.atomic():
                EvaluationReminder.objects.create(
                    plan=plan, kind=kind, evaluation_date=plan.evaluation_date, recipients=to
                )
                _send_evaluation(plan, kind, to, today)
        except IntegrityError:
            continue
        sent += 1
    logger.info("evaluation reminders: %s sent", sent)
    return sent


def send_due_reminders(today: dt.date) -> int:
    sent = 0
    for action, kind in due_reminders(today):
        to = recipients(action)
        if not to:
            logger.warning("action %s: no owner or leader with an e-mail address", action.pk)
            continue
        try:
            # The row and the e-mail together: a failed send leaves no row, so it is retried.
            with transaction.atomic():
                ActionReminder.objects.create(
                    action=action, kind=kind, deadline=action.deadline, recipients=to
                )
                _send(action, kind, to, today)
        except IntegrityError:
            continue  # another worker sent it first
        sent += 1
    logger.info("action reminders: %s sent", sent)
    return sent


@task()
def send_action_reminders(today: str | None = None) -> int:
    """Send the action and evaluation reminders due on ``today`` (ISO date; the local date
    when left out). The number sent."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return send_due_reminders(day) + send_due_evaluation_reminders(day)
