"""`tryghed score` and the web report give the same figures for the same answers
(issue 14, "CLI and web give the same figures for the same data")."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World
from tests.results.test_aggregates import answer, make_measurement
from tryghed.cli import main
from tryghed.results.aggregates import group, report_data
from tryghed.surveys.models import Response


def _answers(rng: random.Random) -> dict[str, int]:
    # Some items left out, so person scores are prorated and n differs from answers.
    return {f"ps7.{n}": rng.randint(1, 5) for n in range(1, 8) if rng.random() > 0.15}


@pytest.mark.django_db
def test_the_command_and_the_report_agree_on_every_group_of_a_tree(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(31)
    measurement = make_measurement(world)
    # Large enough that no unit has an item with fewer than five answers: a hidden item
    # hides its scale there, and the ICC needs every unit's scale.
    for unit, count in ((world.team_a, 9), (world.team_b, 9), (world.area, 9)):
        for _ in range(count):
            answer(measurement, unit, _answers(rng))
    for _ in range(5):  # complete cases: alpha rests on at least the minimum of them
        answer(measurement, world.team_a, {f"ps7.{n}": rng.randint(1, 5) for n in range(1, 8)})
    data = report_data(measurement)

    units = data["units"]
    with (tmp_path / "units.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "parent"])
        for unit, entry in units.items():
            writer.writerow([unit, entry["parent"] or ""])
    items = [f"ps7.{n}" for n in range(1, 8)]
    with (tmp_path / "responses.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", *items])
        for response in Response.objects.filter(measurement=measurement).order_by("id"):
            answers: dict[str, Any] = response.answers
            writer.writerow([response.unit_id, *(answers.get(i, "") for i in items)])
    assert (
        main(
            [
                "score",
                str(tmp_path / "responses.csv"),
                "--instrument",
                "ps7",
                "--units",
                str(tmp_path / "units.csv"),
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    cli = {(g["unit"], g["scope"]): g for g in result["groups"]}

    compared = 0
    for unit in units:
        for scope in ("unit", "subtree"):
            web = group(data, unit, scope)
            line = cli[(unit, scope)]
            web_scale = None if web["suppressed"] else web["instruments"]["ps7"]["scales"]["total"]
            web_shown = web_scale is not None and not web_scale["suppressed"]
            assert web_shown == (not line["suppressed"]), (unit, scope)
            if not web_shown:
                continue
            assert web_scale is not None
            assert line["n"] == web_scale["n"]
            assert line["mean"] == pytest.approx(web_scale["mean"], abs=1e-12)
            assert line["sd"] == pytest.approx(web_scale["sd"], abs=1e-12)
            assert line["ci95"] == pytest.approx(web_scale["ci95"], abs=1e-12)
            assert line["rwg_j"] == pytest.approx(web_scale["rwg_j"], abs=1e-12)
            compared += 1
    assert compared >= 4  # the teams, the area and the whole organisation

    # Reliability and ICC: the measurement-level figures of the same publication (one top
    # unit: the whole measurement is its subtree, a shown group, on the web and here).
    level = data["measurement_level"]["scales"]["ps7"]
    assert set(result["reliability_by_scale"]) == set(level)
    compared_alpha = 0
    for scale, web_level in level.items():
        line = result["reliability_by_scale"][scale]
        assert not web_level["suppressed"]
        alpha = web_level["alpha"]
        if alpha is None:  # fewer complete cases than the minimum: withheld in both
            assert line == {"alpha": None, "alpha_ci95": None, "n_complete": None}
            continue
        compared_alpha += 1
        assert line["n_complete"] == alpha["n_complete"]
        assert line["alpha"] == pytest.approx(alpha["alpha"], abs=1e-12)
        assert line["alpha_ci95"] == pytest.approx(alpha["ci95"], abs=1e-12)
    assert compared_alpha >= 1
    assert result["reliability"] == result["reliability_by_scale"]["total"]
    icc = level["total"]["icc"]
    assert icc is not None
    assert result["icc1"] == pytest.approx(icc["icc1"], abs=1e-12)
    assert result["icc2"] == pytest.approx(icc["icc2"], abs=1e-12)
