"""Participation ("svarprocent"): invited and answered per group, suppressed (privacy.md §4).

Counts of invited and of answered people are figures like any other, and they are about
named people: a leader who knows the six members of a team and reads "6 invited, 6
answered" knows that each of them answered; "0 of 6" says each did not (privacy.md §0:
no reader may learn whether a named person answered). The groups are the units with
everything below them (subtree scope), so a small unit is never shown alone: its people
are counted in the nearest shown unit above it, and its row says so ("indgår i <enhed>").
The root is the total. Answered means released ``Response`` rows only (batches of at
least the minimum, privacy.md §1), never the pending pool. A closed measurement uses the
unit tree as it stood at closing.

**The rule.** Write m for the participation minimum. A *region* of the shown rows is the
people of a shown group who are in no smaller shown group inside it. :func:`decide` shows
a set of groups in which every region is either empty (no one invited, no one answered)
or has at least m who answered *and* at least m invited who did not (so at least 2m
invited). The organisation's total is not exempt: "100 % of 600" also says of each named
person that they answered.

**Why that suffices (within one view).** The shown groups are nested or disjoint, so every
set of people a reader derives from them by subtracting one from another, again and again,
or by any adding and subtracting, is a union of regions (``core.suppression``, point 2).
A non-empty union of regions has at least m who answered and at least m who did not,
hence: it is never all-answered nor none-answered, and it never has 1..m-1 invited,
answered or non-responding people (the remainder and difference rules, for all three
counts). A leader's page is a subset of these rows (:func:`reader_rates`), and the regions
of a subset are unions of the regions of the whole, so the same holds for every reader.

**Across reloads.** Invited counts are the same people at every moment, so a reader may
combine invited figures from different moments. Every row shown at any moment is also
shown by ``core.suppression`` run on the invited counts alone, which do not change while
the measurement is open; the rows seen over time are a subset of that one safe family,
whose regions hold 0 or at least m invited. Answered counts of different moments are
different numbers and are audited per moment (tests/privacy/test_participation_attack*).

**How.** ``core.suppression`` runs on the invited, answered and non-responder counts with
the minimum m (it picks the fewest hides for the size rules); a group is a candidate only
when all three runs show it. Then, deepest units first, a group whose region breaks the
rule above is hidden, which merges its region into the region above it; hiding only
ancestors afterwards never changes a region already checked. At the root, the smallest
shown group just below is hidden until the root's region keeps the rule; a good region
merged with any other stays good, so this ends, at worst with the whole organisation as
the only region, which is then checked itself.

**What a hidden row says.** The reason must not add what the counts may not say (a row
"for få svar" next to an exact parent could pin a sibling at "all answered"), so a hidden
unit says "for få inviterede" when fewer than 2m people were invited there (whatever
answered) and otherwise "skjult for at beskytte en mindre gruppe". Only the total, when
nothing below it is shown, says more: "for få svar" when fewer than m answered in all,
and a band, "mindst p % har svaret" with p computed from the invited count alone, when
fewer than m did not answer. Each leaves at least m possible counts, none of them pinned
to all or none. The fact that a row is hidden can still hint at its counts; the promise
tested here is against subtraction, as privacy.md §3 states it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tryghed.core.suppression import DEFAULT_MINIMUM, prepare, tree_groups
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess, visible_units
from tryghed.surveys.models import Invitation, Measurement, Response, Status

HiddenReason = Literal["few_invited", "few_answers", "complementary", "nearly_all"]
Verdict = Literal["shown", "few_invited", "few_answers", "complementary", "nearly_all"]

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
    # With reason "nearly_all" (the total only): the lowest rate the band admits, in %.
    band: int | None = None

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
        if rate is None or self.responses is None or self.invited is None:
            return None
        # Never round to 100 % or 0 % unless it is so (a shown row never is, see above).
        percent = round(100 * rate)
        if self.responses < self.invited:
            percent = min(percent, 99)
        if self.responses > 0:
            percent = max(percent, 1)
        return percent

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
        if self.reason == "nearly_all":
            return _("mindst %(percent)s %% har svaret") % {"percent": self.band}
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
        .annotate(n=Count("*"))
        .values_list("unit", "n")
    )
    if measurement.responses_purged_at is not None:  # the answers are gone, the counts kept
        answered = {int(unit): int(n) for unit, n in measurement.purged_response_counts.items()}
    else:
        # Released rows only: the pending pool is another table and is never counted.
        # count(*), not count(id): PostgreSQL counts from the (measurement, unit) index
        # alone instead of reading every row (15 against 80 ms at 50,000 responses).
        answered = dict(
            Response.objects.filter(measurement=measurement)
            .values_list("unit")
            .annotate(n=Count("*"))
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
    rows, total = _rates(
        tuple(_tree(measurement)),
        tuple(sorted(invited.items())),
        tuple(sorted(answered.items())),
        minimum,
    )
    return list(rows), total


@functools.lru_cache(maxsize=16)
def _rates(
    tree: tuple[_TreeUnit, ...],
    invited_pairs: tuple[tuple[int, int], ...],
    answered_pairs: tuple[tuple[int, int], ...],
    minimum: int,
) -> tuple[tuple[RateRow, ...], RateRow | None]:
    """The rows and total for these counts over this tree: a function of them alone, kept
    for the last few inputs. A page that shows one total (the organisation report, the APV
    indicators) then pays for the two counting queries, not for deciding a tree of 2,000
    units on every request (docs/benchmarks.md); any other count or tree is a new key."""
    invited, answered = dict(invited_pairs), dict(answered_pairs)
    known = {u.unit_id for u in tree}
    shape = _parents(tree)
    if shape is None:
        return (), None
    root_id, parent_of = shape

    def atoms(counts: Mapping[int, int]) -> dict[str, int]:
        # A unit missing from the tree (should not happen) counts at the root: never alone.
        out: dict[str, int] = {}
        for unit_id, n in counts.items():
            key = str(unit_id) if unit_id in known else str(root_id)
            out[key] = out.get(key, 0) + int(n)
        return out

    invited_atoms, answered_atoms = atoms(invited), atoms(answered)
    verdicts = decide(parent_of, invited_atoms, answered_atoms, minimum)
    sizes = _subtree_sums(parent_of, invited_atoms, answered_atoms)

    rows: list[RateRow] = []
    shown_names: dict[str, str] = {}
    for unit in tree:  # path order: an ancestor's decision is known before its units'
        key = str(unit.unit_id)
        n_invited, n_answered = sizes[key]
        if n_invited == 0 and n_answered == 0:
            continue
        verdict = verdicts[key]
        reason: HiddenReason | None = None if verdict == "shown" else verdict
        folded = ""
        if reason is not None:
            ancestor = parent_of[key]
            while ancestor is not None and ancestor not in shown_names:
                ancestor = parent_of[ancestor]
            folded = shown_names.get(ancestor, "") if ancestor is not None else ""
        else:
            shown_names[key] = unit.name
        rows.append(
            RateRow(
                unit_id=unit.unit_id,
                name=unit.name,
                depth=unit.depth,
                invited=n_invited if reason is None else None,
                responses=n_answered if reason is None else None,
                reason=reason,
                folded_into=folded,
                band=_band(n_invited, minimum) if reason == "nearly_all" else None,
            )
        )
    total = next((r for r in rows if r.unit_id == root_id), None)
    if total is None:
        return (), None
    return tuple(rows), total


def _children_of(parent_of: Mapping[str, str | None]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {u: [] for u in parent_of}
    for unit in sorted(parent_of):
        parent = parent_of[unit]
        if parent is not None:
            children[parent].append(unit)
    return children


def _preorder(parent_of: Mapping[str, str | None]) -> list[str]:
    """Every unit after its parent (tree_groups has rejected cycles already)."""
    children = _children_of(parent_of)
    order: list[str] = []
    stack = sorted((u for u, p in parent_of.items() if p is None), reverse=True)
    while stack:
        unit = stack.pop()
        order.append(unit)
        stack.extend(reversed(children[unit]))
    return order


def _subtree_sums(
    parent_of: Mapping[str, str | None], invited: Mapping[str, int], answered: Mapping[str, int]
) -> dict[str, tuple[int, int]]:
    """Invited and answered people of each unit with everything below it."""
    sums: dict[str, tuple[int, int]] = {}
    children = _children_of(parent_of)
    for unit in reversed(_preorder(parent_of)):
        i, a = invited.get(unit, 0), answered.get(unit, 0)
        for child in children[unit]:
            i, a = i + sums[child][0], a + sums[child][1]
        sums[unit] = (i, a)
    return sums


def _band(invited: int, minimum: int) -> int:
    """The lowest rate, in whole per cent, of ``invited`` people with fewer than
    ``minimum`` not answering: a function of the invited count only."""
    return (100 * (invited - minimum + 1)) // invited if invited else 0


def decide(
    parent_of: Mapping[str, str | None],
    invited: Mapping[str, int],
    answered: Mapping[str, int],
    minimum: int,
) -> dict[str, Verdict]:
    """For every unit (its subtree), whether its participation is shown, and if not why.

    Framework-free, so the tests can attack it over random trees; see the module
    docstring for the rule and why it holds. ``invited`` and ``answered`` are people per
    unit (a missing unit counts 0).
    """
    # One prepared plan for the three runs over the same groups (the same decisions as
    # suppress(), tests/core compare them), the tree's structure worked out once.
    plan = prepare(tree_groups(parent_of, unit_scope=False))
    non_responders = {u: max(invited.get(u, 0) - answered.get(u, 0), 0) for u in parent_of}
    runs = [plan.suppress(counts, minimum) for counts in (invited, answered, non_responders)]
    children = _children_of(parent_of)
    sums = _subtree_sums(parent_of, invited, answered)
    shown = {u for u in parent_of if all(run[("subtree", u)].shown for run in runs)}

    def good(n_invited: int, n_answered: int) -> bool:
        if n_invited == 0 and n_answered == 0:
            return True
        return n_answered >= minimum and n_invited - n_answered >= minimum

    def region(unit: str) -> tuple[int, int]:
        """The unit's people in no shown group below it."""
        i, a = invited.get(unit, 0), answered.get(unit, 0)
        stack = list(children[unit])
        while stack:
            below = stack.pop()
            if below in shown:
                continue
            i, a = i + invited.get(below, 0), a + answered.get(below, 0)
            stack.extend(children[below])
        return i, a

    def topmost_shown_below(unit: str) -> list[str]:
        found: list[str] = []
        stack = list(children[unit])
        while stack:
            below = stack.pop()
            if below in shown:
                found.append(below)
            else:
                stack.extend(children[below])
        return found

    order = _preorder(parent_of)
    for unit in reversed(order):  # every unit after all units below it
        if parent_of[unit] is not None and unit in shown and not good(*region(unit)):
            shown.discard(unit)  # its region joins the region above it
    for root in (u for u in order if parent_of[u] is None):
        if root in shown and good(*sums[root]):
            while not good(*region(root)):
                below = topmost_shown_below(root)
                if not below:  # cannot happen: the whole subtree is good
                    shown.discard(root)
                    break
                shown.discard(min(below, key=lambda u: (sums[u][0], u)))
        else:
            shown.discard(root)
    # A total that is not shown shows nothing below it either (fail closed).
    hidden_roots = {u for u in order if parent_of[u] is None and u not in shown}
    verdicts: dict[str, Verdict] = {}
    top: dict[str, str] = {}
    for unit in order:
        parent = parent_of[unit]
        top[unit] = unit if parent is None else top[parent]
        if top[unit] in hidden_roots:
            shown.discard(unit)
        n_invited, n_answered = sums[unit]
        if unit in shown:
            verdicts[unit] = "shown"
        elif n_invited < 2 * minimum:
            verdicts[unit] = "few_invited"
        elif parent is not None:
            verdicts[unit] = "complementary"
        elif n_answered < minimum:
            verdicts[unit] = "few_answers"
        elif n_invited - n_answered < minimum:
            verdicts[unit] = "nearly_all"
        else:  # cannot happen: a good root is shown
            verdicts[unit] = "complementary"
    return verdicts


