"""The anonymity audit ("anonymitetsrevision"): a measurement's publication as each reader
sees it, handed to the subtraction solver (core.disclosure).

A reader's *view* is the set of report groups their pages and exports show (privacy.md
section 3 and the access model in docs/architecture.md):

- administrators, the AMO and top management (the readers of the organisation report):
  every group of the report data, and the whole organisation;
- a leader: the unit report of every unit they may open (``report_units``): the unit's own
  group and its subtree, the parent's subtree it is compared with, and the organisation;
- an employee: the feedback page of their own unit (the unit's own group) and, to be on
  the safe side, the organisation.

From each shown group the audit takes every count a reader sees: a scale's n (with its
mean), an item's n, a key figure's n (with its share), the number of free-text answers
shown, and a change's n and mean "before" (a figure of the earlier wave's people). Across
waves the earlier measurement's view is added; across a reorganisation the caller adds
the view recorded before the move. Organisation-wide statistics (reliability, ICC,
drivers, correlations) carry no group count and are not part of the subtraction.
Readers who see the whole organisation also see the closed measurement's participation
(invited and answered per unit with its subtree, as stored with the publication and as
the measurement page shows it), which joins the subtraction as populations of its own.

Every figure of a measurement's respondents (its scales, items, key figures, comments,
and its participation's invited and answered) is in that measurement's *pool*: the
solver takes populations of one pool whose n agree wherever both are shown for the same
people (everyone answered everything) and subtracts across them, counts only, under
the lower minimum (core.disclosure). Non-respondents are other people: no pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tryghed.core import figures
from tryghed.core.disclosure import Audit, Figure, audit
from tryghed.orgs.models import Membership, Organisation, Role, Unit
from tryghed.orgs.selectors import OrgAccess, access_for
from tryghed.results import selectors
from tryghed.results.aggregates import is_published, report_data
from tryghed.results.aggregates import participation as stored_participation
from tryghed.results.aggregates import publication as typed_publication
from tryghed.results.shown_counts import (
    ORGANISATION,
    GroupKey,
    as_typed,
    figures_of,
    publication_figures,
    slot_of,
)
from tryghed.surveys import participation
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import measurement_instruments

__all__ = [
    "Finding",
    "Publication",
    "Reader",
    "audit_organisation",
    "audited_measurements",
    "measurement_figures",
    "publication_figures",
    "publications",
    "readers",
    "view_groups",
]

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Reader:
    """A reader whose view is audited: a label for people and the access they hold."""

    label: str
    access: OrgAccess


def readers(organisation: Organisation, role: str | None = None) -> list[Reader]:
    """The readers to audit: one per role held in the organisation (each leader and each
    employee separately), or the one ``role`` names: ``admin``, ``amo``,
    ``leader:<e-mail>`` or ``employee:<e-mail>``. Raises LookupError for an unknown one."""
    memberships = Membership.objects.filter(organisation=organisation).select_related("user")
    if role is not None:
        kind, _, email = role.partition(":")
        if kind not in {r.value for r in Role}:
            raise LookupError(role)
        chosen = memberships.filter(role=kind)
        if email:
            chosen = chosen.filter(user__email__iexact=email)
        membership = chosen.order_by("pk").first()
        if membership is None:
            raise LookupError(role)
        return [_reader(organisation, membership, role)]
    out: list[Reader] = []
    seen: set[str] = set()
    for membership in memberships.order_by("role", "pk"):
        if membership.role in (Role.ADMIN, Role.AMO, Role.TOP_MANAGEMENT):
            label = str(membership.role)
        else:
            label = f"{membership.role}:{membership.user.email}"
        if label not in seen:
            seen.add(label)
            out.append(_reader(organisation, membership, label))
    return out


def _reader(organisation: Organisation, membership: Membership, label: str) -> Reader:
    return Reader(label, access_for(user=membership.user, slug=organisation.slug))


# --------------------------------------------------------------------------- groups


def view_groups(
    reader: Reader, measurement: Measurement, data: figures.Publication | Mapping[str, Any]
) -> list[GroupKey]:
    """The report groups the reader's pages and exports show for the measurement."""
    access = reader.access
    units = as_typed(data).units
    if access.sees_whole_organisation or selectors.can_read_organisation_report(access):
        # The organisation report shows every unit's subtree (the heatmap and the zones)
        # and own respondents (the correlation scatter), as top management reads it too.
        return [ORGANISATION, *((s, u) for u in units for s in ("unit", "subtree"))]
    keys: list[GroupKey] = []
    if selectors.can_read_unit_reports(access):
        opened = {
            str(pk)
            for pk in selectors.report_units(access, measurement).values_list("pk", flat=True)
        }
        for unit in units:
            if unit not in opened:
                continue
            keys += [("unit", unit), ("subtree", unit)]
            parent = units[unit].parent
            if parent is not None:
                keys.append(("subtree", str(parent)))
    if measurement.status == Status.CLOSED:
        for pk in selectors.feedback_units(access).values_list("pk", flat=True):
            if str(pk) in units:
                keys.append(("unit", str(pk)))
    if keys:
        keys.append(ORGANISATION)
    return list(dict.fromkeys(keys))


