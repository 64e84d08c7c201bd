"""The mark beside a hidden figure: a lock drawn by the stylesheet, not an emoji (an empty
box where no emoji font is installed) and not an inline SVG (its drawing numbers would sit
among the figures tests/privacy/attack.py counts); the words that say why are unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

import tryghed
from tests.conftest import World, client_for
from tests.results.test_aggregates import make_measurement
from tests.results.test_unit_report import BELOW_MINIMUM, TOP, fill, page, url

pytestmark = pytest.mark.django_db
LOCK = '<span class="lock-icon" aria-hidden="true"></span>'
STYLESHEET = Path(tryghed.__file__).parent / "web" / "static" / "tryghed" / "tryghed.css"


def test_a_hidden_figure_has_a_drawn_lock_beside_its_reason(world: World) -> None:
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 3, TOP)
    html = page(client_for(world.amo), url(world, measurement, world.team_b))
    assert f'<span class="report-hidden">{LOCK}{BELOW_MINIMUM}' in html
    assert "\U0001f512" not in html and "<svg" not in html


def test_the_stylesheet_draws_the_lock_without_a_font() -> None:
    rules = STYLESHEET.read_text().split(".lock-icon {", 1)[1].split("}", 1)[0]
    assert 'mask: url("data:image/svg+xml,' in rules and "background-color: currentColor" in rules
