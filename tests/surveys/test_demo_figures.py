"""The demo's figures are ones a consultant would believe (issue 13): measured with the
project's own statistics, on the publication the reports show.

The ranges are those of published Danish workplace data and of the instruments' own
references, not the demo's current values: scale correlations 0.3-0.7 between related
scales, Cronbach's alpha 0.7-0.9, ICC(1) around 0.05-0.20, agreement rwg(j) mostly
0.5-0.9, 40-70 % who held back at least once (seed 000: 50-70 %). The old generator
(one factor, uniform answers) gave r = -0.99 across units, R² = 0.81 for the golden
nuggets, 92 % held back and rwg near 0, and fails every block below.
"""

from __future__ import annotations

import random
import statistics as pystats
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from tryghed.core import scoring, statistics
from tryghed.core.instruments import load_builtin
from tryghed.orgs.demo import load_demo
from tryghed.orgs.models import Organisation, Unit
from tryghed.results.aggregates import group, report_data
from tryghed.surveys import demo_answers
from tryghed.surveys.demo import load_demo_measurements
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import measurement_instruments

JsonDict = dict[str, Any]
# Scales built from several statements that measure one thing (not exposure counts).
REFLECTIVE = ("ps7/total", "opgavefokus/total", "tavshed/total", "risk5/workload")
TWO_ITEM = tuple(
    f"guldkorn/{s}" for s in ("influence", "meaning", "predictability", "support", "reward")
)
# Pairs that theory and Danish data relate: each person-level |r| in 0.3-0.7.
RELATED = (
    ("ps7/total", "tavshed/total"),
    ("ps7/total", "opgavefokus/total"),
    ("ps7/total", "hesteskoen/total"),
    ("ps7/total", "guldkorn/support"),
    ("opgavefokus/total", "guldkorn/predictability"),
    ("stress/total", "risk5/workload"),
)


def _load() -> Organisation:
    organisation, _ = load_demo()
    assert load_demo_measurements(organisation)
    return organisation


def _spring() -> Measurement:
    return Measurement.objects.get(status=Status.CLOSED, name="Trivsel og tryghed, forår 2026")


def _scale(block: Mapping[str, Any], key: str) -> JsonDict | None:
    if block.get("suppressed"):
        return None
    instrument, scale = key.split("/")
    found = block["instruments"].get(instrument, {}).get("scales", {}).get(scale)
    return None if found is None or found.get("suppressed") else dict(found)


def _area_safety(data: JsonDict, unit: Unit) -> float | None:
    """ps7's total for the unit and everything under it, or where that is hidden, its
    children's shown totals put together (presenters.Together)."""
    whole = _scale(group(data, unit.pk, "subtree"), "ps7/total")
    if whole is not None:
        return float(whole["mean"])
    parts = [
        _scale(group(data, child.pk, "subtree"), "ps7/total")
        for child in Unit.objects.filter(parent=unit)
    ]
    shown = [(int(p["n"]), float(p["mean"]), float(p["sd"])) for p in parts if p is not None]
    if len(shown) < 2:
        return None
    return float(statistics.combined_summary(shown).mean or 0.0)


def _key_figure(block: Mapping[str, Any], instrument: str, figure: str) -> float | None:
    found = block["instruments"].get(instrument, {}).get("key_figures", {}).get(figure)
    return None if found is None or found.get("suppressed") else float(found["share"])


def _unit_group(data: Mapping[str, Any], external_id: str) -> JsonDict:
    unit = Unit.objects.get(external_id=external_id)
    found = group(data, unit.pk, "unit")
    assert not found.get("suppressed"), external_id
    return found


def _person_scores(measurement: Measurement) -> dict[str, np.ndarray]:
    rows = list(measurement.responses.values_list("answers", flat=True))
    scores: dict[str, np.ndarray] = {}
    for instrument in measurement_instruments(measurement):
        codes = scoring.answers_matrix(
            instrument, [{k: v for k, v in r.items() if isinstance(v, int)} for r in rows]
        )
        scored = scoring.score_persons(instrument, codes)
        for scale in instrument.scales:
            scores[f"{instrument.id}/{scale.id}"] = scored.scores[scale.id]
    return scores


def _r(x: np.ndarray, y: np.ndarray) -> float:
    both = ~(np.isnan(x) | np.isnan(y))
    return float(np.corrcoef(x[both], y[both])[0, 1])