def _labels(data: figures.Publication, organisation_id: int) -> dict[GroupKey, str]:
    names = dict(
        Unit.objects.filter(
            organisation_id=organisation_id, pk__in=[int(u) for u in data.units]
        ).values_list("pk", "name")
    )
    labels: dict[GroupKey, str] = {ORGANISATION: _("Hele organisationen")}
    for unit in data.units:
        name = names.get(int(unit)) or _("enhed %(id)s") % {"id": unit}
        labels[("unit", unit)] = _("%(name)s (kun egne svar)") % {"name": name}
        labels[("subtree", unit)] = _("%(name)s (hele enheden)") % {"name": name}
    return labels


# --------------------------------------------------------------------------- figures


def measurement_figures(
    measurement: Measurement,
    keys: Iterable[GroupKey] | None = None,
    *,
    data: figures.Publication | Mapping[str, Any] | None = None,
    previous: figures.Publication | Mapping[str, Any] | None = None,
) -> list[Figure]:
    """Every count the given groups of the measurement's report data show (all groups when
    ``keys`` is None). ``previous`` is the earlier wave's report data: a change's "before"
    figure is about the earlier wave's people in that group as the earlier wave drew it."""
    typed = typed_publication(measurement, units=None) if data is None else as_typed(data)
    earlier = as_typed(previous) if previous is not None else None
    by_key = _figures_by_key(measurement, typed, earlier, keys)
    return [f for found in by_key.values() for f in found]


def _figures_by_key(
    measurement: Measurement,
    data: figures.Publication,
    previous: figures.Publication | None,
    keys: Iterable[GroupKey] | None = None,
) -> dict[GroupKey, list[Figure]]:
    labels = _labels(data, measurement.organisation_id)
    instruments = {i.id: i for i in measurement_instruments(measurement)}
    return figures_of(data, previous, keys, labels, instruments)


def shown_participation(measurement: Measurement) -> list[participation.RateRow]:
    """Every participation row a page shows of the measurement: those stored with its
    publication at closing (the organisation report and its files read them), and those
    the measurement page computes from the counts, which are the same rows once it is
    closed; any row of the one not among the other's is audited too."""
    rows, _total = participation.response_rates(measurement)
    if not is_published(measurement):
        return rows
    stored, _total = stored_participation(measurement)
    kept = set(stored)
    return [*stored, *(row for row in rows if row not in kept)]


def participation_figures(measurement: Measurement) -> list[Figure]:
    """The participation rows shown for a closed measurement (measurement page, the
    organisation report's trust box): invited, answered and not answered per unit with its
    subtree, each a count of its own people (privacy.md section 4: counts of invited and of
    answered are figures too, and so their difference). Hidden rows show no number and add
    nothing. That no derivable set is all or none answered is proven and tested in
    ``surveys.participation``."""
    rows = shown_participation(measurement)
    members = participation.group_members(measurement)
    mid = measurement.pk
    out: list[Figure] = []
    for row in rows:
        if not row.shown or row.invited is None or row.responses is None:
            continue
        label = _("%(name)s (svarprocent)") % {"name": row.name}
        atoms = members.get(row.unit_id, frozenset({str(row.unit_id)}))
        counts = (
            ("invited", row.invited),
            ("answered", row.responses),
            ("not-answered", row.invited - row.responses),
        )
        for what, n in counts:
            population = f"m{mid}/participation/{what}"
            out.append(
                Figure(
                    population,
                    label,
                    atoms,
                    int(n),
                    participation.PARTICIPATION_MINIMUM,
                    None,
                    frozenset({population}),
                    # Those who did not answer are no respondents of any figure.
                    "" if what == "not-answered" else f"m{mid}",
                )
            )
    return out


