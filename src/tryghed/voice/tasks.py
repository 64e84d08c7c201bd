"""Deadline reminders and escalation for Sig det, as a background task (run daily).

The operator runs ``tryghed remind-voice`` once a day (cron); it enqueues
``send_voice_reminders``. Each receiver gets at most one e-mail a run, with counts and a
link to the inbox: never a case's text, unit, kind or id, for mail servers log what they
carry. A case counts in a reminder only from the day after it was raised, so no e-mail's
time of sending follows the time of day a case was raised.

What was sent is kept on the case as days (``acknowledge_reminded_on``,
``answer_reminded_on``, ``escalated_on``), no finer than the deadlines they follow from,
and no new rows: nothing here links a case to a person or to a time of day (privacy.md
sections 1 and 6). A leader's case past a deadline is escalated: flagged for the AMO and
included in the AMO's reminders; the leader keeps it. An AMO member who leads a unit is not
reminded of the cases sent to the AMO/HR about it (``selectors.visible_cases``), nor one
who led it when the case was raised (``voice.withheld``); a case no one may read is logged, not sent, and counted on the settings page; on Mondays each
administrator gets that count by e-mail (``notify_administrators``), without the cases
raised while they led the unit concerned or a unit above it (``voice.withheld``).

The same run erases the texts hidden by moderation longer ago than HIDDEN_KEEP_DAYS, and on
PostgreSQL then rewrites the tables it blanked texts in (``tryghed.table_rewrite``), so the
old row versions holding them leave the database's files.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter, defaultdict
from collections.abc import Set
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tryghed.accounts.models import User
from tryghed.orgs.models import Membership, Organisation, Role, Unit
from tryghed.table_rewrite import rewrite_tables
from tryghed.voice.models import Case, Receiver
from tryghed.voice.selectors import (
    amo_members,
    amo_reads,
    channel_settings,
    unread_cases,
    unread_count_for,
)
from tryghed.voice.services import hidden_texts_erase_by_table, withheld_reseal
from tryghed.voice.withheld import Opener

logger = logging.getLogger(__name__)

# How many days before the answer deadline the receivers are reminded of it.
ANSWER_SOON_DAYS = 14

# What a reminder counts, one counter per receiver.
WAITING = "waiting"  # not acknowledged yet, the deadline still ahead
ACK_OVERDUE = "ack_overdue"
ANSWER_SOON = "answer_soon"
ANSWER_OVERDUE = "answer_overdue"
ESCALATED = "escalated"  # a leader's case flagged for the AMO in this run

# The weekday (Monday) the administrators are told of the open cases no one may read: at
# most once a week, so the e-mail dates no case finer than its week.
UNREAD_NOTICE_WEEKDAY = 0


@dataclass
class Notice:
    """What one run does to one case: the deadline reminders due and the escalation."""

    case: Case
    acknowledge: str | None = None
    answer: str | None = None
    escalate: bool = False
    counts: list[str] = field(default_factory=list)


def _site_url() -> str:
    return str(getattr(settings, "TRYGHED_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def notice_for(case: Case, today: dt.date) -> Notice | None:
    """The reminders and escalation due today for an open case, or None.

    Each deadline gets one "due" reminder and one "overdue" reminder: a reminder day on or
    before the deadline means the first was sent, a later day the second.
    """
    if case.is_closed or case.opened_on >= today:
        return None
    notice = Notice(case=case)
    reminded = case.acknowledge_reminded_on
    if case.acknowledged_on is None:
        if today > case.acknowledge_by:
            if reminded is None or reminded <= case.acknowledge_by:
                notice.acknowledge = ACK_OVERDUE
        elif reminded is None:
            notice.acknowledge = WAITING
    reminded = case.answer_reminded_on
    if case.answered_on is None:
        if today > case.answer_by:
            if reminded is None or reminded <= case.answer_by:
                notice.answer = ANSWER_OVERDUE
        elif today >= case.answer_by - dt.timedelta(days=ANSWER_SOON_DAYS) and reminded is None:
            notice.answer = ANSWER_SOON
    notice.escalate = (
        case.receiver == Receiver.LEADER and case.escalated_on is None and case.overdue(today)
    )
    notice.counts = [c for c in (notice.acknowledge, notice.answer) if c]
    if notice.escalate:
        notice.counts.append(ESCALATED)
    return notice if notice.counts else None


def leader_emails(unit: Unit) -> list[str]:
    """The leaders of the unit, or of the nearest unit above it that has one."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    leaders = Membership.objects.filter(
        organisation_id=unit.organisation_id, role=Role.LEADER, unit_id__in=ids
    ).select_related("user", "unit")
    nearest = max((m.unit.depth for m in leaders if m.unit is not None), default=None)
    found = [
        m.user.email
        for m in leaders
        if m.unit is not None and m.unit.depth == nearest and m.user.email
    ]
    return list(dict.fromkeys(found))


