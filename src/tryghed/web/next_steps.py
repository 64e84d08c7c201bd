"""What awaits the signed-in user ("Det venter på dig"), for the organisation's front page.

Each step repeats what a page the user may already open shows (the measurements'
participation pages, the action plans, the voice inbox, the APV) and links to it; nothing
here reads a figure or a count those pages do not show to the same user. The steps keep
the cycle going after a measurement closes: results become focus areas, plans get their
actions done and evaluated, cases get their answers, the APV its revision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tryghed.actions import selectors as action_selectors
from tryghed.actions.models import OPEN_ACTION_STATUSES, ActionPlan, FocusArea, PlanStatus
from tryghed.apv import selectors as apv_selectors
from tryghed.learning import selectors as learning_selectors
from tryghed.learning.models import Entry
from tryghed.orgs.labels import unit_label
from tryghed.orgs.models import Role, Unit
from tryghed.orgs.selectors import Capability, OrgAccess
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.participation import reader_measurements
from tryghed.voice import selectors as voice_selectors

# A plan's evaluation this close is announced before its day.
EVALUATION_NOTICE = dt.timedelta(days=14)
# More plans than this with something due become one line pointing to the plans page.
PLAN_LINES = 3
# Closed measurements looked at per led unit for results without focus areas.
RECENT_MEASUREMENTS = 3


@dataclass(frozen=True)
class NextStep:
    text: str
    link_text: str
    url: str
    overdue: bool = False


def next_steps(access: OrgAccess, lang: str, today: dt.date) -> list[NextStep]:
    """The user's steps, those past a deadline first, each group in a fixed order."""
    steps = [
        *_voice_cases(access, today),
        *_plans_due(access, today),
        *_sign_off(access),
        *_focus_areas_to_choose(access, lang),
        *_apv_revision(access, today),
        *_learning_to_review(access),
        *_open_measurements(access),
    ]
    return sorted(steps, key=lambda step: not step.overdue)


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")  # "28. december 2026", "28 Dec 2026"


def _org_url(name: str, access: OrgAccess, **kwargs: object) -> str:
    return reverse(name, kwargs={"org": access.organisation.slug, **kwargs})


# --------------------------------------------------------------------------- measurements


def _open_measurements(access: OrgAccess) -> list[NextStep]:
    """Open measurements the user follows the participation of (reader_measurements)."""
    found = reader_measurements(access).filter(status=Status.OPEN).order_by("closes_on", "pk")
    return [
        NextStep(
            text=_("Målingen «%(name)s» er åben for svar til og med %(day)s.")
            % {"name": m.name, "day": _day(m.closes_on)},
            link_text=_("Se deltagelsen"),
            url=_org_url("surveys_admin:detail", access, measurement_id=m.pk),
        )
        for m in found
    ]


def _focus_areas_to_choose(access: OrgAccess, lang: str) -> list[NextStep]:
    """For each unit the user leads: the latest closed measurement with shown results for
    it, when no focus area has been chosen from it for the unit."""
    if not action_selectors.can_manage_plans(access):
        return []
    led = [m.unit for m in access.memberships if m.role == Role.LEADER and m.unit is not None]
    closed = list(action_selectors.closed_measurements(access)[:RECENT_MEASUREMENTS])
    steps = []
    for unit in led:
        measurement = _latest_with_results(closed, unit, lang)
        if measurement is None or _has_focus(unit, measurement):
            continue
        steps.append(
            NextStep(
                text=_(
                    "Resultaterne for %(unit)s fra «%(name)s» er klar. Vælg få fokusområder "
                    "sammen med medarbejderne."
                )
                % {"unit": unit_label(unit), "name": measurement.name},
                link_text=_("Vælg fokusområder"),
                url=_org_url(
                    "actions:focus_choose", access, unit_id=unit.pk, measurement_id=measurement.pk
                ),
            )
        )
    return steps


def _latest_with_results(closed: list[Measurement], unit: Unit, lang: str) -> Measurement | None:
    return next((m for m in closed if action_selectors.report_figures(m, unit, lang)), None)


def _has_focus(unit: Unit, measurement: Measurement) -> bool:
    return FocusArea.objects.filter(unit=unit, measurement=measurement).exists()


# --------------------------------------------------------------------------- action plans


def _plans_due(access: OrgAccess, today: dt.date) -> list[NextStep]:
    """Plans with open actions past their deadline, and plans whose evaluation is due."""
    unfinished = Q(status__in=(PlanStatus.PLANNED, PlanStatus.ACTIVE, PlanStatus.DONE))
    plans = action_selectors.plans(access).filter(unfinished).prefetch_related("actions")
    steps: list[NextStep] = []
    for plan in plans.order_by("focus_area__unit__path", "pk"):
        late = sum(
            1 for a in plan.actions.all() if a.status in OPEN_ACTION_STATUSES and a.deadline < today
        )
        if late:
            steps.append(_late_actions(access, plan, late))
        evaluate_on = plan.evaluation_date
        if evaluate_on is not None and evaluate_on <= today + EVALUATION_NOTICE:
            steps.append(_evaluation(access, plan, evaluate_on, today))
    if len(steps) <= PLAN_LINES:
        return steps
    late_plans = sum(1 for step in steps if step.overdue)
    return [
        NextStep(
            text=ngettext(
                "%(count)s frist i handleplanerne er nået eller nær.",
                "%(count)s frister i handleplanerne er nået eller nær.",
                len(steps),
            )
            % {"count": len(steps)},
            link_text=_("Se handleplanerne"),
            url=_org_url("actions:index", access),
            overdue=late_plans > 0,
        )
    ]