@dataclass(frozen=True)
class CodeRegion:
    """The people of one region of the shown participation rows (a shown row minus the
    shown rows inside it), split by how they could answer: ``printed`` paper codes were
    printed for its units and ``used`` of them answered; the others got a personal link.
    ``answered`` counts both. A reader knows ``invited``, ``answered`` and ``printed`` (the
    printed codes are on the measurement page and in the audit log), never ``used``. The
    people in no shown row (when the total is hidden) are one region with ``shown``
    False: a reader knows only its printed codes."""

    printed: int
    used: int
    invited: int
    answered: int
    shown: bool = True


def code_line_is_safe(regions: Sequence[CodeRegion], minimum: int) -> bool:
    """Whether "Papirkoder: <used> af <printed>" may stand beside the shown rows.

    Write m for ``minimum``, and for a region P printed, E = invited - P with a link,
    a answered, c its (unknown) code answers. A reader knows c = a when a shown region
    has only code holders and c = 0 when it has none. For a *mixed* shown region they know
    only ``lo = max(0, a - E) <= c <= hi = min(P, a)`` (its link answers are at most E),
    for a region not shown ``0 <= c <= P``, and that these *open* regions' c add up to the
    line's count less the fixed ones, C'.

    **Subtraction.** The code holders of the open regions (C' of their printed) and the
    others of the mixed regions are what the line adds to the rows; each must have at
    least m who answered and m who did not, as a participation region must (every other
    set derived by adding and subtracting is a union of regions with one of these two).

    **Bounds.** With two or more open regions the sum confines each c to
    ``[max(lo, C' - (sum hi - hi)), min(hi, C' - (sum lo - lo))]``. Where the floors add up
    to C', every c is pinned to its floor: in the red team's case all six code answers of
    "6 af 17" came from the unit whose e-mail invitees had all answered, so none of the
    other unit's five code holders answered. So for each open region and each of its four
    counts (code holders who answered and who did not, others who answered and who did
    not; the last two only where the region is shown), the most the interval allows must
    be at least m, or what the region's own row allows if that is less. The line then
    tells nothing about a region that its row does not, down to fewer than m. That
    excludes every pin: "none of the code holders answered" is a most of 0, "all of them
    answered" a most of 0 who did not, and a union of regions is pinned only where each of
    its regions is. tests/privacy/test_paper_code_bounds.py attacks it by enumerating every
    split the reader cannot rule out.
    """
    if sum(r.printed for r in regions) == 0:
        return False
    open_ = [r for r in regions if r.printed > 0 and (not r.shown or r.printed < r.invited)]
    mixed = [r for r in open_ if r.shown]
    code_holders = (sum(r.printed for r in open_), sum(r.used for r in open_))
    others = (
        sum(r.invited - r.printed for r in mixed),
        sum(r.answered - r.used for r in mixed),
    )

    def good(n_invited: int, n_answered: int) -> bool:
        if n_invited == 0 and n_answered == 0:
            return True
        return n_answered >= minimum and n_invited - n_answered >= minimum

    if not (good(*code_holders) and good(*others)):
        return False
    if len(open_) < 2:
        return True
    lows = [max(0, r.answered - (r.invited - r.printed)) if r.shown else 0 for r in open_]
    highs = [min(r.printed, r.answered) if r.shown else r.printed for r in open_]
    total, sum_lo, sum_hi = code_holders[1], sum(lows), sum(highs)
    for region, lo, hi in zip(open_, lows, highs, strict=True):
        least = max(lo, total - (sum_hi - hi))
        most = min(hi, total - (sum_lo - lo))
        # (the most the interval allows, the most the row alone allows) for each count.
        counts = [(most, hi), (region.printed - least, region.printed - lo)]
        if region.shown:
            with_link = region.invited - region.printed
            counts += [
                (region.answered - least, region.answered - lo),
                (with_link - region.answered + most, with_link - region.answered + hi),
            ]
        if any(allowed < min(minimum, natural) for allowed, natural in counts):
            return False
    return True


