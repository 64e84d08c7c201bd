"""Health figures (sickness absence) of a unit: who may see them, and of which units.

privacy.md section 2: sickness absence or any other health figure of a unit is shown only
for units of at least 10 employees (floor 10), and only to roles that see that unit.

- A sickness-absence figure covers the unit with the units below it (as HR systems report
  a department), so the people behind it are the active employees of that subtree.
- Figures entered for the same period are published together, so the remainder and
  difference rules apply to them too: ``core.suppression`` runs over the subtrees that
  have a figure for that period, counting employees, and a department whose figure minus
  a team's would describe fewer than 10 people stays hidden.
- Then the reader: administrators and the AMO see every unit, a leader the subtree they
  lead, an employee their own unit. Anyone else reads a sentence, never the figure.

Entering a figure for a small unit is allowed (the APV must consider it); it is simply
never displayed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tryghed.apv.models import SicknessAbsence
from tryghed.core.suppression import DEFAULT_MINIMUM, Group, suppress
from tryghed.orgs.models import Organisation, Unit
from tryghed.orgs.selectors import OrgAccess

HEALTH_MINIMUM = DEFAULT_MINIMUM["health"]

HiddenReason = Literal["small_unit", "complementary", "no_access"]


@dataclass(frozen=True)
class AbsenceRow:
    """A sickness-absence entry as one reader may see it: ``shown`` says whether its
    figures (percent, days, the judgement and the written assessment) may be displayed."""

    absence: SicknessAbsence
    reason: HiddenReason | None

    @property
    def shown(self) -> bool:
        return self.reason is None

    @property
    def hidden_text(self) -> str:
        if self.reason == "small_unit":
            return _(
                "Sygefraværet vises ikke, fordi enheden har færre end %(n)s medarbejdere: "
                "helbredsoplysninger om en lille gruppe kan pege på den enkelte."
            ) % {"n": HEALTH_MINIMUM}
        if self.reason == "complementary":
            return _(
                "Sygefraværet vises ikke: skjult for at beskytte en mindre gruppe, som "
                "ellers kunne regnes ud fra de andre enheders tal."
            )
        if self.reason == "no_access":
            return _("Sygefraværet for denne enhed vises kun for dem, der har adgang til enheden.")
        return ""


def sees_unit(access: OrgAccess, unit: Unit) -> bool:
    """Whether the reader's role covers the unit (fails closed for anything else)."""
    if access.sees_whole_organisation:
        return True
    if any(unit.path.startswith(path) for path in access.leader_paths):
        return True
    return unit.pk in access.employee_unit_ids


def _own_headcounts(organisation_id: int) -> dict[int, int]:
    return dict(
        Unit.objects.filter(organisation_id=organisation_id)
        .annotate(n=Count("people", filter=Q(people__is_active=True)))
        .values_list("pk", "n")
    )


def _paths(organisation_id: int) -> dict[int, str]:
    return dict(Unit.objects.filter(organisation_id=organisation_id).values_list("pk", "path"))


def _ancestors(path: str) -> list[int]:
    """The unit ids on a materialised path ("/1/5/12/"), the unit itself last."""
    return [int(part) for part in path.strip("/").split("/") if part]


def subtree_headcounts(organisation: Organisation) -> dict[int, int]:
    """Active employees of each unit with the units below it."""
    own = _own_headcounts(organisation.pk)
    totals = dict.fromkeys(own, 0)
    for pk, path in _paths(organisation.pk).items():
        for ancestor in _ancestors(path):
            if ancestor in totals:
                totals[ancestor] += own.get(pk, 0)
    return totals


def small_units(organisation: Organisation) -> set[int]:
    """Units whose health figures are never shown (fewer than the minimum employees)."""
    return {pk for pk, n in subtree_headcounts(organisation).items() if n < HEALTH_MINIMUM}


def _publishable(absences: Sequence[SicknessAbsence]) -> dict[int, HiddenReason | None]:
    """Per absence id: None when its figures may be published, else why not."""
    if not absences:
        return {}
    organisation_id = absences[0].organisation_id
    counts = {str(pk): n for pk, n in _own_headcounts(organisation_id).items()}
    members: dict[int, set[str]] = defaultdict(set)
    for pk, path in _paths(organisation_id).items():
        for ancestor in _ancestors(path):
            members[ancestor].add(str(pk))
    by_period: dict[tuple[object, object], list[SicknessAbsence]] = defaultdict(list)
    for absence in absences:
        by_period[(absence.period_start, absence.period_end)].append(absence)
    out: dict[int, HiddenReason | None] = {}
    for entries in by_period.values():
        unit_ids = sorted({a.unit_id for a in entries})
        groups = [Group(("subtree", uid), frozenset(members.get(uid, ()))) for uid in unit_ids]
        decisions = suppress(groups, counts, HEALTH_MINIMUM)
        for absence in entries:
            decision = decisions[("subtree", absence.unit_id)]
            if decision.shown:
                out[absence.pk] = None
            elif decision.reason == "complementary":
                out[absence.pk] = "complementary"
            else:
                out[absence.pk] = "small_unit"
    return out


def absence_rows(access: OrgAccess | None, absences: Iterable[SicknessAbsence]) -> list[AbsenceRow]:
    """The entries with, for this reader, whether each may show its figures.

    The decision about the unit's size is made over every entry of the organisation,
    whatever the reader sees, so it is the same for everyone; ``access=None`` (no reader
    known) shows nothing.
    """
    wanted = list(absences)
    if not wanted:
        return []
    publishable = _publishable(
        list(SicknessAbsence.objects.filter(organisation_id=wanted[0].organisation_id))
    )
    rows: list[AbsenceRow] = []
    for absence in wanted:
        reason: HiddenReason | None
        if access is None or not sees_unit(access, absence.unit):
            reason = "no_access"
        else:
            reason = publishable.get(absence.pk, "small_unit")
        rows.append(AbsenceRow(absence, reason))
    return rows
