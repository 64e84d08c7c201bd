"""Reads of measurements, scoped to the acting user's access."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.surveys.models import Invitation, Measurement, OpenLink, Response
from tryghed.surveys.services import unanswered_invitation_ids, units_in_scope


def measurements(access: OrgAccess) -> QuerySet[Measurement]:
    if not access.can_manage_measurements:
        return Measurement.objects.none()
    return Measurement.objects.filter(organisation=access.organisation).annotate(
        invited=Count("invitations", distinct=True),
        answered=Count("responses", distinct=True),
    )


def get_measurement(access: OrgAccess, measurement_id: int) -> Measurement:
    try:
        return measurements(access).get(pk=measurement_id)
    except Measurement.DoesNotExist:
        raise Http404 from None


def get_open_link(access: OrgAccess, measurement: Measurement, unit_id: int) -> OpenLink:
    try:
        return OpenLink.objects.select_related("unit").get(
            measurement=get_measurement(access, measurement.pk), unit_id=unit_id
        )
    except OpenLink.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class RateRow:
    unit: Unit
    invited: int
    responses: int

    @property
    def rate(self) -> float | None:
        return self.responses / self.invited if self.invited else None


def response_rates(measurement: Measurement) -> tuple[list[RateRow], RateRow | None]:
    """Invited and answered per unit, and in total. Counts only: never who answered."""
    invited = dict(
        Invitation.objects.filter(measurement=measurement)
        .values_list("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    if measurement.responses_purged_at is not None:  # the answers are gone, the counts kept
        answered = {int(unit): n for unit, n in measurement.purged_response_counts.items()}
    else:
        answered = dict(
            Response.objects.filter(measurement=measurement)
            .values_list("unit")
            .annotate(n=Count("pk"))
            .values_list("unit", "n")
        )
    rows = [
        RateRow(unit, invited.get(unit.pk, 0), answered.get(unit.pk, 0))
        for unit in units_in_scope(measurement)
        if invited.get(unit.pk) or answered.get(unit.pk)
    ]
    if not rows:
        return [], None
    total = RateRow(
        measurement.organisation.units.get(parent__isnull=True),
        sum(r.invited for r in rows),
        sum(r.responses for r in rows),
    )
    return rows, total


def unanswered_with_email(measurement: Measurement) -> int:
    return len(unanswered_invitation_ids(measurement))


def without_email(measurement: Measurement) -> QuerySet[Unit]:
    """Units with invited people who have no e-mail address: they need an open link."""
    return Unit.objects.filter(
        pk__in=Invitation.objects.filter(measurement=measurement)
        .filter(Q(person__email="") | Q(person__isnull=True))
        .values("unit")
    ).order_by("path")
