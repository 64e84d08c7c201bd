"""The voice channel's figures: settled half-years, minimums, who may read them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tryghed.orgs.models import Role, Unit
from tryghed.orgs.selectors import access_for
from tryghed.voice import services, statistics
from tryghed.voice.models import Case

TODAY = dt.date(2026, 12, 6)
H1 = statistics.Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))


def _after(day: dt.date, days: int | None) -> dt.date | None:
    return None if days is None else day + dt.timedelta(days=days)


def add_cases(
    world: World,
    unit: Unit | None,
    count: int,
    *,
    receiver: str = "leader",
    opened: dt.date = dt.date(2026, 3, 2),
    ack_days: int | None = 2,
    answer_days: int | None = 30,
    outcome_days: int | None = None,
) -> list[Case]:
    cases = []
    for _ in range(count):
        case, _code = services.case_raise(
            organisation=world.org,
            unit=unit,
            receiver=receiver,
            kind="concern",
            text="Noget, der bør ændres.",
            today=opened,
        )
        Case.objects.filter(pk=case.pk).update(
            acknowledged_on=_after(opened, ack_days),
            answered_on=_after(opened, answer_days),
            outcome_on=_after(opened, outcome_days),
        )
        cases.append(case)
    return cases


def test_only_settled_half_years_are_shown() -> None:
    periods = statistics.settled_periods(TODAY, 2)
    assert [p.label for p in periods] == ["1. halvår 2026", "2. halvår 2025"]
    # The first half-year settles when its last case's answer deadline has passed.
    assert statistics.settled_periods(dt.date(2026, 9, 30), 1)[0].label == "2. halvår 2025"
    assert statistics.settled_periods(dt.date(2026, 10, 1), 1)[0].label == "1. halvår 2026"


def test_the_figures_count_deadlines_in_days_and_the_lower_median(world: World) -> None:
    add_cases(world, world.team_a, 2, ack_days=1, answer_days=20, outcome_days=40)
    add_cases(world, world.team_a, 2, ack_days=9, answer_days=100)
    add_cases(world, world.team_a, 1, ack_days=None, answer_days=None)
    access = access_for(user=world.owner, slug=world.org.slug)
    (row,) = statistics.period_figures(access, H1).units
    figures = row.figures
    assert row.unit == world.team_a
    assert figures.cases == 5
    assert (figures.acknowledged_in_time, figures.acknowledged_share) == (2, 40)
    # 2 March + 3 months = 2 June: 20 days is in time, 100 days is not.
    assert (figures.answered_in_time, figures.answered_share) == (2, 40)
    assert (figures.led_to_action, figures.action_share) == (2, 40)
    # Days 1, 1, 9, 9 and never: the lower median of five is the third, 9.
    assert figures.median_days_to_acknowledge == 9


def test_the_median_is_not_shown_when_most_were_never_acknowledged(world: World) -> None:
    add_cases(world, world.team_a, 2, ack_days=3)
    add_cases(world, world.team_a, 3, ack_days=None)
    access = access_for(user=world.owner, slug=world.org.slug)
    (row,) = statistics.period_figures(access, H1).units
    assert row.figures.median_days_to_acknowledge is None


def test_a_unit_with_two_cases_shows_nothing(world: World) -> None:
    add_cases(world, world.team_a, 2)
    access = access_for(user=world.owner, slug=world.org.slug)
    figures = statistics.period_figures(access, H1)
    assert figures.units == [] and figures.organisation is None


def test_cases_to_the_amo_count_in_the_organisation_only(world: World) -> None:
    add_cases(world, world.team_a, 5)
    add_cases(world, world.team_a, 5, receiver="amo")
    access = access_for(user=world.owner, slug=world.org.slug)
    figures = statistics.period_figures(access, H1)
    assert [(r.unit, r.figures.cases) for r in figures.units] == [(world.team_a, 5)]
    assert figures.organisation is not None and figures.organisation.cases == 10


def test_the_page_is_for_the_amo_and_administrators(world: World) -> None:
    add_cases(world, world.team_a, 6)
    url = reverse("voice:figures", kwargs={"org": world.org.slug})
    for user in (world.owner, world.amo):
        page = client_for(user).get(url)
        assert page.status_code == 200
        assert "Sådan læses tallene" in page.content.decode()
    for user in (world.leader, world.employee):
        assert client_for(user).get(url).status_code == 403
    top = make_user("top@example.org")
    grant(top, world.org, Role.TOP_MANAGEMENT)
    assert client_for(top).get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404


def test_the_amos_inbox_links_to_the_figures_and_a_leaders_does_not(world: World) -> None:
    inbox = reverse("voice:inbox", kwargs={"org": world.org.slug})
    figures = reverse("voice:figures", kwargs={"org": world.org.slug})
    assert f'href="{figures}"' in client_for(world.amo).get(inbox).content.decode()
    assert f'href="{figures}"' not in client_for(world.leader).get(inbox).content.decode()


def test_the_apv_dashboard_shows_the_newest_settled_half_year(world: World) -> None:
    period = statistics.settled_periods(services.local_today(), 1)[0]
    add_cases(world, world.team_a, 6, opened=period.start, outcome_days=10)
    add_cases(world, world.team_b, 6, opened=period.start, ack_days=8)
    page = client_for(world.amo).get(reverse("apv:dashboard", kwargs={"org": world.org.slug}))
    text = page.content.decode()
    assert f"{period.label}: 12 sager." in text
    assert "50 % kvitteret inden for 7 dage" in text and "50 % blev til en handling" in text
