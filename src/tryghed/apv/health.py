"""Health figures (sickness absence) of a unit: who may see them, and of which units.

privacy.md section 2: sickness absence or any other health figure of a unit is shown only
for units of at least 10 employees (floor 10), and only to roles that see that unit.

- A sickness-absence figure covers the unit with the units below it (as HR systems report
  a department), so the people behind it are the active employees of that subtree.
- Figures entered for the same period are published together, so the remainder and
  difference rules apply to them too: ``core.suppression`` runs over the subtrees that
  have a shown figure for that period, counting employees, and a department whose figure
  minus a team's would describe fewer than 10 people stays hidden. Figures of periods
  that overlap subtract as well (the year minus its second half is the first half), so
  a new figure is checked, stretch by stretch of its period, with every shown figure
  whose period covers that stretch.
- Both the people and the decision are frozen when the figure is entered (privacy.md
  section 3, "also after a reorganisation"): a figure describes its period's people, and
  anyone who knew that period's headcounts could subtract it from another if a later
  hire, leaver or move let both be shown. So each figure stores its subtree's units with
  their own headcounts then, and whether it is shown is decided once, from stored data.
- Then the reader: administrators and the AMO see every unit, a leader the subtree they
  lead, an employee their own unit. Anyone else reads a sentence, never the figure.

Entering a figure for a small unit is allowed (the APV must consider it); it is simply
never displayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tryghed.apv.models import Publication, PublishedAbsence, SicknessAbsence
from tryghed.core.suppression import DEFAULT_MINIMUM, Counts, Group, suppress
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


def snapshot(unit: Unit) -> dict[str, int]:
    """Per unit of ``unit``'s subtree as it stands now, its own active employees.

    Stored with a figure when it is entered, so the figure keeps the people it described
    (keys are unit ids as strings, as JSON stores them)."""
    return {
        str(pk): n
        for pk, n in Unit.objects.filter(
            organisation_id=unit.organisation_id, path__startswith=unit.path
        )
        .annotate(n=Count("people", filter=Q(people__is_active=True)))
        .values_list("pk", "n")
    }


def _family(snapshots: Sequence[tuple[Hashable, Mapping[str, int]]]) -> tuple[list[Group], Counts]:
    """The groups of figures frozen at different moments, for ``core.suppression``.

    A unit's people shared by several snapshots are the fewest any of them counted; what
    one snapshot counted above that is treated as people only its figure covers. So every
    group's size is exactly its stored headcount, and a unit that grew or shrank between
    two entries makes a difference that the remainder rules see (fails closed).
    """
    base: dict[str, int] = {}
    for _key, units in snapshots:
        for uid, n in units.items():
            base[uid] = min(base.get(uid, n), n)
    counts: dict[Hashable, int] = {("unit", uid): n for uid, n in base.items()}
    groups: list[Group] = []
    for key, units in snapshots:
        atoms: set[Hashable] = {("unit", uid) for uid in units}
        for uid, n in units.items():
            if n > base[uid]:
                counts[("extra", key, uid)] = n - base[uid]
                atoms.add(("extra", key, uid))
        groups.append(Group(key, frozenset(atoms)))
    return groups, counts


def _families(
    absence: SicknessAbsence, units: Mapping[str, int]
) -> list[list[tuple[Hashable, Mapping[str, int]]]]:
    """The families a new figure must be checked in: one per stretch of its period.

    A figure sums its people's absence over its days, so figures of overlapping periods
    subtract too: the year minus its second half is the first half, and that minus a
    team's first half is the rest of the department (privacy.md section 0). The shown
    figures' start and end days cut the new period into stretches, each lying wholly
    inside or wholly outside every shown period; in each stretch, the figures covering it
    are checked together as one period. Whatever a reader derives, its part in some
    stretch is derived from the figures covering that stretch, and it has at least as
    many people there as anywhere (fails closed). Figures of the same period share every
    stretch, so for them this is the check of one period.
    """
    start, end = absence.period_start, absence.period_end
    overlapping = list(
        PublishedAbsence.objects.filter(
            organisation_id=absence.organisation_id, period_start__lte=end, period_end__gte=start
        ).order_by("pk")
    )
    cuts = {start}
    for p in overlapping:
        cuts.add(max(p.period_start, start))
        if p.period_end < end:
            cuts.add(p.period_end + dt.timedelta(days=1))
    families: dict[frozenset[int], list[tuple[Hashable, Mapping[str, int]]]] = {}
    for day in sorted(cuts):
        covering = [p for p in overlapping if p.period_start <= day <= p.period_end]
        key = frozenset(p.pk for p in covering)
        if key not in families:
            families[key] = [
                *((("published", p.pk), p.unit_headcounts) for p in covering),
                (("new", 0), units),
            ]
    return list(families.values())


def freeze(absence: SicknessAbsence) -> None:
    """Store the headcount a newly entered figure rests on and whether it may be shown.

    The decision is taken once, from stored data only: the figure is shown if it covers
    at least 10 employees and, together with every figure shown before whose period
    overlaps its own (also ones since edited or deleted), lets no group of 1..9 be
    derived by subtraction (:func:`_families`). Figures shown before stay shown (they
    have been read), so it is the new one that is hidden; a hidden figure is never shown
    later. Call it in the transaction that saves the figure.
    """
    # One decision at a time per organisation, so two entries of a period cannot both be
    # checked against a family without the other.
    Organisation.objects.select_for_update().filter(pk=absence.organisation_id).first()
    units = snapshot(absence.unit)
    absence.unit_headcounts = units
    absence.headcount = sum(units.values())
    if absence.publication and absence.publication != Publication.SHOWN:
        pass  # hidden once, hidden for good: its earlier figures were never read
    elif absence.headcount < HEALTH_MINIMUM:
        absence.publication = Publication.SMALL_UNIT
    else:
        safe = all(
            all(d.shown for d in suppress(*_family(family), HEALTH_MINIMUM).values())
            for family in _families(absence, units)
        )
        absence.publication = Publication.SHOWN if safe else Publication.COMPLEMENTARY
    absence.save(update_fields=["unit_headcounts", "headcount", "publication"])
    if absence.publication == Publication.SHOWN:
        PublishedAbsence.objects.create(
            organisation_id=absence.organisation_id,
            period_start=absence.period_start,
            period_end=absence.period_end,
            unit_headcounts=units,
        )


def _reason(absence: SicknessAbsence) -> HiddenReason | None:
    if absence.publication == Publication.SHOWN:
        return None
    if absence.publication == Publication.COMPLEMENTARY:
        return "complementary"
    return "small_unit"  # below the minimum, or never decided: hidden


def absence_rows(access: OrgAccess | None, absences: Iterable[SicknessAbsence]) -> list[AbsenceRow]:
    """The entries with, for this reader, whether each may show its figures.

    The decision about the figure itself was stored when it was entered (:func:`freeze`),
    so it is the same for everyone and at any time; ``access=None`` (no reader known)
    shows nothing.
    """
    wanted = list(absences)
    rows: list[AbsenceRow] = []
    for absence in wanted:
        reason: HiddenReason | None
        if access is None or not sees_unit(access, absence.unit):
            reason = "no_access"
        else:
            reason = _reason(absence)
        rows.append(AbsenceRow(absence, reason))
    return rows
