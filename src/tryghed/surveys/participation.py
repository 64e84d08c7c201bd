"""Participation ("svarprocent"): invited and answered per group, suppressed (privacy.md §4).

Counts of invited and of answered people are figures like any other: a leader who knows
the three members of a team and reads "3 invited, 3 answered" knows that each of them
answered. So a group shows its counts and rate only when

- it has at least the participation minimum of invited people, and
- the remainder and difference rules hold for the invited counts *and* for the answered
  counts: ``core.suppression`` runs over the unit tree once with each, and a group is
  shown only when both runs show it.

The groups are the units with everything below them (subtree scope), so a small unit is
never shown alone: its people are counted in the nearest shown unit above it, and its row
says so ("indgår i <enhed>"). The root is the total. Answered means released ``Response``
rows only (batches of at least the minimum, privacy.md §1), never the pending pool, so the
page cannot pin down when one person answered. A closed measurement uses the unit tree as
it stood at closing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tryghed.core.suppression import DEFAULT_MINIMUM, suppress, tree_groups
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess, visible_units
from tryghed.surveys.models import Invitation, Measurement, Response, Status

HiddenReason = Literal["few_invited", "few_answers", "complementary"]

# privacy.md section 2: 5 invited people, floor 3. Organisations cannot choose it yet.
PARTICIPATION_MINIMUM = DEFAULT_MINIMUM["participation"]


@dataclass(frozen=True)
class RateRow:
    """Invited and answered people of a unit with the units below it. Counts only, never
    who; ``invited`` and ``responses`` are None when the group is hidden."""

    unit_id: int
    name: str
    depth: int
    invited: int | None
    responses: int | None
    reason: HiddenReason | None = None
    # The nearest shown unit above a hidden one: its figures include this unit's people.
    folded_into: str = ""

    @property
    def shown(self) -> bool:
        return self.reason is None and self.invited is not None and self.responses is not None

    @property
    def rate(self) -> float | None:
        if not self.shown or not self.invited or self.responses is None:
            return None
        return self.responses / self.invited

    @property
    def percent(self) -> int | None:
        rate = self.rate
        return None if rate is None else round(100 * rate)

    @property
    def indent(self) -> str:
        """Dashes showing the depth in the tree, as the unit pickers do."""
        return "– " * self.depth

    @property
    def hidden_text(self) -> str:
        """Why the counts are not shown, in Danish first (empty when they are shown)."""
        if self.reason == "few_invited":
            return _("for få inviterede")
        if self.reason == "few_answers":
            return _("for få svar")
        if self.reason == "complementary":
            return _("skjult for at beskytte en mindre gruppe")
        return ""


@dataclass(frozen=True)
class _TreeUnit:
    unit_id: int
    parent_id: int | None
    name: str
    depth: int
    path: str


def _tree(measurement: Measurement) -> list[_TreeUnit]:
    """The unit tree the groups are built on, in path order: frozen at closing if stored."""
    if measurement.frozen_tree:
        return sorted(
            (
                _TreeUnit(
                    int(u["id"]),
                    int(u["parent"]) if u.get("parent") is not None else None,
                    str(u["name"]),
                    int(u.get("depth", 0)),
                    str(u.get("path", "")),
                )
                for u in measurement.frozen_tree
            ),
            key=lambda u: u.path,
        )
    return [
        _TreeUnit(pk, parent, name, depth, path)
        for pk, parent, name, depth, path in Unit.objects.filter(
            organisation_id=measurement.organisation_id
        )
        .order_by("path")
        .values_list("pk", "parent_id", "name", "depth", "path")
    ]


def _per_unit(measurement: Measurement) -> tuple[dict[int, int], dict[int, int]]:
    invited = dict(
        Invitation.objects.filter(measurement=measurement)
        .values_list("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    if measurement.responses_purged_at is not None:  # the answers are gone, the counts kept
        answered = {int(unit): int(n) for unit, n in measurement.purged_response_counts.items()}
    else:
        # Released rows only: the pending pool is another table and is never counted.
        answered = dict(
            Response.objects.filter(measurement=measurement)
            .values_list("unit")
            .annotate(n=Count("pk"))
            .values_list("unit", "n")
        )
    return invited, answered


def _parents(tree: Sequence[_TreeUnit]) -> tuple[int, dict[str, str | None]] | None:
    """The root and every unit's parent in the groups: a unit whose parent is not in the
    tree hangs under the root (it is never a group of its own at the top)."""
    known = {u.unit_id for u in tree}
    roots = [u for u in tree if u.parent_id is None or u.parent_id not in known]
    if not roots:
        return None
    root_id = roots[0].unit_id
    parent_of: dict[str, str | None] = {
        str(u.unit_id): (
            None if u.unit_id == root_id else str(u.parent_id if u.parent_id in known else root_id)
        )
        for u in tree
    }
    return root_id, parent_of


def group_members(measurement: Measurement) -> dict[int, frozenset[str]]:
    """The units (ids as text) whose people each participation row counts: the unit and
    every unit below it, as ``response_rates`` groups them. For the anonymity audit."""
    shape = _parents(_tree(measurement))
    if shape is None:
        return {}
    _root, parent_of = shape
    children: dict[str, list[str]] = {}
    for unit, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    out: dict[int, frozenset[str]] = {}
    for unit in parent_of:
        found, stack = {unit}, list(children.get(unit, ()))
        while stack:
            child = stack.pop()
            found.add(child)
            stack.extend(children.get(child, ()))
        out[int(unit)] = frozenset(found)
    return out


def response_rates(
    measurement: Measurement, *, minimum: int = PARTICIPATION_MINIMUM
) -> tuple[list[RateRow], RateRow | None]:
    """Participation per unit (with its subtree) in tree order, and the total.

    Only units with invited or answered people have a row. Every row is either shown
    with its counts or hidden with only the reason; the total is the root's row.
    """
    invited, answered = _per_unit(measurement)
    if not invited and not answered:
        return [], None
    tree = _tree(measurement)
    known = {u.unit_id for u in tree}
    shape = _parents(tree)
    if shape is None:
        return [], None
    root_id, parent_of = shape

    def atoms(counts: Mapping[int, int]) -> dict[str, int]:
        # A unit missing from the tree (should not happen) counts at the root: never alone.
        out: dict[str, int] = {}
        for unit_id, n in counts.items():
            key = str(unit_id) if unit_id in known else str(root_id)
            out[key] = out.get(key, 0) + int(n)
        return out

    invited_atoms, answered_atoms = atoms(invited), atoms(answered)
    groups = tree_groups(parent_of, unit_scope=False)
    by_invited = suppress(groups, invited_atoms, minimum)
    by_answered = suppress(groups, answered_atoms, minimum)

    rows: list[RateRow] = []
    shown_names: dict[str, str] = {}
    for unit in tree:  # path order: an ancestor's decision is known before its units'
        key = ("subtree", str(unit.unit_id))
        inv, ans = by_invited[key], by_answered[key]
        if inv.n == 0 and ans.n == 0:
            continue
        reason: HiddenReason | None = None
        if inv.reason == "below_minimum":
            reason = "few_invited"
        elif ans.reason == "below_minimum":
            reason = "few_answers"
        elif not (inv.shown and ans.shown):
            reason = "complementary"
        folded = ""
        if reason is not None:
            ancestor = parent_of[str(unit.unit_id)]
            while ancestor is not None and ancestor not in shown_names:
                ancestor = parent_of[ancestor]
            folded = shown_names.get(ancestor, "") if ancestor is not None else ""
        else:
            shown_names[str(unit.unit_id)] = unit.name
        rows.append(
            RateRow(
                unit_id=unit.unit_id,
                name=unit.name,
                depth=unit.depth,
                invited=inv.n if reason is None else None,
                responses=ans.n if reason is None else None,
                reason=reason,
                folded_into=folded,
            )
        )
    total = next((r for r in rows if r.unit_id == root_id), None)
    if total is None:
        return [], None
    return rows, total


def total_row(measurement: Measurement, *, minimum: int = PARTICIPATION_MINIMUM) -> RateRow | None:
    """The measurement's total participation, or None when nobody was invited."""
    return response_rates(measurement, minimum=minimum)[1]


