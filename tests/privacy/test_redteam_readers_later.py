"""Red team, readers of results later on (privacy.md section 0, adversary 1): the pages that
quote a closed measurement's figures after the report itself (focus areas, action plans
and their development tables, the APV, "I sagde – vi gjorde", the meeting kits, the front
page's "Det venter på dig"), read by every role before and after a second wave closes, a
reorganisation, a role change, a change of the organisation's minimums and the retention
purge; and the APV's sickness absence read before and after people join.

The publication audit (results.audit) proves a measurement safe for each reader's *view*,
the groups that reader's pages show. So the pages a reader opens must read no group
outside that view: ``test_the_pages_after_the_report_read_only_the_readers_audited_view``
records every group any of these pages loads from the publication, reader by reader and
step by step, and compares it with the view the audit checks for that reader at that
moment.

Found and fixed: an employee's "I sagde – vi gjorde" showed their unit's results as a
whole (the unit with the units below it, and loaded its parent's too), while the audit
checks an employee's own unit's group alone (their feedback page). For an employee of a
department that is a figure the audit never looked at in their view. The page now shows a
reader who may not open the unit's report (an employee) the group their feedback page
shows, the unit's own respondents.

Left open (strict xfail, a product decision): a sickness-absence figure is judged on the
headcount of the day it is entered, not of the period it describes. Team of 6 in the
first half-year, 4 hired after it, its first-half figure entered then: judged as 10
people and shown, though it is about 6 (and beside the department's figure it gives the
department's own 6).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pprint import pformat
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import grant, make_person
from tests.privacy import attack
from tests.privacy.attack import ps7
from tests.privacy.test_absence_frozen_headcount import _shown_to_amo
from tryghed.actions import selectors as action_selectors
from tryghed.actions import services as action_services
from tryghed.actions.models import ActionPlan, FocusArea
from tryghed.apv import services as apv_services
from tryghed.apv.models import RiskAssessment
from tryghed.core import figures
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Role
from tryghed.orgs.selectors import access_for
from tryghed.results import aggregates, audit, shown_counts
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

# A department with people of its own and two teams, and a team elsewhere that moves in.
TREE = {
    "Afdeling": (None, 6),
    "Team A": ("Afdeling", 6),
    "Team B": ("Afdeling", 7),
    "Team C": (None, 6),
}
LEADS = ["Afdeling", "Team A", "Team B", "Team C"]
CODES = {"Afdeling": 1, "Team A": 4, "Team B": 5, "Team C": 2}


# --------------------------------------------------------------------------- what is loaded


@contextmanager
def _loaded_groups() -> Iterator[list[tuple[int, list[int]]]]:
    """Every (measurement id, group slots) any page loads from a publication while inside."""
    seen: list[tuple[int, list[int]]] = []
    current: list[int] = []
    real_loaded, real_slots = aggregates._loaded, aggregates._Loaded.slots

    def loaded(measurement: Measurement) -> tuple[Measurement, Any]:
        found = real_loaded(measurement)
        current[:] = [found[0].pk]
        return found

    def slots(self: Any, units: Any, *, own_only: bool = False) -> tuple[list[int], list[int]]:
        got = real_slots(self, units, own_only=own_only)
        seen.append((current[0], list(got[0])))
        return got

    with (
        mock.patch.object(aggregates, "_loaded", side_effect=loaded),
        mock.patch.object(aggregates._Loaded, "slots", autospec=True, side_effect=slots),
    ):
        yield seen


def _pages(place: attack.Workplace) -> list[str]:
    """The pages after the report: focus areas, plans, their development tables, "I sagde –
    vi gjorde", the meeting kits and readiness, the APV's risk assessments and documents,
    and the front page's steps, for every unit and measurement of the organisation."""
    slug = place.org.slug
    units = [place.root, *place.units.values()]
    measurements = list(Measurement.objects.filter(organisation=place.org))
    urls = [
        reverse("orgs:dashboard", kwargs={"org": slug}),
        reverse("actions:index", kwargs={"org": slug}),
        reverse("apv:assessments", kwargs={"org": slug}),
        reverse("apv:document", kwargs={"org": slug}),
    ]
    for unit in units:
        ids = {"org": slug, "unit_id": unit.pk}
        urls += [
            reverse("actions:vi_gjorde", kwargs=ids),
            reverse("kits:unit", kwargs=ids),
            reverse("kits:readiness", kwargs=ids),
            reverse("apv:unit_document", kwargs=ids),
        ]
        for m in measurements:
            both = {**ids, "measurement_id": m.pk}
            urls += [
                reverse("actions:focus_choose", kwargs=both),
                reverse("kits:meeting", kwargs=both),
            ]
    for focus in FocusArea.objects.filter(organisation=place.org):
        urls.append(reverse("actions:focus_detail", kwargs={"org": slug, "focus_id": focus.pk}))
    for plan in ActionPlan.objects.filter(organisation=place.org):
        urls.append(reverse("actions:plan_detail", kwargs={"org": slug, "plan_id": plan.pk}))
    for assessment in RiskAssessment.objects.filter(organisation=place.org):
        urls.append(reverse("apv:assessment", kwargs={"org": slug, "assessment_id": assessment.pk}))
    return urls