@pytest.mark.django_db
def test_the_demo_answers_have_the_figures_of_a_real_workplace() -> None:
    _load()
    spring = _spring()
    data = report_data(spring)
    level = data["measurement_level"]
    organisation = data["groups"][data["organisation"]]

    # Reliability: alpha 0.7-0.9 on the multi-statement scales, a little lower allowed
    # for two statements (alpha grows with the number of items).
    for key in REFLECTIVE:
        instrument, scale = key.split("/")
        alpha = level["scales"][instrument][scale]["alpha"]["alpha"]
        assert 0.70 <= alpha <= 0.90, (key, alpha)
    for key in TWO_ITEM:
        instrument, scale = key.split("/")
        alpha = level["scales"][instrument][scale]["alpha"]["alpha"]
        assert 0.60 <= alpha <= 0.90, (key, alpha)

    # Teams differ, but most of the variance is between people: ICC(1) around 0.05-0.20.
    icc1 = {
        f"{i}/{s}": figures["icc"]["icc1"]
        for i, scales in level["scales"].items()
        for s, figures in scales.items()
        if not figures.get("suppressed") and figures["icc"] is not None
    }
    assert len(icc1) >= 15
    assert 0.05 <= pystats.median(icc1.values()) <= 0.20, icc1
    # Exposure that one team has and the others do not (harassment) may sit higher.
    assert sum(value < 0.25 for value in icc1.values()) >= 0.85 * len(icc1), icc1
    assert max(icc1.values()) < 0.45, icc1
    assert 0.05 <= icc1["ps7/total"] <= 0.20

    # Agreement within teams: rwg(j) mostly 0.5-0.9 (uniform answers gave about 0).
    rwg = [
        figures["rwg_j"]
        for unit in data["units"].values()
        if not data["groups"][unit["unit"]].get("suppressed")
        for instrument in data["groups"][unit["unit"]]["instruments"].values()
        for figures in instrument["scales"].values()
        if not figures.get("suppressed") and figures.get("rwg_j") is not None
    ]
    assert len(rwg) > 200
    assert 0.5 <= pystats.median(rwg) <= 0.9
    assert sum(0.5 <= r <= 0.9 for r in rwg) / len(rwg) >= 0.5
    assert sum(r < 0.3 for r in rwg) / len(rwg) <= 0.15

    # Silence: 40-70 % held back at least once (seed 000: 50-70 %).
    held_back = _key_figure(organisation, "tavshed", "held-back")
    assert held_back is not None and 0.40 <= held_back <= 0.70

    # Scales correlate as related constructs do, person by person, never as one factor.
    scores = _person_scores(spring)
    for a, b in RELATED:
        assert 0.3 <= abs(_r(scores[a], scores[b])) <= 0.7, (a, b, _r(scores[a], scores[b]))
    keys = [k for k in scores if not k.startswith("vz-")]
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if a.split("/")[0] != b.split("/")[0]:
                assert abs(_r(scores[a], scores[b])) < 0.8, (a, b)

    # Across units the means of related scales go together, not in lockstep.
    across = {(c["a"], c["b"]): c["r"] for c in level["correlations"]}
    assert len(across) > 100
    safety_silence = across[("ps7/total", "tavshed/total")]
    assert -0.9 < safety_silence < -0.3
    assert pystats.median(abs(r) for r in across.values()) < 0.6

    # The six golden nuggets explain some, not nearly all, of psychological safety.
    drivers = level["drivers"]["ps7/total"]
    assert 0.15 <= drivers["r2"] <= 0.60, drivers["r2"]
    assert max(drivers["weights"]) < 0.7 * drivers["r2"]