# --------------------------------------------------------------------------- per reader


def reader_measurements(access: OrgAccess) -> QuerySet[Measurement]:
    """Open and closed measurements that invited people in units the reader sees: every one
    for the AMO and administrators, those touching their subtree for a leader."""
    if not access.can_view_participation:
        return Measurement.objects.none()
    found = Measurement.objects.filter(
        organisation=access.organisation, status__in=(Status.OPEN, Status.CLOSED)
    )
    if not access.sees_whole_organisation:
        units = visible_units(access).values("pk")
        found = found.filter(pk__in=Invitation.objects.filter(unit__in=units).values("measurement"))
    return found.order_by("-opens_on", "-pk")


def get_reader_measurement(access: OrgAccess, measurement_id: int) -> Measurement:
    try:
        return reader_measurements(access).get(pk=measurement_id)
    except Measurement.DoesNotExist:
        raise Http404 from None


def reader_rates(access: OrgAccess, measurement: Measurement) -> list[RateRow]:
    """The rows of the units the reader sees today (the groups as the measurement froze
    them). Each is a row of the one suppressed table everyone's rows come from, so a
    leader's page is a part of what the AMO sees and adds nothing to subtract from."""
    rows, _total = response_rates(measurement)
    if access.sees_whole_organisation:
        return rows
    visible = set(visible_units(access).values_list("pk", flat=True))
    return [row for row in rows if row.unit_id in visible]