def _outside_views(
    place: attack.Workplace,
) -> tuple[dict[str, list[tuple[str, str, list[Any]]]], set[str]]:
    """Per reader: (page, measurement, groups) where a page loaded a group outside the view
    the audit checks for that reader in that measurement; and the pages that loaded any."""
    out: dict[str, list[tuple[str, str, list[Any]]]] = {}
    loading: set[str] = set()
    urls = _pages(place)
    for role, user in place.readers().items():
        reader = audit.Reader(role, access_for(user=user, slug=place.org.slug))
        client = attack.client_for(user)
        for url in urls:
            with _loaded_groups() as seen:
                attack.read(client, url)
            if seen:
                loading.add(url)
            for measurement_id, slots in seen:
                measurement = Measurement.objects.get(pk=measurement_id)
                whole = figures.load(aggregates.report_data(measurement))
                allowed = {
                    shown_counts.slot_of(whole, key)
                    for key in audit.view_groups(reader, measurement, whole)
                }
                keys = {shown_counts.slot_of(whole, key): key for key in _group_keys(whole)}
                outside = sorted(keys.get(s, s) for s in set(slots) - allowed)
                if outside:
                    out.setdefault(role, []).append((url, measurement.name, outside))
    return out, loading


def _group_keys(whole: figures.Publication) -> list[Any]:
    return [shown_counts.ORGANISATION, *((s, u) for u in whole.units for s in ("unit", "subtree"))]


# --------------------------------------------------------------------------- the story


def _answer_all(place: attack.Workplace, launched: attack.Launched) -> None:
    for name, people in place.people.items():
        for person in people:
            if person.pk in launched.tokens:
                attack.submit(launched.tokens[person.pk], ps7([CODES[name]]))


def _plan_for(place: attack.Workplace, unit_name: str, measurement: Measurement) -> None:
    unit = place.units[unit_name]
    figure = action_selectors.report_figures(measurement, unit, "da")[0]
    focus = action_services.focus_area_create(
        unit=unit,
        measurement=measurement,
        actor=place.owner,
        kind=figure.kind,
        instrument_id=figure.instrument_id,
        figure_id=figure.figure_id,
        title=f"Fokus {unit_name}",
        baseline=figure.baseline(),
    )
    action_services.plan_create(
        focus=focus,
        actor=place.owner,
        problem="Vi taler ikke om fejl.",
        goal="Vi taler om fejl hver uge.",
        level="gruppe",
        prevention="primaer",
        evaluation_date=dt.date.today() + dt.timedelta(days=7),
    )


def _story() -> tuple[attack.Workplace, list[tuple[str, Callable[[], None]]]]:
    place = attack.build_workplace(TREE, leaders=LEADS, employees=list(TREE))
    first = attack.launch(place, ("ps7", "risk5"), name="Forår")
    _answer_all(place, first)
    attack.close(place, first.measurement)
    for name in ("Afdeling", "Team A"):
        _plan_for(place, name, first.measurement)
    for name in ("Afdeling", "Team A"):
        apv_services.risk_assessment_start(
            organisation=place.org, unit=place.units[name], actor=place.owner
        )

    def second_wave() -> None:
        second = attack.launch(place, ("ps7", "risk5"), name="Efterår", previous=first.measurement)
        _answer_all(place, second)
        attack.close(place, second.measurement)

    def reorganised() -> None:
        org_services.unit_move(
            unit=place.units["Team C"], actor=place.owner, new_parent=place.units["Afdeling"]
        )
        org_services.unit_move(unit=place.units["Team B"], actor=place.owner, new_parent=place.root)

    def roles_changed() -> None:
        grant(place.leaders["Team A"], place.org, Role.LEADER, place.units["Team C"])
        grant(place.employees["Team A"], place.org, Role.AMO)

    def minimums_raised() -> None:
        attack.settings_post(attack.client_for(place.owner), place.org, min_group_score=7)

    def purged() -> None:
        attack.settings_post(attack.client_for(place.owner), place.org, response_retention_months=1)
        later = Measurement.objects.order_by("-closes_on").first()
        assert later is not None
        day = later.closes_on + dt.timedelta(days=40)
        call_command("purge_responses", today=day.isoformat(), stdout=io.StringIO())

    steps = [
        ("the first wave closed, plans and assessments made", lambda: None),
        ("a second wave closed", second_wave),
        ("Team C moved in, Team B out", reorganised),
        ("Team A's leader also leads Team C, Team A's employee joins the AMO", roles_changed),
        ("the minimum raised", minimums_raised),
        ("retention deleted the answers", purged),
    ]
    return place, steps


