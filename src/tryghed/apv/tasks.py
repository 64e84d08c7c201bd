"""Background task: the APV reminder e-mail to the work-environment organisation."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tryghed.apv import selectors
from tryghed.apv.models import ApvReminder, WorkChange

logger = logging.getLogger(__name__)


def _site_url() -> str:
    return str(getattr(settings, "TRYGHED_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


@task()
def send_apv_reminder(reminder_id: int) -> int:
    """E-mail one APV reminder to the organisation's AMO and administrators."""
    reminder = ApvReminder.objects.select_related("organisation").get(pk=reminder_id)
    organisation = reminder.organisation
    kind, _sep, ref = reminder.key.partition(":")
    change = (
        WorkChange.objects.filter(organisation=organisation, pk=ref).first()
        if (kind == "change")
        else None
    )
    recipients = selectors.reminder_recipients(organisation)
    if not recipients:
        return 0
    context = {
        "organisation": organisation,
        "kind": kind,
        "change": change,
        "due": selectors.revision_due(selectors.document_for(organisation)),
        "link": _site_url() + reverse("apv:document", kwargs={"org": organisation.slug}),
    }
    with translation.override("da"):
        subject = render_to_string("apv/email/reminder_subject.txt", context).strip()
        body = render_to_string("apv/email/reminder.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=recipients).send()
    logger.info("APV reminder %s for organisation %s sent", reminder.key, organisation.pk)
    return len(recipients)
