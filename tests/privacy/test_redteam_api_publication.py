"""Red team: the API's publication (commit 242ad7b) against the pages of the same reader.

Adversary 1 of privacy.md section 0 reads every page and export their role allows, and now
the API too. The API promises "exactly what their report pages show them, never more"
(docs/api.md). Each attack takes one role and asks the API for what no page of that role
shows:

- top management reads the organisation report (heatmap of scales and key figures, zones,
  maturity) and no unit report: no unit's questions, distributions or comments
  (results.selectors, and ``exports.spreadsheet_allowed`` keeps the spreadsheet from it);
- a leader compares her team with the parent unit and the organisation by their scale
  readings and question means only: no comments of those groups (a page "never shows the
  comparisons' comments", ``aggregates.publication``), no key figures, no zone;
- an employee's feedback page shows her own unit's group only, without hidden comment
  blocks (``presenters._Builder.comments``): not the whole organisation's figures.

World (tests/conftest.py): root → area → (team_a, team_b); leader leads team_a, employee
works in team_a. Everyone answers ps7 and writes a comment to hesteskoen's question 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from django.urls import reverse

from tests.api.helpers import get_json
from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.results.test_aggregates import answer, make_measurement, ps7
from tests.results.test_unit_report import page
from tryghed.orgs.models import Role, Unit
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

COMMENTED = "hesteskoen.2"


def publication_url(measurement: Measurement) -> str:
    return reverse("api:publication", kwargs={"measurement_id": measurement.pk})


def answered(world: World, sizes: Mapping[str, int]) -> Measurement:
    """ps7 and hesteskoen; ``sizes`` people per team, each with a comment."""
    measurement = make_measurement(world, ("ps7", "hesteskoen"))
    for name, count in sizes.items():
        unit: Unit = getattr(world, name)
        for i in range(count):
            answer(measurement, unit, ps7([1 + i % 5]), {COMMENTED: f"{name} kommentar {i}"})
    return measurement


def group_of(body: Mapping[str, Any], scope: str, unit: Unit | None) -> dict[str, Any]:
    wanted = None if unit is None else unit.pk
    (found,) = (g for g in body["groups"] if g["scope"] == scope and g["unit"] == wanted)
    assert found["hidden"] is False, found
    return dict(found)


def records(group: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Every record of one kind (scales, items, key_figures, comments) of a shown group."""
    return {
        f"{iid}/{key}": record
        for iid, block in group["instruments"].items()
        for key, record in block.get(kind, {}).items()
    }


def test_top_management_gets_no_units_questions_or_comments(world: World) -> None:
    measurement = answered(world, {"team_a": 12, "team_b": 12})
    director = make_user("direktor@example.test")
    grant(director, world.org, Role.TOP_MANAGEMENT)
    # The AMO reads the unit reports: the same groups carry questions and comments for her.
    amo = get_json(client_for(world.amo), publication_url(measurement))
    team_b = group_of(amo, "unit", world.team_b)
    assert records(team_b, "items")
    assert records(team_b, "comments")[f"hesteskoen/{COMMENTED}"]["count"] == 12
    body = get_json(client_for(director), publication_url(measurement))
    units = [g for g in body["groups"] if g["scope"] != "organisation" and not g["hidden"]]
    assert len(units) >= 5, "the heatmap's rows are still there"
    for group in units:
        assert records(group, "scales"), "a heatmap row shows the scales"
        assert records(group, "items") == {}, (group["scope"], group["unit"])
        assert records(group, "comments") == {}, (group["scope"], group["unit"])
    # Nor the organisation's comments: the organisation report shows none.
    assert records(group_of(body, "organisation", None), "comments") == {}


def test_a_leader_gets_no_comment_count_key_figure_or_zone_of_the_groups_she_compares_with(
    world: World,
) -> None:
    measurement = answered(world, {"team_a": 12, "team_b": 12})
    client = client_for(world.leader)
    body = get_json(client, publication_url(measurement))
    own = group_of(body, "unit", world.team_a)
    assert records(own, "comments")[f"hesteskoen/{COMMENTED}"]["count"] == 12
    html = page(
        client,
        reverse(
            "results:unit_report",
            kwargs={
                "org": world.org.slug,
                "measurement_id": measurement.pk,
                "unit_id": world.team_a.pk,
            },
        ),
    )
    assert "team_a kommentar 0" in html and "team_b kommentar 0" not in html
    for compared in (group_of(body, "subtree", world.area), group_of(body, "organisation", None)):
        # 24 comments each: the page shows none of them, nor how many there are.
        assert records(compared, "comments") == {}, compared["scope"]
        assert records(compared, "key_figures") == {}, compared["scope"]
        assert compared["zone"] is None
        # What the page compares with: the scale readings and the question means.
        assert records(compared, "scales") and records(compared, "items")


def test_an_employee_gets_her_feedback_pages_group_only(world: World) -> None:
    # team_a's six comments are below the comment minimum: the feedback page leaves the
    # block out; the organisation's figures are on no page of hers.
    measurement = answered(world, {"team_a": 6, "team_b": 12})
    client = client_for(world.employee)
    html = page(
        client,
        reverse(
            "results:feedback", kwargs={"org": world.org.slug, "measurement_id": measurement.pk}
        ),
    )
    assert "kommentar" not in html
    # Nor does it show intervals or agreement (the leader's page does).
    assert "sikkerhedsinterval" not in html and "Enighed i gruppen" not in html
    body = get_json(client, publication_url(measurement))
    assert [(g["scope"], g["unit"]) for g in body["groups"]] == [("unit", world.team_a.pk)]
    assert body["measurement_level"] is None
    own = group_of(body, "unit", world.team_a)
    assert records(own, "comments") == {}
    total = records(own, "scales")["ps7/total"]
    assert total["n"] == 6 and sum(total["bins"]) == 6  # the page's n and distribution
    for field in ("sd", "ci95", "rwg_j", "also"):
        assert total.get(field) is None, field
    items = [r for r in records(own, "items").values() if not r["hidden"]]
    assert items and all(set(r) == {"hidden", "mean_points"} for r in items), items


def test_what_a_reader_only_compares_with_or_sees_as_a_row_comes_without_counts_or_spread(
    world: World,
) -> None:
    """A leader's page compares her team with the parent and the organisation by a reading
    of each mean; the organisation report's rows show each unit's mean, level and change.
    Neither shows a count, a spread or a distribution of those groups (top management
    reads no unit's distributions; a leader reads her own)."""
    measurement = answered(world, {"team_a": 12, "team_b": 12})
    director = make_user("direktor@example.test")
    grant(director, world.org, Role.TOP_MANAGEMENT)
    leader = get_json(client_for(world.leader), publication_url(measurement))
    top = get_json(client_for(director), publication_url(measurement))
    summaries = [
        group_of(leader, "subtree", world.area),
        group_of(leader, "organisation", None),
        *(g for g in top["groups"] if not g["hidden"]),
    ]
    for group in summaries:
        scales = [r for r in records(group, "scales").values() if not r["hidden"]]
        items = [r for r in records(group, "items").values() if not r["hidden"]]
        assert scales, (group["scope"], group["unit"])
        for record in scales:
            assert record["mean"] is not None
            for field in ("n", "sd", "ci95", "bins", "rwg_j", "bands", "also"):
                assert record.get(field) is None, (field, record)
        for record in items:
            assert set(record) == {"hidden", "mean_points"}, record
    # Her own team's report shows them all.
    own = records(group_of(leader, "subtree", world.team_a), "scales")["ps7/total"]
    assert own["n"] == 12 and own["bins"]
