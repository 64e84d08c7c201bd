""" "Resultaterne er klar": the e-mails that go out once a closed measurement's publication
is stored (surveys.tasks.prepare_report queues them).

- Everyone invited who has an e-mail address gets the same e-mail, whether they answered
  or not (nothing in it, or in whether it is sent, depends on answering). It points to
  the sign-in page with the feedback page as where to go next, not to a ready-made
  sign-in link: a bulk e-mail then carries no credential, nothing in a mailbox, a
  forward or a mail scanner's click can sign anyone in, and the link the employee asks
  for lives 15 minutes from when they want it rather than from when the e-mail went.
- Each leader of a unit in the measurement gets one e-mail naming their units, with the
  team report and the page where the dialogue meeting's focus areas become a plan. It is
  the same e-mail whether a unit's figures are shown or hidden.

Sent once per measurement: the audit row ``measurement.results_mailed``, written under a
lock on the measurement before anything is sent, is the record that it went.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tryghed.audit.models import AuditEvent
from tryghed.audit.services import audit_record
from tryghed.orgs.models import Membership, Person, Role, Unit
from tryghed.results.aggregates import is_published
from tryghed.surveys.models import Invitation, Measurement, Status

logger = logging.getLogger(__name__)

MAILED = "measurement.results_mailed"


def _site_url() -> str:
    return str(getattr(settings, "TRYGHED_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


# --------------------------------------------------------------------------- reads


def invited_people(measurement: Measurement) -> list[Person]:
    """Everyone invited who has an e-mail address and is still employed, once per address.
    Read from the invitations alone: whether someone answered is not known here."""
    people = (
        Person.objects.filter(
            pk__in=Invitation.objects.filter(measurement=measurement).values("person"),
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
    )
    seen: set[str] = set()
    out = []
    for person in people:
        address = person.email.strip().lower()
        if address not in seen:
            seen.add(address)
            out.append(person)
    return out


def measured_unit_ids(measurement: Measurement) -> set[int]:
    """The units of the measurement's reports: its tree frozen at closing, in scope."""
    tree = measurement.frozen_tree or []
    return {int(u["id"]) for u in tree if u.get("in_scope", True)}


@dataclass
class LeaderMail:
    email: str
    name: str
    units: list[Unit] = field(default_factory=list)


def leaders(measurement: Measurement) -> list[LeaderMail]:
    """Each leader with a unit in the measurement, with those units (in tree order)."""
    ids = measured_unit_ids(measurement)
    found: dict[int, LeaderMail] = {}
    for membership in (
        Membership.objects.filter(
            organisation_id=measurement.organisation_id,
            role=Role.LEADER,
            unit_id__in=ids,
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("unit__path", "pk")
    ):
        user = membership.user
        mail = found.setdefault(user.pk, LeaderMail(user.email, user.get_short_name()))
        assert membership.unit is not None
        mail.units.append(membership.unit)
    return list(found.values())


# --------------------------------------------------------------------------- sending


def _send(to: str, template: str, context: dict[str, object], language: str) -> bool:
    with translation.override(language):
        subject = render_to_string(f"results/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"results/email/{template}.txt", context)
    try:
        EmailMultiAlternatives(subject=subject, body=body, to=[to]).send()
    except OSError:
        # One bad address or a hiccup must not keep the others' e-mails back.
        logger.exception("results-ready e-mail not sent")
        return False
    return True


def _claim(measurement_id: int) -> tuple[Measurement, list[Person], list[LeaderMail]] | None:
    """Lock the measurement and record the mailing, or None when it is not due."""
    with transaction.atomic():
        measurement = (
            Measurement.objects.select_for_update()
            .select_related("organisation")
            .filter(pk=measurement_id, status=Status.CLOSED)
            .first()
        )
        if measurement is None or not is_published(measurement):
            return None
        if AuditEvent.objects.filter(
            organisation=measurement.organisation,
            object_type="Measurement",
            object_id=str(measurement.pk),
            action=MAILED,
        ).exists():
            return None
        people, leader_mails = invited_people(measurement), leaders(measurement)
        audit_record(
            actor=None,
            action=MAILED,
            organisation=measurement.organisation,
            obj=measurement,
            summary=measurement.name,
            data={"employees": len(people), "leaders": len(leader_mails)},
        )
    return measurement, people, leader_mails


@task()
def send_results_ready(measurement_id: int) -> None:
    """E-mail everyone invited and the leaders that the results are ready (once)."""
    claimed = _claim(measurement_id)
    if claimed is None:
        return
    measurement, people, leader_mails = claimed
    slug = measurement.organisation.slug
    language = "da" if "da" in (measurement.languages or ["da"]) else "en"
    feedback = reverse("results:feedback_latest", kwargs={"org": slug})
    common: dict[str, object] = {
        "measurement": measurement,
        "organisation": measurement.organisation,
        "minimum": measurement.min_group_score,
        "both_languages": set(measurement.languages or []) == {"da", "en"},
    }
    signin = _site_url() + reverse("accounts:link_request") + "?" + urlencode({"next": feedback})
    for person in people:
        context = {**common, "name": person.name.split(" ")[0], "link": signin}
        _send(person.email, "results_ready", context, language)
    for leader in leader_mails:
        units = [
            {
                "name": unit.name,
                "report": _site_url()
                + reverse(
                    "results:unit_report",
                    kwargs={"org": slug, "measurement_id": measurement.pk, "unit_id": unit.pk},
                ),
                "plan": _site_url()
                + reverse(
                    "actions:focus_choose",
                    kwargs={"org": slug, "unit_id": unit.pk, "measurement_id": measurement.pk},
                ),
            }
            for unit in leader.units
        ]
        context = {**common, "name": leader.name, "units": units}
        _send(leader.email, "results_ready_leader", context, "da")