def from_top(rows: Sequence[RateRow]) -> list[RateRow]:
    """The rows with their depth counted from the shallowest of them (the measurement's top
    unit, or a leader's own unit) for display: a measurement of one area would otherwise
    start "– – Hjemmeplejen Nord", indented by the levels above it in the organisation."""
    top = min((row.depth for row in rows), default=0)
    return [replace(row, depth=row.depth - top) for row in rows]


def total_row(measurement: Measurement, *, minimum: int = PARTICIPATION_MINIMUM) -> RateRow | None:
    """The measurement's total participation, or None when nobody was invited."""
    return response_rates(measurement, minimum=minimum)[1]


def dump_rates(rows: Sequence[RateRow], total: RateRow | None) -> dict[str, object]:
    """The rows and total of :func:`response_rates` as JSON, to be stored with a closed
    measurement's publication; :func:`load_rates` reads them back equal."""
    return {
        "rows": [asdict(row) for row in rows],
        "total": total.unit_id if total is not None else None,
    }


def load_rates(data: Mapping[str, Any]) -> tuple[list[RateRow], RateRow | None]:
    """Rows and total as :func:`dump_rates` stored them."""
    rows = [RateRow(**row) for row in data["rows"]]
    total_id = data["total"]
    total = next((row for row in rows if row.unit_id == total_id), None)
    return rows, total


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