@pytest.mark.django_db
def test_the_demo_has_teams_that_struggle_thrive_and_one_to_deal_with_harassment_first() -> None:
    _load()
    spring = _spring()
    data = report_data(spring)
    organisation = data["groups"][data["organisation"]]
    org_safety = _scale(organisation, "ps7/total")
    assert org_safety is not None
    org_offended = _key_figure(organisation, "risk5", "offensive-exposed")
    org_violence = _key_figure(organisation, "risk5", "violence-exposed")
    assert org_offended is not None and 0.05 <= org_offended <= 0.20
    assert org_violence is not None and 0.08 <= org_violence <= 0.30

    # Hjemmeplejen Nord's evening team: offensive behaviour, shown (sensitive minimum met).
    evening = _unit_group(data, "SUND-HJN-AF")
    offended = _key_figure(evening, "risk5", "offensive-exposed")
    assert offended is not None and offended >= 0.35 and offended >= 2.5 * org_offended

    means = {
        external_id: _scale(_unit_group(data, external_id), "ps7/total")
        for external_id in ("BU-SKO-US", "SUND-HJN-AF", "BU-DAG-MT", "SUND-HJN-D2")
    }
    # All four are shown in spring. The engine hides ps7 item 1 by difference somewhere
    # to protect a smaller group's, and a scale is hidden wherever one of its items with
    # answers is (publication._scale_with_its_items); it chooses where knowing that
    # cost, so the hide falls where no scale is lost (before, the upper school's and
    # Mellemtrinnet's safety went).
    assert all(m is not None for m in means.values()), means
    upper_school, evening_team, thriving, thriving_too = (
        m["mean"] for m in means.values() if m is not None
    )
    # The two teams with a poor climate read well below the organisation (0-70 scale),
    assert upper_school < org_safety["mean"] - 6 and evening_team < org_safety["mean"] - 6
    # the two thriving teams above it.
    assert thriving > org_safety["mean"] + 4 and thriving_too > org_safety["mean"] + 4
    night = _unit_group(data, "SUND-HJS-NA")
    night_stress = _key_figure(night, "stress", "stressed")
    org_stress = _key_figure(organisation, "stress", "stressed")
    assert night_stress is not None and org_stress is not None
    assert night_stress > org_stress + 0.1

    # Sundhed og Omsorg made action plans: its safety rose between the waves.
    autumn = report_data(spring.previous)  # type: ignore[arg-type]
    # As its leader reads it: the area as a whole, or where that is hidden to protect its
    # own few people, its departments put together ("Enhederne under denne samlet").
    health = Unit.objects.get(external_id="SUND")
    before = _area_safety(autumn, health)
    after = _area_safety(data, health)
    assert before is not None and after is not None
    assert after > before + 1.5

    # Some answers are missing, as in any real survey, but few.
    rows = list(spring.responses.values_list("answers", flat=True))
    ps7_items = [item.id for item in load_builtin()["ps7"].items]
    gaps = sum(1 for r in rows if any(item not in r for item in ps7_items)) / len(rows)
    assert 0.03 <= gaps <= 0.25


@pytest.mark.django_db
def test_the_demo_has_a_maturity_measurement_with_something_to_show() -> None:
    organisation = _load()
    maturity = Measurement.objects.get(
        organisation=organisation, status=Status.CLOSED, template="trivselsmodenhed"
    )
    assert [i.id for i in measurement_instruments(maturity)] == ["vz-maturity"]
    # Leaders and work-environment representatives, not everyone.
    assert 40 <= maturity.invitations.count() <= 90
    data = report_data(maturity)
    whole = _scale(data["groups"][data["organisation"]], "vz-maturity/total")
    assert whole is not None and 2.3 <= whole["mean"] <= 3.7  # around "Aktivt"
    topics = [
        _scale(data["groups"][data["organisation"]], f"vz-maturity/{s.id}")
        for s in load_builtin()["vz-maturity"].scales
        if s.id != "total"
    ]
    shown = [t["mean"] for t in topics if t is not None]
    assert len(shown) == 10
    assert max(shown) - min(shown) >= 0.5  # strong and weak topics to talk about
    items = data["groups"][data["organisation"]]["instruments"]["vz-maturity"]["items"]
    dont_know = [i["dont_know"] for i in items.values() if not i.get("suppressed")]
    assert any(share > 0 for share in dont_know)
    areas = [
        _scale(group(data, u.pk, "subtree"), "vz-maturity/total")
        for u in Unit.objects.filter(organisation=organisation, depth=1)
    ]
    assert sum(a is not None for a in areas) >= 2  # areas to compare


def test_the_same_seed_gives_the_same_people_and_answers() -> None:
    instruments = [load_builtin()[i] for i in ("ps7", "risk5", "hesteskoen")]

    def answers(seed: int) -> list[Any]:
        out = []
        for wave in (0, 1):
            unit = demo_answers.unit_effects(seed, "SUND-HJN-AF", wave)
            person = demo_answers.respondent(seed, "1042", wave, unit)
            out.append(demo_answers.answers_for(random.Random(seed), instruments, person))
        return out

    assert answers(2026) == answers(2026)
    assert answers(2026) != answers(7)
