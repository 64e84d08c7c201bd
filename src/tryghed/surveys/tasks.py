"""Background tasks: invitation and reminder e-mails.

The raw link token exists only here, in memory, while the e-mail is written: the task
creates it, stores its hash, and sends it. It is never in the task queue's arguments.

Invitations go out on the measurement's opening day: opened ahead of it, the task waits in
the queue until ``INVITATION_HOUR`` that morning (the queue's ``run_after``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tryghed.results.aggregates import fingerprint
from tryghed.results.notify import send_results_ready
from tryghed.surveys.hint_bits import read_back_after_commit
from tryghed.surveys.models import Invitation, InvitationToken, Measurement, Status
from tryghed.surveys.selectors import (
    answered_invitation_ids,
    reminder_round,
    unanswered_invitation_ids,
)
from tryghed.surveys.stamps import invitations_send_at, iso_week, new_token

logger = logging.getLogger(__name__)

BATCH = 200


def invitations_enqueue(measurement_id: int, opens_on: dt.date) -> None:
    """Queue the invitation e-mails for the opening day (called after the commit)."""
    send_at = invitations_send_at(opens_on)
    if send_at is not None and send_invitations.get_backend().supports_defer:
        send_invitations.using(run_after=send_at).enqueue(measurement_id)
    else:
        # Now; a backend that cannot defer finds the day not come and sends nothing (the
        # system check tryghed.W003 warns of such a backend).
        send_invitations.enqueue(measurement_id)


def _site_url() -> str:
    return str(getattr(settings, "TRYGHED_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def _send(
    invitation: Invitation, measurement: Measurement, *, reminder: bool, token: str | None = None
) -> None:
    """E-mail the invitation's link; a new token unless the caller stored one already."""
    if token is None:
        token, token_hash = new_token()
        row = InvitationToken.objects.create(invitation=invitation, token_hash=token_hash)
        # Read once committed, so that the respondent's lookup is not its first reader.
        read_back_after_commit(InvitationToken.objects.filter(pk=row.pk))
    link = _site_url() + reverse("surveys:start", kwargs={"token": token})
    person = invitation.person
    assert person is not None
    context = {
        "measurement": measurement,
        "organisation": measurement.organisation,
        "link": link,
        "name": person.name.split(" ")[0],
        "reminder": reminder,
        "both_languages": set(measurement.languages) == {"da", "en"},
    }
    language = "da" if "da" in measurement.languages else "en"
    with translation.override(language):
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        body = render_to_string("surveys/email/invitation.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[person.email])
    message.send()


def _pending(measurement: Measurement, *, reminder: bool) -> list[int]:
    if reminder:
        # Everyone with a personal link, answered or not (see ``_deliver``); one reminder
        # round per week at most, whoever asks for it.
        invitations = reminder_round(measurement)
    else:
        # Who has not answered is known only through the answer key (services).
        invitations = Invitation.objects.filter(
            pk__in=unanswered_invitation_ids(measurement), tokens__isnull=True
        )
    return list(invitations.order_by("pk").values_list("pk", flat=True))


def _deliver(measurement_id: int, *, reminder: bool) -> int:
    measurement = Measurement.objects.select_related("organisation").get(pk=measurement_id)
    if measurement.status != Status.OPEN:
        return 0
    if not reminder and invitations_send_at(measurement.opens_on) is not None:
        # Run before the opening day (the queue ran it early): wait for the day.
        logger.info("measurement %s: invitations wait for the opening day", measurement_id)
        if send_invitations.get_backend().supports_defer:
            invitations_enqueue(measurement_id, measurement.opens_on)
        return 0
    sent = 0
    outbox: list[tuple[Invitation, str]] = []
    ids = _pending(measurement, reminder=reminder)
    answered = answered_invitation_ids(measurement) if reminder else set()
    for start in range(0, len(ids), BATCH):
        batch = Invitation.objects.filter(pk__in=ids[start : start + BATCH]).select_related(
            "person"
        )
        if reminder:
            outbox += _remind_rows(batch, answered)
            continue
        for invitation in batch:
            # Each e-mail in its own transaction: a failed send leaves no orphan token, so
            # the next run of the task sends it again. One bad address or a hiccup must not
            # keep the invitations after it back (everyone is invited, so naming the
            # invitation says nothing about answers).
            try:
                with transaction.atomic():
                    _send(invitation, measurement, reminder=False)
            except Exception as error:  # any error, as for the reminders below
                logger.error(
                    "measurement %s: the invitation %s was not sent (%s)",
                    measurement_id,
                    invitation.pk,
                    type(error).__name__,
                )
            else:
                sent += 1
    # The reminders go out once every row of the round is written, so that no commit's
    # time depends on who got an e-mail; and in a random order: each e-mail's Message-ID
    # dates it to 1/100 s, so in invitation (alphabetical) order two colleagues' reminders
    # sent back to back told that the one between them had answered (red team, e-mails).
    secrets.SystemRandom().shuffle(outbox)
    for invitation, token in outbox:
        try:
            _send(invitation, measurement, reminder=True, token=token)
        except Exception as error:
            # One bad address or a hiccup must not keep the others' reminders back. The
            # error's kind only, no text or traceback: an SMTP refusal quotes the address,
            # and only those who have not answered get a reminder (red team, e-mails). Any
            # error, not only OSError: Django's own check of an address raises ValueError
            # quoting it, and a mail service's backend its own errors; raised, it would be
            # kept with its traceback in the log and the task queue's row (red team,
            # tests/privacy/test_redteam_logs_errors.py).
            logger.error(
                "measurement %s: a reminder was not sent (%s)",
                measurement_id,
                type(error).__name__,
            )
        else:
            sent += 1
    if reminder:
        # Not how many were sent: that is the number of non-responders, dated by the log
        # (red team). Every personal link gets the same rows, so their number says nothing.
        logger.info(
            "measurement %s: reminder round over %s personal links", measurement_id, len(ids)
        )
    else:
        logger.info("measurement %s: %s invitations sent", measurement_id, sent)
    return sent


def _remind_rows(batch: Iterable[Invitation], answered: set[int]) -> list[tuple[Invitation, str]]:
    """One batch of a reminder round: every invitation's rows in one transaction, answered
    or not (a new token, the reminder week), and the links to e-mail once all are written.

    Who had answered gets a token nobody holds and no e-mail: otherwise the invitation rows
    would show the operator who had answered by each reminder (docs/anonymity.md,
    "Storage"). No e-mail is sent inside the transaction: a commit per invitation that took
    an SMTP round trip or none would show the same to an operator reading the WAL's commit
    times (red team). A send that fails later leaves a token nobody holds, like those."""
    outbox: list[tuple[Invitation, str]] = []
    ids: list[int] = []
    with transaction.atomic():
        for invitation in batch:
            ids.append(invitation.pk)
            token, token_hash = new_token()
            InvitationToken.objects.create(invitation=invitation, token_hash=token_hash)
            Invitation.objects.filter(pk=invitation.pk).update(
                reminded_week=iso_week(), reminders_sent=invitation.reminders_sent + 1
            )
            if invitation.pk not in answered:
                outbox.append((invitation, token))
        # Every row version just written, read once committed: the first reader of a
        # reminded invitation's new row and token would otherwise be the respondent.
        read_back_after_commit(
            Invitation.objects.filter(pk__in=ids),
            InvitationToken.objects.filter(invitation_id__in=ids),
        )
    return outbox


@task()
def send_invitations(measurement_id: int) -> int:
    """Send the invitation e-mail to everyone invited who has not had one yet."""
    return _deliver(measurement_id, reminder=False)


@task()
def send_reminders(measurement_id: int) -> None:
    """Send a reminder, with a fresh link, to everyone who has not answered yet.

    Returns nothing: the task queue keeps a task's result with a finishing time to the
    microsecond, and the number of non-responders at that moment would date answers."""
    _deliver(measurement_id, reminder=True)


@task()
def prepare_report(measurement_id: int) -> bool:
    """Compute and store a closed measurement's report data, so that its first reader does
    not wait for it (a large organisation's takes seconds; reading it back, under one)."""
    measurement = Measurement.objects.filter(pk=measurement_id, status=Status.CLOSED).first()
    if measurement is None:
        return False
    fingerprint(measurement)  # builds and stores the publication
    # The publication is stored: now everyone invited, and the leaders, may hear of it.
    send_results_ready.enqueue(measurement_id)
    return True
