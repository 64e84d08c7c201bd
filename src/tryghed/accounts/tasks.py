"""E-mails of the staff sign-in, sent by the worker.

A password reset is looked up here, not in the request: the page does the same work for
an address that belongs to someone and one that does not, so neither its answer nor its
timing tells which.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.utils import translation


@task()
def send_email(subject: str, body: str, to: list[str]) -> None:
    EmailMultiAlternatives(subject=subject, body=body, to=to).send()


@task()
def send_password_reset(email: str, language: str) -> None:
    """Send the reset link to the active users with a usable password at this address."""
    site = urlsplit(str(getattr(settings, "TRYGHED_SITE_URL", "http://127.0.0.1:8000")))
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    with translation.override(language):
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name="accounts/password_reset_subject.txt",
            email_template_name="accounts/password_reset_email.txt",
        )
