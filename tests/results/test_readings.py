"""The one reading: every directed scale on 0–100 with 100 the best end."""

from __future__ import annotations

import pytest
from django.utils import translation

from tryghed.core import figures
from tryghed.core.instruments import load_builtin
from tryghed.results import readings


def _meta(low: float, high: float, polarity: str) -> figures.ScaleMeta:
    return figures.ScaleMeta((), 5, False, polarity, (low, high), None, (), (), (), ())


def _mean(mean: float) -> figures.ScaleFigure:
    return figures.ScaleFigure(n=10, mean=mean, sd=None, ci95=None, rwg_j=None, bins=())


def test_it_places_ps7_on_0_to_100_and_keeps_the_seed_scale_beside_it() -> None:
    found = readings.scale_reading(_meta(0, 70, "higher_better"), _mean(26.8))
    assert found is not None
    assert found.value == pytest.approx(38.2857, abs=1e-3)
    with translation.override("da"):
        assert found.text("da") == "38"
        assert found.native_text("da") == "26,8 på skalaen 0–70"
        assert found.direction() == "Højere er bedre."


def test_it_flips_a_lower_is_better_scale_so_100_is_best() -> None:
    stress = readings.reading(mean=3.3, low=1, high=5, polarity="lower_better")
    silence = readings.reading(mean=52.8, low=0, high=100, polarity="lower_better")
    assert stress is not None and silence is not None
    assert stress.value == pytest.approx(42.5)
    assert silence.value == pytest.approx(47.2)
    with translation.override("da"):
        assert "vendt" in silence.direction()
        assert readings.direction_words("lower_better", reading=False) == "Lavere er bedre."


def test_a_hidden_mean_has_no_reading() -> None:
    meta = _meta(0, 100, "higher_better")
    assert readings.scale_reading(meta, figures.Hidden("below_minimum")) is None
    assert readings.scale_reading(meta, None) is None


def test_weakest_first_never_ranks_need_scales_or_shares_with_means() -> None:
    entries = {
        "ps7": readings.reading(mean=50, low=0, high=70, polarity="higher_better"),
        "stress": readings.reading(mean=4.6, low=1, high=5, polarity="lower_better"),
        "support-need": readings.reading(mean=1.0, low=1, high=10, polarity="need"),
        "held-back": readings.share_reading(0.94),
        "pulse": readings.reading(mean=6, low=1, high=10, polarity="higher_better"),
    }
    order = readings.weakest(entries, entries.__getitem__, count=5)
    assert order == ["stress", "pulse", "ps7"]
    assert entries["support-need"] is not None and not entries["support-need"].rankable


def test_a_negatively_worded_ps7_statement_says_what_a_high_score_means() -> None:
    ps7 = load_builtin()["ps7"]
    with translation.override("da"):
        reversed_item = readings.item_direction(ps7.item(5), "higher_better")
        plain = readings.item_direction(ps7.item(2), "higher_better")
    assert "uenig" in reversed_item
    assert plain == "Højere er bedre."
