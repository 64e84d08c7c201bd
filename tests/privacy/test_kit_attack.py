"""The meeting kit and the readiness check show nothing the team report hides (privacy.md
sections 2 and 3). A reader of results (adversary 1) opens the kit of every unit they may
open, on the screen and as PDF, and the readiness check: every figure there must be one the
same reader sees on the unit's report, and a hidden sensitive figure must not come back as
a finding ("20 % or more were exposed" of a team too small to show it)."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import make_unit
from tests.kits.conftest import go_on, kit_url, readiness_url
from tests.privacy.attack import figures, pdf_text
from tests.results.team_report_scenario import INSTRUMENTS, OFFENSIVE_ITEMS, _answers, team_report
from tests.results.test_aggregates import answer, make_measurement
from tryghed.kits.readiness import readiness
from tryghed.orgs.models import Unit
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db
# The kit's sections that carry the team's figures.
DATA_SECTIONS = ("kit-warning", "kit-figures", "kit-talk", "kit-zones")
SECTION = re.compile(r"<section\b[^>]*>.*?</section>", re.S)
PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%")
# A fixed source line (the zones are Edmondson's, 2020, in BFA's booklet, 2024): no figure.
SOURCE = re.compile(r'<p class="muted kit-source">.*?</p>', re.S)


def data_sections(page: str) -> str:
    return "\n".join(
        SOURCE.sub("", s)
        for s in SECTION.findall(page)
        if any(name in s[: s.index(">")] for name in DATA_SECTIONS)
    )


def report_url(world: World, measurement: Measurement, unit: Unit) -> str:
    return reverse(
        "results:unit_report",
        kwargs={"org": world.org.slug, "measurement_id": measurement.pk, "unit_id": unit.pk},
    )


def small_groups(world: World) -> tuple[Measurement, Unit]:
    """Team A: six people, every one exposed to offensive behaviour (a sensitive figure,
    shown from ten); team C: three people (below every minimum); team B: twelve."""
    team_c = make_unit(world.org, parent=world.area, name="Team C", external_id="TC")
    measurement = make_measurement(world, INSTRUMENTS)
    rng = random.Random(7)
    for _ in range(6):
        answers = _answers(rng, 0.3, harassed=False)
        answers.update({f"risk5.{n}": 4 for n in OFFENSIVE_ITEMS})
        answer(measurement, world.team_a, answers)
    for _ in range(12):
        answer(measurement, world.team_b, _answers(rng, 0.5, harassed=False))
    for _ in range(3):
        answer(measurement, team_c, _answers(rng, 0.1, harassed=False))
    return measurement, team_c


def opened(client: Client, world: World, unit: Unit, url: str) -> str:
    response = client.get(url)
    if response.status_code == 302 and "parathed" in response["Location"]:
        go_on(client, world, unit, url)  # the attacker ticks the box
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response["Content-Type"].startswith("application/pdf"):
        return pdf_text(response.content)
    return response.content.decode()


def test_every_figure_in_a_kit_is_on_the_readers_team_report(world: World) -> None:
    measurement, team_c = small_groups(world)
    readers = {
        world.amo: (world.area, world.team_a, world.team_b, team_c),
        world.leader: (world.team_a,),
    }
    for user, units in readers.items():
        client = client_for(user)
        for unit in units:
            report = client.get(report_url(world, measurement, unit)).content.decode()
            kit = opened(client, world, unit, kit_url(world, measurement, unit))
            shown = set(figures(report))
            if unit == world.team_b:
                assert figures(data_sections(kit)), "a shown team's kit carries its figures"
            leaked = set(figures(data_sections(kit))) - shown
            assert not leaked, (user.email, unit.name, sorted(leaked))
            printed = opened(client, world, unit, kit_url(world, measurement, unit, pdf=True))
            percents = {p.replace("\xa0", " ") for p in PERCENT.findall(printed)}
            assert percents <= {p.replace("\xa0", " ") for p in PERCENT.findall(report)}, (
                user.email,
                unit.name,
            )


def test_a_hidden_sensitive_figure_is_no_finding_and_no_warning(world: World) -> None:
    measurement, team_c = small_groups(world)
    client = client_for(world.amo)
    report = client.get(report_url(world, measurement, world.team_a)).content.decode()
    assert "Start her: krænkende handlinger og vold" not in report  # hidden in the report
    result = readiness(world.team_a)
    assert not [f for f in result.findings if f.key.startswith("screening:")]
    assert any("skjult" in text for text in result.unknowns)
    kit = opened(client, world, world.team_a, kit_url(world, measurement, world.team_a))
    assert "kit-warning" not in kit
    for unit in (world.team_a, team_c):
        page = client.get(readiness_url(world, unit)).content.decode()
        assert not PERCENT.findall(page), unit.name


def test_the_readiness_check_shows_only_percentages_of_the_team_report(world: World) -> None:
    measurement = team_report(world, harassed=True)
    client = client_for(world.leader)
    page = client.get(readiness_url(world, world.team_a)).content.decode()
    report = client.get(report_url(world, measurement, world.team_a)).content.decode()
    found = set(PERCENT.findall(page))
    assert found, "the finding names the share the report shows"
    assert found <= set(PERCENT.findall(report))