def _plan_name(plan: ActionPlan) -> dict[str, str]:
    return {"title": plan.focus_area.title, "unit": unit_label(plan.focus_area.unit)}


def _late_actions(access: OrgAccess, plan: ActionPlan, late: int) -> NextStep:
    return NextStep(
        text=ngettext(
            "%(count)s handling i handleplanen «%(title)s» (%(unit)s) har overskredet sin frist.",
            "%(count)s handlinger i handleplanen «%(title)s» (%(unit)s) har overskredet "
            "deres frist.",
            late,
        )
        % {"count": late, **_plan_name(plan)},
        link_text=_("Åbn handleplanen"),
        url=_org_url("actions:plan_detail", access, plan_id=plan.pk),
        overdue=True,
    )


def _evaluation(access: OrgAccess, plan: ActionPlan, day: dt.date, today: dt.date) -> NextStep:
    names = {**_plan_name(plan), "day": _day(day)}
    if day < today:
        text = _("Handleplanen «%(title)s» (%(unit)s) skulle have været evalueret %(day)s.")
    else:
        text = _("Handleplanen «%(title)s» (%(unit)s) skal evalueres %(day)s.")
    return NextStep(
        text=text % names,
        link_text=_("Evaluér planen"),
        url=_org_url("actions:plan_evaluate", access, plan_id=plan.pk),
        overdue=day < today,
    )


def _sign_off(access: OrgAccess) -> list[NextStep]:
    """For the AMO: plans under way that the AMO has not signed off."""
    if not action_selectors.can_sign_off(access):
        return []
    waiting = (
        action_selectors.plans(access)
        .filter(status__in=(PlanStatus.PLANNED, PlanStatus.ACTIVE), signed_off_at__isnull=True)
        .count()
    )
    if not waiting:
        return []
    return [
        NextStep(
            text=ngettext(
                "%(count)s handleplan venter på AMO's godkendelse.",
                "%(count)s handleplaner venter på AMO's godkendelse.",
                waiting,
            )
            % {"count": waiting},
            link_text=_("Se handleplanerne"),
            url=_org_url("actions:index", access),
        )
    ]


# --------------------------------------------------------------------------- learning log


def _learning_to_review(access: OrgAccess) -> list[NextStep]:
    """For a leader: the logs of their units with situations not reviewed yet, as the
    learning log's own index counts them (learning.selectors.log_summaries)."""
    if not access.can(Capability.LEAD_LEARNING_LOG):
        return []
    units = learning_selectors.led_units(access).filter(is_active=True)
    new = dict(
        Entry.objects.filter(unit__in=units, reviewed_on__isnull=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit_id", "n")
    )
    if not new:
        return []
    if len(new) > PLAN_LINES:
        return [
            NextStep(
                text=_("Nye situationer i %(count)s læringslogge venter på jeres gennemgang.")
                % {"count": len(new)},
                link_text=_("Åbn læringsloggene"),
                url=_org_url("learning:index", access),
            )
        ]
    return [
        NextStep(
            text=ngettext(
                "%(count)s ny situation i læringsloggen for %(unit)s venter på jeres gennemgang.",
                "%(count)s nye situationer i læringsloggen for %(unit)s venter på jeres "
                "gennemgang.",
                new[unit.pk],
            )
            % {"count": new[unit.pk], "unit": unit_label(unit)},
            link_text=_("Åbn læringsloggen"),
            url=_org_url("learning:log", access, unit_id=unit.pk),
        )
        for unit in units.filter(pk__in=new).order_by("path")
    ]


# --------------------------------------------------------------------------- voice, APV


def _voice_cases(access: OrgAccess, today: dt.date) -> list[NextStep]:
    """Open cases in the user's inbox that still wait for an acknowledgement or an answer."""
    if not access.can_handle_voice:
        return []
    waiting = [
        case
        for case in voice_selectors.visible_cases(access)
        if not case.is_closed and (case.acknowledged_on is None or case.answered_on is None)
    ]
    if not waiting:
        return []
    late = sum(1 for case in waiting if case.overdue(today))
    if late:
        text = ngettext(
            "%(count)s sag i Sig det har overskredet en frist.",
            "%(count)s sager i Sig det har overskredet en frist.",
            late,
        ) % {"count": late}
    else:
        text = ngettext(
            "%(count)s sag i Sig det venter på kvittering eller svar.",
            "%(count)s sager i Sig det venter på kvittering eller svar.",
            len(waiting),
        ) % {"count": len(waiting)}
    return [
        NextStep(
            text=text,
            link_text=_("Åbn Sig det"),
            url=_org_url("voice:inbox", access),
            overdue=late > 0,
        )
    ]


def _apv_revision(access: OrgAccess, today: dt.date) -> list[NextStep]:
    """For those who write the APV: when it is not adopted, due for revision, or the work
    has changed since it was adopted (apv.selectors.revision_state)."""
    if not apv_selectors.can_write(access):
        return []
    revision = apv_selectors.revision_state(access.organisation, today)
    if not revision.needed:
        return []
    if revision.due is None:
        text = _("APV'en er ikke vedtaget endnu.")
    elif revision.overdue:
        text = _("APV'en skulle have været revideret senest %(day)s.") % {"day": _day(revision.due)}
    else:
        count = len(revision.changes)
        text = ngettext(
            "%(count)s ændring i arbejdet siden APV'en blev vedtaget: vurdér, om APV'en skal "
            "revideres.",
            "%(count)s ændringer i arbejdet siden APV'en blev vedtaget: vurdér, om APV'en skal "
            "revideres.",
            count,
        ) % {"count": count}
    return [
        NextStep(
            text=text,
            link_text=_("Se APV'en"),
            url=_org_url("apv:document", access),
            overdue=revision.overdue,
        )
    ]
