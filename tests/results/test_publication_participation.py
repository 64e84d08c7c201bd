"""The participation rows are stored with the publication when it is built at closing
(``ReportCache.participation``): the organisation report, its files and the anonymity audit
read them there instead of deciding the suppression of the whole tree on every request;
the measurement page computes the same rows from the final counts."""

from __future__ import annotations

import pytest

from tests.conftest import World, client_for
from tests.results.test_org_report import Crafted, get
from tryghed.results import aggregates
from tryghed.results.audit import participation_figures, shown_participation
from tryghed.results.models import ReportCache
from tryghed.surveys.models import Invitation, Response
from tryghed.surveys.participation import RateRow, load_rates, response_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted(world: World) -> Crafted:
    crafted = Crafted(world)
    # 36 answered (Crafted), 60 invited: the total is shown.
    units = [world.team_a, world.team_b, crafted.team_c, crafted.team_d]
    units += [crafted.team_e, crafted.team_f, world.area]
    for unit, invited in zip(units, [5, 9, 12, 8, 8, 8, 10], strict=True):
        Invitation.objects.bulk_create(
            Invitation(measurement=crafted.measurement, unit=unit) for _ in range(invited)
        )
    return crafted


def _total_text(html: str) -> str:
    return html[html.index('id="participation-heading"') : html.index('id="standouts-heading"')]


def test_the_publication_stores_the_rows_the_counts_give_at_closing(crafted: Crafted) -> None:
    measurement = crafted.measurement
    aggregates.report_data(measurement)
    stored = ReportCache.objects.get(measurement=measurement).participation
    assert stored is not None
    rows, total = load_rates(stored)
    assert (rows, total) == response_rates(measurement)
    assert total is not None and (total.invited, total.responses) == (60, 36)
    assert aggregates.participation(measurement) == (rows, total)


def test_the_organisation_report_shows_the_stored_total_not_a_recount(
    crafted: Crafted, world: World
) -> None:
    measurement = crafted.measurement
    html = get(client_for(world.amo), crafted.url)
    assert "36" in _total_text(html) and "60" in _total_text(html)
    # An answer that appeared after the publication was stored (none can: answers are
    # released at closing) would change a recount; the page keeps what was published.
    Response.objects.create(measurement=measurement, unit=world.team_b, week="2026-W40")
    assert response_rates(measurement)[1] != aggregates.participation(measurement)[1]
    aggregates._participation.clear()  # a new process reads the stored rows as well
    html = get(client_for(world.amo), crafted.url)
    assert "36" in _total_text(html) and "37" not in _total_text(html)


def test_a_publication_stored_before_gets_its_rows_on_the_first_read(crafted: Crafted) -> None:
    measurement = crafted.measurement
    aggregates.report_data(measurement)
    ReportCache.objects.filter(measurement=measurement).update(participation=None)
    aggregates._participation.clear()
    assert aggregates.participation(measurement) == response_rates(measurement)
    stored = ReportCache.objects.get(measurement=measurement).participation
    assert stored is not None and load_rates(stored) == response_rates(measurement)


def test_the_audit_reads_the_stored_rows_and_any_other_the_measurement_page_shows(
    crafted: Crafted, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    measurement = crafted.measurement
    stored, _total = aggregates.participation(measurement)
    assert shown_participation(measurement) == stored
    other = RateRow(world.team_a.pk, "Team A", 2, invited=10, responses=7)
    monkeypatch.setattr(
        "tryghed.surveys.participation.response_rates", lambda _m: ([*stored, other], None)
    )
    assert shown_participation(measurement) == [*stored, other]
    assert any(
        f.n == 3 and "not-answered" in f.population for f in participation_figures(measurement)
    )


def test_a_measurement_without_paper_codes_stores_without_listing_the_figures(
    crafted: Crafted, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No codes printed: the answers-by-code line is refused on its counts, so the
    # publication's figures it would be checked beside are never needed (listing them took
    # seconds at closing for 200,000 answers, docs/benchmarks.md).
    def listed(*args: object) -> list[object]:
        raise AssertionError("the publication's figures were listed for a refused code line")

    monkeypatch.setattr(aggregates, "_publication_counts", listed)
    aggregates.report_data(crafted.measurement)
    stored = ReportCache.objects.get(measurement=crafted.measurement).participation
    assert stored is not None and stored["paper_codes"] is None
    assert aggregates.paper_codes(crafted.measurement) is None
