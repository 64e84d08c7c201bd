""" "Resultaterne er klar": once a closed measurement's publication is stored, everyone
invited with an e-mail address gets the same e-mail (answered or not), pointing to the
sign-in page, and each leader one pointing to the team report and the plan."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.factories import make_person
from tests.surveys.conftest import Survey
from tryghed.accounts.models import SignInLink
from tryghed.audit.models import AuditEvent
from tryghed.results.notify import send_results_ready
from tryghed.surveys import services
from tryghed.surveys.models import Measurement

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
URL = re.compile(r"https?://[^\s]+")


def _close(survey: Survey, world: World, capture: CaptureOnCommit, answer: dict[str, int]) -> None:
    # Three of the five answer; the other two must get exactly the same e-mail.
    for person in survey.people[:3]:
        services.response_submit(token=survey.tokens[person.email], answers=answer, texts={})
    mail.outbox.clear()
    with capture(execute=True):
        services.measurement_close(measurement=survey.measurement, actor=world.owner)


def test_everyone_invited_gets_the_same_e_mail_whether_they_answered_or_not(
    open_survey: Survey,
    world: World,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    ps7_answers: dict[str, int],
) -> None:
    _close(open_survey, world, django_capture_on_commit_callbacks, ps7_answers)
    invited = {p.email for p in open_survey.people}
    employees = [m for m in mail.outbox if m.to[0] in invited]
    assert sorted(m.to[0] for m in employees) == sorted(invited)
    assert {m.subject for m in employees} == {"Resultaterne er klar: Efterår"}
    # Only the greeting differs: nothing tells who answered.
    bodies = {str(m.body).split("\n", 1)[1] for m in employees}
    assert len(bodies) == 1
    (body,) = bodies
    feedback = reverse("results:feedback_latest", kwargs={"org": world.org.slug})
    (link,) = URL.findall(body)
    assert link.endswith(reverse("accounts:link_request") + "?next=" + feedback.replace("/", "%2F"))
    # No credential in a bulk e-mail.
    assert "/konto/link/" not in body and not SignInLink.objects.exists()


def test_each_leader_gets_the_team_report_and_the_plan(
    open_survey: Survey,
    world: World,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    ps7_answers: dict[str, int],
) -> None:
    _close(open_survey, world, django_capture_on_commit_callbacks, ps7_answers)
    (leader_mail,) = [m for m in mail.outbox if m.to == [world.leader.email]]
    body = str(leader_mail.body)
    m = open_survey.measurement
    slug = world.org.slug
    report = reverse(
        "results:unit_report",
        kwargs={"org": slug, "measurement_id": m.pk, "unit_id": world.team_a.pk},
    )
    plan = reverse(
        "actions:focus_choose",
        kwargs={"org": slug, "unit_id": world.team_a.pk, "measurement_id": m.pk},
    )
    links = URL.findall(body)
    assert any(link.endswith(report) for link in links)
    assert any(link.endswith(plan) for link in links)
    assert "dialogmøde" in body
    assert "Team A" in body and "Team B" not in body


def test_the_e_mails_go_once_and_only_for_a_closed_measurement(
    open_survey: Survey,
    world: World,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    ps7_answers: dict[str, int],
) -> None:
    send_results_ready.call(open_survey.measurement.pk)  # still open: nothing
    assert not [m for m in mail.outbox if "Resultaterne" in m.subject]
    _close(open_survey, world, django_capture_on_commit_callbacks, ps7_answers)
    sent = len(mail.outbox)
    assert sent == 6
    send_results_ready.call(open_survey.measurement.pk)
    assert len(mail.outbox) == sent
    marks = AuditEvent.objects.filter(
        action="measurement.results_mailed", object_id=str(open_survey.measurement.pk)
    )
    assert marks.count() == 1 and marks.get().data == {"employees": 5, "leaders": 1}


def test_people_who_left_or_have_no_address_get_nothing(
    open_survey: Survey,
    world: World,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    ps7_answers: dict[str, int],
) -> None:
    leaver = open_survey.people[4]
    leaver.is_active = False
    leaver.save()
    make_person(world.team_a, name="Uden Mail")  # not invited, no address either
    _close(open_survey, world, django_capture_on_commit_callbacks, ps7_answers)
    assert leaver.email not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 5


def test_the_employee_follows_the_e_mail_to_their_units_feedback_page(
    open_survey: Survey,
    world: World,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    ps7_answers: dict[str, int],
) -> None:
    _close(open_survey, world, django_capture_on_commit_callbacks, ps7_answers)
    alma = world.person_a
    (results_mail,) = [m for m in mail.outbox if m.to == [alma.email]]
    (link,) = URL.findall(str(results_mail.body))
    client = Client()
    parts = urlsplit(link)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    feedback = reverse("results:feedback_latest", kwargs={"org": world.org.slug})
    assert f'value="{feedback}"' in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:link_request"), {"email": alma.email, "next": feedback})
    (signin_mail,) = mail.outbox
    (signin_link,) = URL.findall(str(signin_mail.body))
    token = re.search(r"/konto/link/([^/]+)/", signin_link)
    assert token is not None
    done = client.post(reverse("accounts:link_use"), {"token": token.group(1), "next": feedback})
    assert done["Location"] == feedback
    html = client.get(feedback).content.decode()
    assert "Team A" in html and "Efterår" in html
    assert Measurement.objects.get(pk=open_survey.measurement.pk).status == "closed"