# --------------------------------------------------------------------------- audits


class Publication:
    """A closed measurement's report data with its figures per group, read once."""

    def __init__(self, measurement: Measurement, previous: Publication | None = None) -> None:
        self.measurement = measurement
        # The stored JSON (what the slices and the tests' files are checked against) and
        # the typed publication the figures are read from: the same content.
        self.data: Mapping[str, Any] = report_data(measurement)
        self.typed = typed_publication(measurement, units=None)
        self.previous = previous
        self._figures = _figures_by_key(
            measurement, self.typed, previous.typed if previous is not None else None
        )
        self._participation: list[Figure] | None = None

    def figures(self, keys: Iterable[GroupKey]) -> list[Figure]:
        return [f for key in dict.fromkeys(keys) for f in self._figures.get(key, ())]

    def data_keys(self) -> list[GroupKey]:
        """Every group of the report data (what an administrator sees)."""
        return list(self._figures)

    def seen_by(self, reader: Reader) -> list[Figure]:
        seen = self.figures(view_groups(reader, self.measurement, self.typed))
        if selectors.can_read_organisation_report(reader.access):
            # The measurement page and the organisation report show participation.
            seen += self.participation
        return seen

    @property
    def participation(self) -> list[Figure]:
        if self._participation is None:
            self._participation = participation_figures(self.measurement)
        return self._participation

    def slice_for(self, reader: Reader) -> JsonDict:
        """The part of the report data the reader's pages may draw on: the groups they
        see, the instruments' metadata and the minimums, and the organisation-wide
        statistics for those who see the whole organisation."""
        keys = view_groups(reader, self.measurement, self.typed)
        whole = selectors.can_read_organisation_report(reader.access)
        part = figures.dump_slice(
            self.typed, [slot_of(self.typed, key) for key in keys], organisation_wide=whole
        )
        if whole:
            part["participation"] = [
                {"invited": row.invited, "answered": row.responses}
                for row in shown_participation(self.measurement)
                if row.shown
            ]
        return part


@dataclass(frozen=True)
class Finding:
    """One audit run: whose view, of what, and what the solver found."""

    reader: str
    title: str
    result: Audit


def audited_measurements(
    organisation: Organisation, measurement_id: int | None = None
) -> list[Measurement]:
    """The organisation's closed measurements (those with a publication), oldest first."""
    found = Measurement.objects.filter(organisation=organisation, status=Status.CLOSED)
    if measurement_id is not None:
        found = found.filter(pk=measurement_id)
    return list(found.order_by("closes_on", "pk"))


def publications(measurements: Sequence[Measurement]) -> list[Publication]:
    """Each measurement's publication, linked to its earlier wave's when that is closed."""
    out: list[Publication] = []
    for measurement in measurements:
        earlier = (
            Measurement.objects.filter(pk=measurement.previous_id, status=Status.CLOSED).first()
            if measurement.previous_id is not None
            else None
        )
        out.append(Publication(measurement, Publication(earlier) if earlier else None))
    return out


def audit_organisation(
    organisation: Organisation, *, measurement_id: int | None = None, role: str | None = None
) -> list[Finding]:
    """Every closed measurement as every reader sees it, alone and with its earlier wave."""
    shown = publications(audited_measurements(organisation, measurement_id))
    findings: list[Finding] = []
    for reader in readers(organisation, role):
        for publication in shown:
            seen = publication.seen_by(reader)
            findings.append(Finding(reader.label, publication.measurement.name, audit(seen)))
            earlier = publication.previous
            if earlier is not None:
                both = [*seen, *earlier.seen_by(reader)]
                title = f"{earlier.measurement.name} + {publication.measurement.name}"
                findings.append(Finding(reader.label, title, audit(both)))
    return findings