def test_the_pages_after_the_report_read_only_the_readers_audited_view() -> None:
    """Every reader opens every page that quotes the figures after the report, after each
    step; whatever group of a publication a page loads must lie in the view the audit
    checks for that reader then (results.audit.view_groups)."""
    place, steps = _story()
    found: dict[str, object] = {}
    loading: set[str] = set()
    for name, step in steps:
        step()
        outside, pages = _outside_views(place)
        loading |= pages
        if outside:
            found[name] = outside
    assert found == {}, pformat(found)
    # The pages did read the publications (else the check proved nothing).
    for page in (
        r"/handleplaner/fokusomraader/\d+/$",  # a focus area
        r"/handleplaner/\d+/$",  # a plan with its development table
        r"/i-sagde-vi-gjorde/$",
        r"/moedekit/maaling/\d+/enhed/\d+/$",
        r"/apv/risikovurderinger/\d+/$",
        r"^/o/[\w-]+/$",  # the front page's steps
    ):
        assert any(re.search(page, url) for url in loading), page


# --------------------------------------------------------------------------- "I sagde"


def test_an_employee_reads_on_i_sagde_the_group_of_their_feedback_page() -> None:
    """An employee of a department reads "I sagde – vi gjorde" for it: the results shown
    are those of the department's own respondents (their feedback page's group, what the
    audit checks for an employee), not of the department with its teams."""
    place = attack.build_workplace(
        {"Afdeling": (None, 6), "Team A": ("Afdeling", 6)}, employees=["Afdeling"]
    )
    launched = attack.launch(place, ("ps7",))
    _answer_all(place, launched)
    attack.close(place, launched.measurement)
    url = reverse(
        "actions:vi_gjorde", kwargs={"org": place.org.slug, "unit_id": place.units["Afdeling"].pk}
    )
    client: Client = attack.client_for(place.employees["Afdeling"])
    text = attack.visible_text(attack.read(client, url) or "")
    # ps7 all 1 (the department's own six) scores 40,0; with Team A's six at 4 (29) 34,5.
    assert "40,0" in text
    assert "34,5" not in text


# --------------------------------------------------------------------------- sick leave


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Not decided: a sickness-absence figure is judged on the people registered the day "
        "it is entered, as the period's own headcount is not known here. People hired after "
        "the period (or moved in since) count for a period they were not in. Person rows "
        "carry no dates of employment (created_at is the import's day), so the period's "
        "headcount must come from whoever enters the figure (HR reports it beside the "
        "absence): a form field and a stored headcount per unit, a product decision."
    ),
)
def test_a_figure_of_a_past_period_is_judged_on_that_periods_people() -> None:
    """The AMO reads the APV's sickness absence. The department's first half-year figure
    (6.00 %, the department's own 6 and Team's 6) is entered and shown. Four people join
    Team in the autumn; then Team's first half-year figure (4.50 %) is entered: judged as
    10 people it is shown, yet it describes the 6 who worked there in the first half-year,
    and beside the department's it gives the department's own 6: (12 x 6.00 - 6 x 4.50) / 6
    = 7.50 %. Health figures need 10 people (privacy.md section 2)."""
    dept, team = Decimal("6.00"), Decimal("4.50")
    place = attack.build_workplace({"Afdelingen": (None, 6), "Teamet": ("Afdelingen", 6)})

    def record(name: str, value: Decimal) -> None:
        apv_services.sickness_absence_record(
            organisation=place.org,
            unit=place.units[name],
            actor=place.owner,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 6, 30),
            absence_percent=value,
            absence_days=None,
            contributes="unknown",
            assessment="",
        )

    record("Afdelingen", dept)
    assert _shown_to_amo(place, (dept,)) == {dept}
    for i in range(4):
        make_person(place.units["Teamet"], name=f"Ny {i}", email=f"ny{i}@example.test")
    record("Teamet", team)
    assert _shown_to_amo(place, (dept, team)) == {dept}
