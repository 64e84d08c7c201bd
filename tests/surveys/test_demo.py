from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from tests.surveys.conftest import CaptureOnCommit
from tryghed.orgs.demo import load_demo
from tryghed.surveys.demo import demo_respondent_link, load_demo_measurements
from tryghed.surveys.models import Measurement, PendingAnswer, Response, Status, SubmissionMark
from tryghed.surveys.selectors import answered_invitation_ids


@pytest.mark.django_db
def test_the_demo_has_two_closed_waves_and_an_open_measurement_the_demo_user_can_answer(
    settings: object, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # type: ignore[attr-defined]
    organisation, _ = load_demo()
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo_measurements(organisation)
    assert not load_demo_measurements(organisation)  # once only
    closed = Measurement.objects.filter(status=Status.CLOSED).order_by("opens_on")
    closed = closed.exclude(template="trivselsmodenhed")  # the maturity measurement
    assert len(closed) == 2
    assert closed[1].previous == closed[0]
    for wave in closed:
        invited, answered = wave.invitations.count(), wave.responses.count()
        assert 0.6 < answered / invited < 0.85
        per_unit = Counter(wave.responses.values_list("unit_id", flat=True))
        assert any(0 < n < 5 for n in per_unit.values()), "some teams should be below the minimum"
        assert sum(1 for n in per_unit.values() if n >= 5) >= 20
        # Stored as the real path leaves them: one keyed mark per answer, no used flag.
        assert SubmissionMark.objects.filter(measurement=wave).count() == answered
        assert len(answered_invitation_ids(wave)) == answered
    open_measurement = Measurement.objects.get(status=Status.OPEN)
    # Half of the open measurement answered through the submission service: some answers
    # are released in a batch, the minimum is held back, sealed.
    marks = SubmissionMark.objects.filter(measurement=open_measurement).count()
    released = Response.objects.filter(measurement=open_measurement).count()
    pending = PendingAnswer.objects.filter(measurement=open_measurement).count()
    assert released >= 5 and 5 <= pending < 10
    assert released + pending == marks
    link = demo_respondent_link(organisation, "http://testserver/")
    assert link is not None
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert open_measurement.instruments.first().instrument_id == "ps7-hem"  # type: ignore[union-attr]
    html = _submit_template(token)
    assert "Tak for dine svar" in html
    assert SubmissionMark.objects.filter(measurement=open_measurement).count() == marks + 1
    assert demo_respondent_link(organisation, "http://testserver/") is None  # answered now


def _submit_template(token: str) -> str:
    """Answer the open demo measurement (four instruments) with a few answers, following
    its pages (whole instruments, respond.PAGE_QUESTIONS a page) to «Send svar»."""
    client, url = Client(), reverse("surveys:answer")
    page = client.post(url, {"token": token, "lang": "da", "step": "-1"}).content.decode()
    for _ in range(4):
        state = re.search(r'name="state" value="([^"]*)"', page)
        step = re.search(r'name="step" value="(\d+)"', page)
        assert state and step, page[:400]
        action = "submit" if 'name="action" value="submit"' in page else "next"
        page = client.post(
            url,
            {
                "token": token,
                "lang": "da",
                "step": step.group(1),
                "state": state.group(1),
                "action": action,
                "q-ps7-hem.1": "2",
            },
        ).content.decode()
        if action == "submit":
            break
    return page
