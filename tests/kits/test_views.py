"""The meeting kit and "Mit bidrag til arbejdsfællesskabet": who may open them, what they
show (the team report's own figures, the seeds' words), screen and PDF, Danish and English."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.kits.conftest import kit_url
from tests.results.team_report_scenario import team_report
from tests.results.test_aggregates import answer, make_measurement, ps7
from tryghed.kits import content
from tryghed.kits.selectors import meeting_kit
from tryghed.orgs.models import Role
from tryghed.results.aggregates import report_data
from tryghed.results.presenters import unit_report_context
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def measurement(world: World) -> Measurement:
    return team_report(world)


def pdf_text(content_bytes: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content_bytes)).pages)


@pytest.mark.parametrize(
    ("who", "status"),
    [("leader", 200), ("amo", 200), ("owner", 200), ("employee", 403), ("outsider", 404)],
)
def test_who_may_open_the_kit(
    world: World, measurement: Measurement, who: str, status: int
) -> None:
    client = client_for(getattr(world, who))
    assert client.get(kit_url(world, measurement, world.team_a)).status_code == status
    assert client.get(kit_url(world, measurement, world.team_a, pdf=True)).status_code == status


def test_top_management_and_another_teams_leader_get_no_kit(
    world: World, measurement: Measurement
) -> None:
    director = make_user("direktion@example.test")
    grant(director, world.org, Role.TOP_MANAGEMENT)
    assert client_for(director).get(kit_url(world, measurement, world.team_a)).status_code == 403
    # The leader of team A asks for team B's kit: not confirmed to exist.
    leader = client_for(world.leader)
    assert leader.get(kit_url(world, measurement, world.team_b)).status_code == 404
    assert leader.get(kit_url(world, measurement, world.team_b, pdf=True)).status_code == 404


def test_an_open_measurement_has_no_kit(world: World, measurement: Measurement) -> None:
    Measurement.objects.filter(pk=measurement.pk).update(status="open")
    assert client_for(world.amo).get(kit_url(world, measurement, world.team_a)).status_code == 404


def test_the_kit_talks_about_the_team_reports_weakest_areas(
    world: World, measurement: Measurement
) -> None:
    report = unit_report_context(
        data=report_data(measurement),
        measurement=measurement,
        unit=world.team_a,
        scope="subtree",
        lang="da",
    )
    weakest = [row.name for row in report["overview"].weakest]
    assert 2 <= len(weakest) <= 3
    kit = meeting_kit(measurement, world.team_a, "da")
    assert [a.row.name for a in kit.areas] == weakest
    # One topic per area, never the same twice while others fit.
    assert len({a.topic.key for a in kit.areas}) == len(kit.areas)
    assert sum(item.minutes for item in kit.agenda) == 60
    text = client_for(world.leader).get(kit_url(world, measurement, world.team_a)).content.decode()
    for name in weakest:
        assert name in text
    for area in kit.areas:
        assert str(area.topic.questions[0]) in text


def test_topics_follow_the_declared_display_not_the_instrument(
    world: World, measurement: Measurement
) -> None:
    from tryghed.surveys.selectors import measurement_instruments

    instruments = measurement_instruments(measurement)
    roles = {i.id: content.instrument_role(i, instruments) for i in instruments}
    zones = next(i.zones for i in instruments if i.zones is not None)
    for iid in zones.safety:
        if iid in roles:
            assert roles[iid] == "zones_safety"
    assert roles[zones.focus] == "zones_focus"
    assert "risk_factors" in roles.values()
    assert "support_chart" in roles.values()
    assert set(content.TOPICS_BY_ROLE) >= set(roles.values())


def test_the_kit_has_the_seeds_meeting_rules_and_a_way_to_focus_areas(
    world: World, measurement: Measurement
) -> None:
    text = client_for(world.leader).get(kit_url(world, measurement, world.team_a)).content.decode()
    for words in ("Sætte scenen", "Fokus på hvordan – ikke hvad", "Bordet rundt", "Dagsorden"):
        assert words in text
    focus = reverse(
        "actions:focus_choose",
        kwargs={
            "org": world.org.slug,
            "unit_id": world.team_a.pk,
            "measurement_id": measurement.pk,
        },
    )
    assert f'href="{focus}"' in text
    assert "Jeg har brug for mere" in text  # the support exercise: support4 was asked


def test_the_pdf_reads_as_the_screen(world: World, measurement: Measurement) -> None:
    response = client_for(world.leader).get(kit_url(world, measurement, world.team_a, pdf=True))
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Team A" in text
    assert "Dagsorden" in text
    assert "Det aftaler vi" in text
    kit = meeting_kit(measurement, world.team_a, "da")
    assert kit.areas[0].row.name.split()[0] in text


def test_the_kit_in_english_names_the_areas_in_english(
    world: World, measurement: Measurement
) -> None:
    client = client_for(world.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(kit_url(world, measurement, world.team_a)).content.decode()
    kit = meeting_kit(measurement, world.team_a, "en")
    assert '<html lang="en">' in text
    for area in kit.areas:
        assert area.row.name in text
    assert kit.areas[0].row.name != meeting_kit(measurement, world.team_a, "da").areas[0].row.name


def test_the_team_report_and_the_units_page_link_to_the_kit(
    world: World, measurement: Measurement
) -> None:
    client = client_for(world.leader)
    report = client.get(
        reverse(
            "results:unit_report",
            kwargs={
                "org": world.org.slug,
                "measurement_id": measurement.pk,
                "unit_id": world.team_a.pk,
            },
        )
    ).content.decode()
    assert f'href="{kit_url(world, measurement, world.team_a)}"' in report
    unit_page = client.get(
        reverse("orgs:unit_detail", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    ).content.decode()
    kits = reverse("kits:unit", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    assert f'href="{kits}"' in unit_page
    listing = client.get(kits).content.decode()
    assert f'href="{kit_url(world, measurement, world.team_a)}"' in listing


def test_mit_bidrag_is_a_week_without_a_score(world: World) -> None:
    client = client_for(world.leader)
    url = reverse("kits:contribution", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    text = client.get(url).content.decode()
    assert "3-meter-regel" in text
    for day in ("Mandag", "Fredag"):
        assert day in text
    assert "score" in text  # "Der er ingen score"
    pdf = client.get(
        reverse("kits:contribution_pdf", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert "3-meter-regel" in pdf_text(pdf.content)
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page
    assert client_for(world.employee).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    other = reverse("kits:contribution", kwargs={"org": world.org.slug, "unit_id": world.team_b.pk})
    assert client.get(other).status_code == 404


def test_a_team_with_every_figure_hidden_gets_its_kit_without_a_table_of_reasons(
    world: World,
) -> None:
    """team_a 6, team_b 3 (ps7 and stress): team_a is hidden in every area and share to
    protect team_b. Its kit says so once, with the reason, and that the meeting can be
    held anyway, as for a team whose whole group is hidden."""
    measurement = make_measurement(world, ("ps7", "stress"))
    for _ in range(6):
        answer(measurement, world.team_a, {**ps7([1]), "stress.1": 2, "stress.2": 2})
    for _ in range(3):
        answer(measurement, world.team_b, {**ps7([5, 1, 5, 1, 5, 1, 1]), "stress.1": 4})
    response = client_for(world.amo).get(kit_url(world, measurement, world.team_a))
    assert response.status_code == 200
    figures = response.content.decode().split('id="kit-figures-heading"')[1].split("</section>")[0]
    assert "Alle tal for gruppen er skjult i denne måling." in figures
    assert figures.count("Skjult, så en lille gruppe ikke kan regnes ud") == 1
    assert "Mødet kan holdes alligevel" in figures
    assert "kit-areas" not in figures