AmoMember = tuple[str, int, tuple[str, ...]]  # address, user id, paths of the units led


def amo_emails(organisation: Organisation) -> list[AmoMember]:
    """The AMO members' addresses, each with the user and the paths of the units they lead."""
    members = amo_members(organisation)
    emails = dict(
        User.objects.filter(pk__in=list(members)).exclude(email="").values_list("pk", "email")
    )
    found = sorted((emails[pk], pk, paths) for pk, paths in members.items() if pk in emails)
    return found


def amo_emails_for(case: Case, amo: list[AmoMember], withheld: Set[int] | None) -> list[str]:
    """The AMO members who may read the case (``selectors.amo_reads``): a case to the
    AMO/HR about a unit is never reminded to an AMO member who leads it or a unit above,
    nor to one in its set of who may not be told (``withheld``, opened; None when it does
    not open, and then to no one)."""
    return list(
        dict.fromkeys(
            email for email, user_id, paths in amo if amo_reads(case, paths, user_id, withheld)
        )
    )


def recipients(case: Case, *, escalated: bool, scheme: bool, amo: list[str]) -> list[str]:
    """Who is reminded of a case: its leaders (a leader's case outside the whistleblower
    scheme), and the AMO (an AMO case, an escalated one, one with no leader to remind,
    every case of the scheme)."""
    leaders: list[str] = []
    if case.receiver == Receiver.LEADER and not scheme and case.unit is not None:
        leaders = leader_emails(case.unit)
    to_amo = case.receiver == Receiver.AMO or escalated or scheme or not leaders
    return list(dict.fromkeys([*leaders, *(amo if to_amo else [])]))


def _mark(notice: Notice, today: dt.date) -> bool:
    """Record the notice on the case, unless another run did first (a conditional update)."""
    case = notice.case
    updates: dict[str, dt.date] = {}
    if notice.acknowledge:
        updates["acknowledge_reminded_on"] = today
    if notice.answer:
        updates["answer_reminded_on"] = today
    if notice.escalate:
        updates["escalated_on"] = today
    unchanged = Q()
    for name in ("acknowledge_reminded_on", "answer_reminded_on", "escalated_on"):
        value = getattr(case, name)
        unchanged &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return Case.objects.filter(unchanged, pk=case.pk).update(**updates) == 1


