"""An employee signed in by link sees their own unit's feedback page, "I sagde – vi gjorde",
the plans of their unit and the APV, and nothing else: every other page of the
organisation, or any page of another organisation, is a 403 or a 404.

The APV document (the whole organisation's and any unit's part) is for every member of
the organisation by design: the law has it available to all employees, and it holds no
survey figures (apv.selectors.apv_content).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.actions.conftest import first_wave, make_focus, make_plan
from tests.conftest import World
from tests.surveys.test_own_instruments import stored
from tryghed.accounts.models import SignInLink
from tryghed.accounts.signin_link import new_token
from tryghed.apv import services as apv_services
from tryghed.orgs.models import Membership
from tryghed.results.models import ReportExport
from tryghed.surveys.models import Measurement

# (URL name, the kwargs it is opened with) an employee may read, besides the APV.
APV_FOR_EVERYONE = {
    "apv:document",
    "apv:document_pdf",
    "apv:unit_document",
    "apv:unit_document_pdf",
}


def _org_patterns() -> list[tuple[str, list[str]]]:
    """Every URL name under /o/<org>/ with its parameters."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and (prefix + str(p.pattern)).startswith("o/"):
                name = f"{namespace}:{p.name}".strip(":")
                found.append((name, list(p.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def employee(world: World) -> tuple[Client, Measurement]:
    """Alma of team A, signed in with a link; a closed measurement; a plan for team A."""
    measurement = first_wave(world)
    make_plan(world, make_focus(world, measurement))
    token, token_hash = new_token()
    SignInLink.objects.create(
        person=world.person_a,
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(minutes=15),
    )
    client = Client()
    assert client.post(reverse("accounts:link_use"), {"token": token}).status_code == 302
    # No stored role (privacy.md section 0); the scope follows from the person row.
    assert not Membership.objects.filter(user__email=world.person_a.email).exists()
    return client, measurement


def _ids(world: World, measurement: Measurement) -> dict[str, object]:
    """A real object of the organisation for each parameter; units are another team."""
    plan = make_plan(world, make_focus(world, measurement, world.team_b))
    assessment = apv_services.risk_assessment_start(
        organisation=world.org, unit=world.team_b, actor=world.amo
    )
    export = ReportExport.objects.create(
        organisation=world.org, measurement=measurement, kind="excel", fingerprint="x"
    )
    return {
        "measurement_id": measurement.pk,
        "unit_id": world.team_b.pk,
        "plan_id": plan.pk,
        "focus_id": plan.focus_area_id,
        "action_id": 1,
        "export_id": export.pk,
        "assessment_id": assessment.pk,
        "factor": "workload",
        "person_id": world.person_b.pk,
        "membership_id": Membership.objects.filter(organisation=world.org).first().pk,  # type: ignore[union-attr]
        "absence_id": 1,
        "change_id": 1,
        "member_id": 1,
        "entry_id": 1,
        "batch_id": 1,
        "case_id": uuid.uuid4(),
        "learning_id": uuid.uuid4(),
        "session_id": uuid.uuid4(),
        "instrument_pk": stored(world).pk,
    }


def test_the_employee_reads_their_units_pages(
    world: World, employee: tuple[Client, Measurement]
) -> None:
    client, measurement = employee
    slug = world.org.slug
    feedback = client.get(reverse("results:feedback_latest", kwargs={"org": slug}))
    assert feedback.status_code == 200
    html = feedback.content.decode()
    assert "Team A" in html and measurement.name in html and "Team B" not in html
    assert "Vi taler ikke om fejl" in html or "Alle tør sige fra" in html  # their unit's plan
    vi_gjorde = client.get(
        reverse("actions:vi_gjorde", kwargs={"org": slug, "unit_id": world.team_a.pk})
    )
    assert vi_gjorde.status_code == 200 and "Alle tør sige fra" in vi_gjorde.content.decode()
    index = client.get(reverse("actions:index", kwargs={"org": slug}))
    assert index["Location"] == reverse(
        "actions:vi_gjorde", kwargs={"org": slug, "unit_id": world.team_a.pk}
    )
    for name in ("apv:document", "orgs:dashboard", "results:list"):
        assert client.get(reverse(name, kwargs={"org": slug})).status_code == 200
    assert (
        client.get(
            reverse("results:feedback", kwargs={"org": slug, "measurement_id": measurement.pk})
        ).status_code
        == 200
    )


def test_every_other_page_is_closed_to_the_employee(
    world: World, employee: tuple[Client, Measurement]
) -> None:
    client, measurement = employee
    ids = _ids(world, measurement)
    allowed_here = {
        "orgs:dashboard",
        "results:list",
        "results:feedback_latest",
        "results:feedback",
        "actions:index",
        "learning:index",  # the employee's own team's learning log
        *APV_FOR_EVERYONE,
    }
    # "Sig det" is open to anyone, signed in or not, in any organisation (privacy.md §6).
    public = {"voice:raise", "voice:case"}
    opened = []
    for name, params in _org_patterns():
        for org in (world.org.slug, world.other_org.slug):
            url = reverse(name, kwargs={"org": org, **{p: ids[p] for p in params if p != "org"}})
            if (org == world.org.slug and name in allowed_here) or name in public:
                continue
            get, post = client.get(url), client.post(url, {})
            if get.status_code not in (403, 404, 405) or post.status_code not in (403, 404, 405):
                opened.append((url, get.status_code, post.status_code))
    assert opened == []


def test_another_units_feedback_and_plans_are_404(
    world: World, employee: tuple[Client, Measurement]
) -> None:
    client, measurement = employee
    slug = world.org.slug
    for url in (
        reverse("actions:vi_gjorde", kwargs={"org": slug, "unit_id": world.team_b.pk}),
        reverse("actions:vi_gjorde", kwargs={"org": slug, "unit_id": world.area.pk}),
        reverse(
            "results:unit_report",
            kwargs={"org": slug, "measurement_id": measurement.pk, "unit_id": world.team_a.pk},
        ),
    ):
        assert client.get(url).status_code == 404, url