def _send(organisation: Organisation, to: str, counts: Counter[str]) -> None:
    link = _site_url() + reverse("voice:inbox", kwargs={"org": organisation.slug})
    context = {
        "organisation": organisation,
        "waiting": counts[WAITING],
        "ack_overdue": counts[ACK_OVERDUE],
        "answer_soon": counts[ANSWER_SOON],
        "answer_overdue": counts[ANSWER_OVERDUE],
        "escalated": counts[ESCALATED],
        "answer_soon_days": ANSWER_SOON_DAYS,
        "link": link,
    }
    with translation.override("da"):
        subject = render_to_string("voice/email/reminder_subject.txt", context).strip()
        body = render_to_string("voice/email/reminder.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[to]).send()


def remind_organisation(organisation: Organisation, today: dt.date) -> int:
    """Send one organisation's reminders and escalate its overdue cases; e-mails sent.

    The case marks and the e-mails share a transaction: a failed send leaves no mark, so
    the next run tries again.
    """
    cases = Case.objects.filter(organisation=organisation, closed_on__isnull=True).filter(
        Q(acknowledged_on__isnull=True) | Q(answered_on__isnull=True)
    )
    notices = [n for c in cases.select_related("unit") if (n := notice_for(c, today))]
    if not notices:
        return 0
    # Written in random order, so the rows' physical order says nothing (privacy.md 1).
    secrets.SystemRandom().shuffle(notices)
    scheme = channel_settings(organisation).is_whistleblower_scheme
    amo = amo_emails(organisation)
    opener = Opener()
    per_person: dict[str, Counter[str]] = defaultdict(Counter)
    with transaction.atomic():
        for notice in notices:
            case = notice.case
            # The escalation is news for the AMO, not for the leader.
            leaders_only = [c for c in notice.counts if c != ESCALATED]
            # Whether the case is marked follows today's roles only, as before the sets
            # were read here: a mark that followed the sealed set would tell the database's
            # operator what the seal hides (who led the line when the case was raised).
            by_roles = amo_emails_for(case, amo, frozenset())
            to_all = recipients(case, escalated=notice.escalate, scheme=scheme, amo=by_roles)
            if not to_all:
                logger.warning("voice: a case of %s has no receiver to remind", organisation.pk)
                continue
            if not _mark(notice, today):
                continue  # another run sent it first
            withheld = (
                opener.open(case.pk, case.withheld)
                if case.receiver == Receiver.AMO
                else frozenset()
            )
            amo_here = amo_emails_for(case, amo, withheld)
            to_all = [e for e in to_all if e in amo_here or e not in by_roles]
            if not to_all:
                logger.warning("voice: a case of %s has no receiver to remind", organisation.pk)
            for email in to_all:
                per_person[email].update(notice.counts if email in amo_here else leaders_only)
        for email, counts in sorted(per_person.items()):
            _send(organisation, email, counts)
    return len(per_person)


def notify_administrators(organisation: Organisation, today: dt.date) -> int:
    """Tell each administrator how many open cases no one may read, so they can appoint a
    receiver; e-mails sent. A count and a link only, weekly (``UNREAD_NOTICE_WEEKDAY``),
    and without the cases raised while the administrator led their unit or a unit above it
    (``unread_count_for``)."""
    if today.weekday() != UNREAD_NOTICE_WEEKDAY:
        return 0
    unread = unread_cases(organisation, today)
    if not unread:
        return 0
    admins = dict(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .exclude(user__email="")
        .values_list("user_id", "user__email")
    )
    link = _site_url() + reverse("voice:settings", kwargs={"org": organisation.slug})
    sent = 0
    for user_id, email in sorted(admins.items(), key=lambda item: item[1]):
        count = unread_count_for(unread, user_id)
        if not count:
            continue
        context = {"organisation": organisation, "unread": count, "link": link}
        with translation.override("da"):
            subject = render_to_string("voice/email/unread_subject.txt", context).strip()
            body = render_to_string("voice/email/unread.txt", context)
        EmailMultiAlternatives(subject=subject, body=body, to=[email]).send()
        sent += 1
    return sent


def send_due_reminders(today: dt.date) -> int:
    sent = 0
    organisations = Organisation.objects.filter(
        pk__in=Case.objects.filter(closed_on__isnull=True).values("organisation_id")
    ).order_by("pk")
    for organisation in organisations:
        try:
            sent += remind_organisation(organisation, today)
        except Exception:
            logger.exception("voice reminders for organisation %s failed", organisation.pk)
        try:
            sent += notify_administrators(organisation, today)
        except Exception:
            logger.exception("voice notice for organisation %s failed", organisation.pk)
    logger.info("voice reminders: %s e-mails sent", sent)
    return sent


@task()
def send_voice_reminders(today: str | None = None) -> int:
    """Send the Sig det reminders due on ``today`` (ISO date; the local date when left out),
    escalate overdue cases and erase expired hidden texts. The number of e-mails sent."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    erased = hidden_texts_erase_by_table(day)
    if sum(erased.values()):
        logger.info("voice: %s hidden texts erased", sum(erased.values()))
    resealed, broken = withheld_reseal()
    if resealed:
        logger.info("voice: %s cases' withheld sets sealed under the current key", resealed)
    if broken:
        logger.warning(
            "voice: %s open cases' withheld sets do not open with the keyring; "
            "no administrator is told of them",
            broken,
        )
    sent = send_due_reminders(day)
    # The erasures have committed (no transaction here: the worker runs a task outside one),
    # but on PostgreSQL each blanked row's old version, text and all, stays in its table's
    # pages until the table is rewritten (privacy.md section 0.2). After the reminders, so
    # that a wait for older transactions does not hold them up; a failure raises
    # RewriteFailed (the task fails and the worker logs the VACUUM FULL to run by hand).
    rewritten = rewrite_tables(table for table, n in erased.items() if n)
    if rewritten:
        logger.info("voice: rewrote %s (VACUUM FULL)", ", ".join(rewritten))
    return sent
