"""The demo's synthetic answers: a small latent model whose figures a consultant believes.

Every person has four work-environment factors: the team's climate (psychological
safety), leadership and organisation, strain (workload and time pressure) and meaning.
The factors correlate moderately, never perfectly (``FACTOR_CORRELATION``). Each factor is
a unit part (what the team shares; about a tenth of the variance, so ICC(1) lands around
0.05-0.20) plus a person part, of which two thirds stay the same from one wave to the next.

Every scale is a construct: a weighted sum of the factors plus a part of its own (with its
own unit part), so scales correlate 0.3-0.7 rather than all measuring one thing. Every
answer is that construct, plus noise, cut into the item's options at thresholds that give
the item a realistic distribution (``PROFILES``: most people agree with a positive
statement, few are bullied, threats are common in home care and rare in the finance
office). Sector and team profiles (``UNIT_PROFILES``) shift the unit parts: a few teams
struggle, one has a harassment problem, a couple thrive.

Some answers are skipped (more often on sensitive questions) and a few people stop part
way. Everything is drawn from ``random.Random`` seeded by strings (the seed, a person's
employee id, a unit's external id), so the answers do not depend on database keys or on
the order of the loop.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from statistics import NormalDist

from tryghed.core.instruments import Instrument, Item, load_builtin

FACTORS = ("climate", "leadership", "strain", "meaning")
# Person-level correlations between the factors (strain counts the other way).
FACTOR_CORRELATION = (
    (1.00, 0.55, -0.35, 0.35),
    (0.55, 1.00, -0.35, 0.35),
    (-0.35, -0.35, 1.00, -0.15),
    (0.35, 0.35, -0.15, 1.00),
)
# Share of each factor's variance that the unit holds (ICC of the factor itself).
FACTOR_UNIT_SHARE = {"climate": 0.07, "leadership": 0.08, "strain": 0.08, "meaning": 0.04}
UNIQUE_UNIT_SHARE = 0.08  # the unit's share of a construct's own part
STABLE_SHARE = 0.65  # of a person's own part, what stays the same between waves
WAVE_DRIFT_SD = 0.15  # how much a unit's factors move between waves by themselves

# Scale constructs in the direction "higher is better" (for a silence, stress or exposure
# scale: less of it). Loadings on FACTORS; the rest of the variance is the scale's own.
CONSTRUCTS: dict[str, dict[str, float]] = {
    "ps7/total": {"climate": 0.85, "leadership": 0.10},
    "ps7-hem/total": {"climate": 0.85, "leadership": 0.10},
    "tavshed/total": {"climate": 0.60},
    "opgavefokus/total": {"leadership": 0.50, "climate": 0.30},
    "hesteskoen/total": {"climate": 0.45, "leadership": 0.25, "strain": -0.30},
    "stress/total": {"strain": -0.75, "climate": 0.10},
    "guldkorn/influence": {"leadership": 0.45, "strain": -0.30},
    "guldkorn/meaning": {"meaning": 0.85},
    "guldkorn/predictability": {"leadership": 0.75},
    "guldkorn/support": {"climate": 0.55, "leadership": 0.30},
    "guldkorn/reward": {"leadership": 0.60, "climate": 0.20},
    "guldkorn/demands": {"strain": -0.80},
    "support4/practical": {"strain": -0.35, "leadership": 0.25},
    "support4/emotional": {"climate": 0.45, "strain": -0.20},
    "support4/appraisal": {"leadership": 0.40, "climate": 0.20},
    "support4/information": {"leadership": 0.50},
    "risk5/workload": {"strain": -0.85},
    "risk5/demands": {"leadership": 0.55, "strain": -0.25},
    "risk5/emotional": {"strain": -0.35},
    "risk5/offensive": {"climate": 0.40},
    "risk5/violence": {},
    "amk/total": {"leadership": 0.55, "climate": 0.35},
}
DEFAULT_CONSTRUCT = {"climate": 0.45, "leadership": 0.35}

# Answer distributions at the population centre, worst answer first: an item's scored
# options are ordered from worst to best by its scale's direction, and these shares are
# cut from the standard normal. Exposure to offensive behaviour and violence is for six
# months (NFA's national figures are for twelve), and rare outside care and schools.
PROFILES: dict[str, tuple[float, ...]] = {
    "agree": (0.04, 0.10, 0.22, 0.40, 0.24),
    "agree-reversed": (0.05, 0.15, 0.28, 0.35, 0.17),  # negatively worded statements
    "silence": (0.04, 0.08, 0.25, 0.63),  # Oftere, 3-5 gange, 1-2 gange, Aldrig
    "workload": (0.03, 0.15, 0.35, 0.33, 0.14),
    "unclear": (0.03, 0.11, 0.28, 0.38, 0.20),
    "emotional": (0.05, 0.17, 0.32, 0.30, 0.16),
    "bullying": (0.003, 0.006, 0.02, 0.04, 0.931),
    "sexual": (0.001, 0.002, 0.006, 0.013, 0.978),
    "degrading": (0.002, 0.005, 0.015, 0.035, 0.943),
    "physical": (0.003, 0.005, 0.02, 0.04, 0.932),
    "threats": (0.005, 0.012, 0.04, 0.07, 0.873),
    "stress": (0.04, 0.14, 0.35, 0.32, 0.15),  # 18 % "often" or "all the time" (NFA 17.7 %)
    "pulse": (0.015, 0.025, 0.05, 0.07, 0.10, 0.13, 0.21, 0.22, 0.12, 0.06),
    "too-high": (0.10, 0.32, 0.50, 0.06, 0.02),  # Krav: far too high .. far too low
    "need": (0.06, 0.09, 0.15, 0.15, 0.15, 0.25, 0.08, 0.04, 0.02, 0.01),  # 10 .. 1
}
ITEM_PROFILES: dict[str, str] = {
    "tavshed": "silence",
    "stress.1": "stress",
    "hesteskoen.1": "pulse",
    "guldkorn.11": "too-high",
    "support4": "need",
    "risk5.1": "workload",
    "risk5.2": "workload",
    "risk5.3": "workload",
    "risk5.4": "unclear",
    "risk5.5": "unclear",
    "risk5.6": "emotional",
    "risk5.7": "emotional",
    "risk5.8": "bullying",
    "risk5.10": "sexual",
    "risk5.12": "degrading",
    "risk5.14": "physical",
    "risk5.16": "threats",
}
# How strongly an item follows its construct (the rest is noise): sets alpha and rwg.
LOADINGS: dict[str, float] = {
    "tavshed": 0.75,
    "opgavefokus": 0.78,
    "guldkorn": 0.82,
    "risk5": 0.75,
    "risk5.8": 0.65,
    "risk5.10": 0.55,
    "risk5.12": 0.65,
    "risk5.14": 0.70,
    "risk5.16": 0.70,
}
DEFAULT_LOADING = 0.72
REVERSED_LOADING = 0.55  # negatively worded statements are answered less consistently
SINGLE_ITEM_LOADING = 0.90
SKIP_RATE = 0.015
SENSITIVE_SKIP_RATE = 0.04
BREAKOFF_RATE = 0.02  # stop after some instrument and send what was answered


@dataclass(frozen=True)
class UnitProfile:
    """What a sector or a team adds to its unit part: factor shifts (in SD), construct
    shifts (goodness, in SD) and who the offensive behaviour comes from (colleagues,
    manager, citizens), as chances per exposed person."""

    factors: Mapping[str, float] = field(default_factory=dict)
    constructs: Mapping[str, float] = field(default_factory=dict)
    offended_by: tuple[float, float, float] | None = None


# By external id; a unit takes the profiles of every prefix of its id (SUND, SUND-HJN, ...).
UNIT_PROFILES: dict[str, UnitProfile] = {
    # Sectors: care and schools meet people in crisis and pupils; the offices do not.
    "SUND": UnitProfile(
        constructs={
            "risk5/workload": -0.45,
            "risk5/emotional": -0.50,
            "risk5/violence": -0.40,
            "stress/total": -0.20,
            "guldkorn/demands": -0.30,
            "guldkorn/meaning": 0.40,
            "guldkorn/influence": -0.25,
        },
        offended_by=(0.45, 0.15, 0.50),
    ),
    "SUND-SOL": UnitProfile(constructs={"risk5/violence": -0.25}),  # dementia wards
    "SUND-SOL-K": UnitProfile(constructs={"risk5/violence": 1.0, "risk5/emotional": 0.9}),
    "BU": UnitProfile(
        constructs={
            "risk5/workload": -0.35,
            "risk5/emotional": -0.40,
            "risk5/violence": -0.20,
            "guldkorn/meaning": 0.45,
        },
        offended_by=(0.50, 0.20, 0.40),
    ),
    "BU-DAG": UnitProfile(constructs={"risk5/violence": 0.35}),
    "TM": UnitProfile(
        constructs={"risk5/emotional": 0.50, "risk5/violence": 0.45, "guldkorn/meaning": -0.15},
        offended_by=(0.65, 0.25, 0.20),
    ),
    "ADM": UnitProfile(
        constructs={"risk5/emotional": 0.50, "risk5/violence": 0.65, "guldkorn/meaning": -0.20},
        offended_by=(0.65, 0.30, 0.15),
    ),
    "ADM-BS": UnitProfile(constructs={"risk5/violence": -0.75, "risk5/emotional": -0.45}),
    "BES": UnitProfile(
        constructs={"risk5/emotional": -0.35, "risk5/violence": -0.35, "risk5/demands": -0.20},
        offended_by=(0.45, 0.20, 0.45),
    ),
    # Teams that struggle: the night team is worn out, the upper school has a silent
    # staff room, and the evening team in Hjemmeplejen Nord has a harassment problem
    # (mostly from colleagues): the report should say to deal with that first.
    "SUND-HJS-NA": UnitProfile(
        factors={"strain": 1.1, "leadership": -0.5, "climate": -0.2},
        constructs={"guldkorn/predictability": -0.4},
    ),
    "BU-SKO-US": UnitProfile(
        factors={"climate": -1.0, "leadership": -0.3, "strain": 0.3},
        constructs={"tavshed/total": -0.4, "risk5/violence": -0.4},
    ),
    "SUND-HJN-AF": UnitProfile(
        factors={"climate": -1.0, "leadership": -0.4},
        constructs={"risk5/offensive": -1.7, "tavshed/total": -0.3},
        offended_by=(0.75, 0.30, 0.15),
    ),
    # Teams that thrive.
    "BU-DAG-MT": UnitProfile(factors={"climate": 0.9, "leadership": 0.5, "strain": -0.3}),
    "SUND-HJN-D2": UnitProfile(factors={"climate": 0.7, "leadership": 0.5, "strain": -0.2}),
}
DESIGNED_TEAMS = frozenset({"SUND-HJS-NA", "BU-SKO-US", "SUND-HJN-AF", "BU-DAG-MT", "SUND-HJN-D2"})
DESIGNED_RANDOM_SHARE = 0.3
# Sundhed og Omsorg made action plans after the autumn wave: a little better in spring,
# except the evening team, whose harassment problem no plan touched.
IMPROVEMENT = UnitProfile(factors={"climate": 0.30, "leadership": 0.30, "strain": -0.15})
NOT_IMPROVED = frozenset({"SUND-HJN-AF"})

# Free text for the pulse's two open questions, by how the person placed themselves.
WHY_HERE = {
    "low": (
        "Vi har gode kolleger, det er det eneste, der holder.",
        "Jeg kan godt lide borgerne, men vi løber for stærkt.",
        "Der er ikke noget, der bliver fulgt op på, så man giver op at sige noget.",
        "Tonen er hård, og man ved ikke, hvem man kan stole på.",
        "Jeg er her for eleverne, ikke for ledelsen.",
    ),
    "mid": (
        "Det faglige er godt, men planlægningen skifter hele tiden.",
        "God stemning i teamet, men travlt.",
        "Lederen lytter, men der sker ikke så meget bagefter.",
        "Vi hjælper hinanden, når det brænder på.",
        "Jeg ved, hvad jeg skal, men vi får for sent besked om ændringer.",
    ),
    "high": (
        "Vi taler åbent om fejl og lærer af dem.",
        "Jeg kan altid spørge om hjælp, også når det er travlt.",
        "Vi har en leder, der er til stede og tager de svære samtaler.",
        "Meningsfuldt arbejde og kolleger, der bakker op.",
    ),
}
WHAT_WOULD_HELP = {
    "low": (
        "At der bliver grebet ind over for den måde, nogle taler til andre på.",
        "Flere hænder, eller færre besøg på ruten.",
        "At ledelsen siger tydeligt, hvad vi skal vælge fra.",
        "Et sted at sige fra uden at det får konsekvenser.",
    ),
    "mid": (
        "Faste møder om, hvordan det går, ikke kun om driften.",
        "Bedre introduktion af nye kolleger.",
        "Mere information om ændringerne i planlægningen.",
        "Tid til at tale om de svære borgerforløb.",
        "Vi skal blive bedre til at sige fra over for hinanden på en ordentlig måde.",
    ),
    "high": (
        "At vi holder fast i det, vi gør nu.",
        "Lidt mere tid til faglig sparring.",
        "Mere anerkendelse fra resten af organisationen.",
    ),
}


# --------------------------------------------------------------------------- latent model


def _cholesky(matrix: Sequence[Sequence[float]]) -> tuple[tuple[float, ...], ...]:
    n = len(matrix)
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            total = sum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                low[i][j] = math.sqrt(matrix[i][i] - total)
            else:
                low[i][j] = (matrix[i][j] - total) / low[j][j]
    return tuple(tuple(row) for row in low)


_CHOLESKY = _cholesky(FACTOR_CORRELATION)


def _correlated(rng: random.Random) -> dict[str, float]:
    """One draw of the four factors with FACTOR_CORRELATION (unit variance each)."""
    z = [rng.gauss(0, 1) for _ in FACTORS]
    return {
        name: sum(_CHOLESKY[i][k] * z[k] for k in range(i + 1)) for i, name in enumerate(FACTORS)
    }


@cache
def _construct_loadings(key: str) -> tuple[tuple[tuple[str, float], ...], float]:
    """A construct's loadings and the weight of its own part (so its variance is 1)."""
    loadings = CONSTRUCTS.get(key, DEFAULT_CONSTRUCT)
    index = {name: i for i, name in enumerate(FACTORS)}
    shared = sum(
        a * b * FACTOR_CORRELATION[index[f]][index[g]]
        for f, a in loadings.items()
        for g, b in loadings.items()
    )
    return tuple(loadings.items()), math.sqrt(max(0.0, 1.0 - shared))


@cache
def construct_keys() -> tuple[str, ...]:
    """Every scale of every built-in instrument, in a fixed order (draws follow it)."""
    return tuple(
        [*sorted(f"{i.id}/{s.id}" for i in load_builtin().values() for s in i.scales), "default"]
    )


@dataclass(frozen=True)
class UnitEffects:
    """A unit's shared part for one wave: factors and construct parts (goodness, SD)."""

    factors: Mapping[str, float]
    uniques: Mapping[str, float]
    shifts: Mapping[str, float]
    offended_by: tuple[float, float, float]


def unit_profile(external_id: str) -> tuple[UnitProfile, ...]:
    parts = external_id.split("-")
    prefixes = ["-".join(parts[: i + 1]) for i in range(len(parts))]
    return tuple(UNIT_PROFILES[p] for p in prefixes if p in UNIT_PROFILES)


def unit_effects(
    seed: int, external_id: str, wave: int, extra: Sequence[UnitProfile] = ()
) -> UnitEffects:
    """The unit's shared part in wave ``wave`` (0, 1, ...): a draw that stays, a small
    drift per wave, and the sector's and team's profiles."""
    rng = random.Random(f"{seed}:unit:{external_id}")  # noqa: S311 - demo data
    base = _correlated(rng)
    profiles = (*unit_profile(external_id), *extra)
    # A team drawn to struggle or thrive keeps a little of its own draw, not all of it:
    # otherwise a chance draw could undo what the demo shows.
    designed = DESIGNED_RANDOM_SHARE if external_id in DESIGNED_TEAMS else 1.0
    factors = {f: designed * base[f] * math.sqrt(FACTOR_UNIT_SHARE[f]) for f in FACTORS}
    uniques = {k: designed * rng.gauss(0, math.sqrt(UNIQUE_UNIT_SHARE)) for k in construct_keys()}
    drift = random.Random(f"{seed}:unit:{external_id}:wave:{wave}")  # noqa: S311 - demo data
    for f in FACTORS:
        factors[f] += drift.gauss(0, WAVE_DRIFT_SD) if wave else 0.0
    shifts: dict[str, float] = {}
    offended_by = (0.55, 0.20, 0.35)
    for profile in profiles:
        for f, shift in profile.factors.items():
            factors[f] += shift
        for key, shift in profile.constructs.items():
            shifts[key] = shifts.get(key, 0.0) + shift
        if profile.offended_by is not None:
            offended_by = profile.offended_by
    return UnitEffects(factors, uniques, shifts, offended_by)


@dataclass(frozen=True)
class Respondent:
    """One person's latent state in one wave: the factors and each construct's own part,
    unit parts included (goodness: higher is better)."""

    factors: Mapping[str, float]
    uniques: Mapping[str, float]
    shifts: Mapping[str, float] = field(default_factory=dict)
    offended_by: tuple[float, float, float] = (0.55, 0.20, 0.35)

    def construct(self, key: str) -> float:
        loadings, own = _construct_loadings(key)
        unique = self.uniques.get(key, self.uniques.get("default", 0.0))
        shared = sum(a * self.factors[f] for f, a in loadings)
        return shared + own * unique + self.shifts.get(key, 0.0)


def respondent(seed: int, person_key: str, wave: int, unit: UnitEffects) -> Respondent:
    """A person's state in a wave: the unit's part plus their own, of which STABLE_SHARE
    is the same in every wave (people carry their view from one measurement to the next)."""
    stable_rng = random.Random(f"{seed}:person:{person_key}")  # noqa: S311 - demo data
    wave_rng = random.Random(f"{seed}:person:{person_key}:wave:{wave}")  # noqa: S311 - demo data
    stable, occasion = _correlated(stable_rng), _correlated(wave_rng)
    keep, change = math.sqrt(STABLE_SHARE), math.sqrt(1 - STABLE_SHARE)
    factors = {
        f: unit.factors[f]
        + math.sqrt(1 - FACTOR_UNIT_SHARE[f]) * (keep * stable[f] + change * occasion[f])
        for f in FACTORS
    }
    own = math.sqrt(1 - UNIQUE_UNIT_SHARE)
    uniques = {
        k: unit.uniques[k] + own * (keep * stable_rng.gauss(0, 1) + change * wave_rng.gauss(0, 1))
        for k in construct_keys()
    }
    return Respondent(factors, uniques, unit.shifts, unit.offended_by)


def respondent_from_theta(rng: random.Random, theta: float) -> Respondent:
    """A respondent around one overall level ``theta`` (for benchmarks and tests that
    want answers without an organisation)."""
    person = _correlated(rng)
    factors = {f: (theta if f != "strain" else -theta) * 0.6 + 0.8 * person[f] for f in FACTORS}
    uniques = {k: rng.gauss(0, 1) for k in construct_keys()}
    return Respondent(factors, uniques)


# --------------------------------------------------------------------------- answers


def _scale_of(instrument: Instrument, item: Item) -> tuple[str, str, int] | None:
    """The (key, polarity, number of items) of the smallest scale holding the item."""
    holding = [s for s in instrument.scales if item.number in s.items]
    if not holding:
        return None
    scale = min(holding, key=lambda s: len(s.items))
    return f"{instrument.id}/{scale.id}", str(scale.polarity), len(scale.items)


def _worst_to_best(item: Item, polarity: str) -> list[int]:
    scored = sorted(item.scored_options, key=lambda o: item.points(o.code) or 0.0)
    if polarity in ("lower_better", "need", "bipolar"):
        scored.reverse()  # more points = more strain, more need, demands too high
    return [o.code for o in scored]


@cache
def _thresholds(shares: tuple[float, ...]) -> tuple[float, ...]:
    normal, cumulative, out = NormalDist(), 0.0, []
    for share in shares[:-1]:
        cumulative += share
        out.append(normal.inv_cdf(min(max(cumulative, 1e-6), 1 - 1e-6)))
    return tuple(out)


def _generic_profile(n: int) -> tuple[float, ...]:
    """A skewed-to-good distribution for an item with no profile of its own."""
    normal = NormalDist(mu=0.35 * n, sigma=0.28 * n)
    cuts = [normal.cdf(k + 0.5) - normal.cdf(k - 0.5) for k in range(n)]
    total = sum(cuts)
    return tuple(c / total for c in cuts)


def _profile(instrument: Instrument, item: Item, n: int) -> tuple[float, ...]:
    name = ITEM_PROFILES.get(item.id) or ITEM_PROFILES.get(instrument.id)
    if name is None:
        name = "agree-reversed" if item.reverse else "agree"
    shares = PROFILES[name]
    return shares if len(shares) == n else _generic_profile(n)


def _loading(instrument: Instrument, item: Item, n_items: int) -> float:
    if n_items == 1:
        return SINGLE_ITEM_LOADING
    if item.reverse:
        return REVERSED_LOADING
    return LOADINGS.get(item.id, LOADINGS.get(instrument.id, DEFAULT_LOADING))


def _choice(
    rng: random.Random, instrument: Instrument, item: Item, person: Respondent
) -> int | None:
    skip = SENSITIVE_SKIP_RATE if item.sensitive else SKIP_RATE
    if rng.random() < skip:
        return None
    dont_know = item.dont_know
    if dont_know is not None and rng.random() < 0.04:
        return dont_know.code
    scale = _scale_of(instrument, item)
    if not item.scored or not item.scored_options or scale is None:
        return rng.choice(item.options).code
    key, polarity, n_items = scale
    order = _worst_to_best(item, polarity)
    loading = _loading(instrument, item, n_items)
    goodness = loading * person.construct(key) + math.sqrt(1 - loading**2) * rng.gauss(0, 1)
    position = sum(1 for t in _thresholds(_profile(instrument, item, len(order))) if goodness > t)
    return order[position]


def _multi(
    rng: random.Random, item: Item, person: Respondent, answers: Mapping[str, object]
) -> list[int]:
    """Who it came from: colleagues, a manager, citizens (risk5's "from whom" items)."""
    codes = [o.code for o in item.options]
    if len(codes) != 3:
        return [rng.choice(codes)]
    violence = item.number >= 14  # physical or psychological violence: from citizens
    chances = (0.06, 0.02, 0.96) if violence else person.offended_by
    chosen = [code for code, chance in zip(codes, chances, strict=True) if rng.random() < chance]
    if not chosen:
        chosen = [rng.choices(codes, weights=chances)[0]]
    return chosen


def _text(rng: random.Random, instrument: Instrument, item: Item, pulse: int | None) -> str | None:
    """An answer to the pulse's open questions; other free-text questions stay empty."""
    if instrument.id != "hesteskoen" or item.number not in (2, 3):
        return None
    pools = WHY_HERE if item.number == 2 else WHAT_WOULD_HELP
    if rng.random() >= (0.25 if item.number == 2 else 0.2):
        return None
    level = "mid" if pulse is None else "low" if pulse <= 4 else "high" if pulse >= 8 else "mid"
    return rng.choice(pools[level])


def answers_for(
    rng: random.Random, instruments: Sequence[Instrument], person: Respondent
) -> tuple[dict[str, int | list[int]], dict[str, str]]:
    """One respondent's answers and free texts to the instruments, in their order."""
    answers: dict[str, int | list[int]] = {}
    texts: dict[str, str] = {}
    stop_after = rng.randrange(len(instruments)) if rng.random() < BREAKOFF_RATE else None
    for index, instrument in enumerate(instruments):
        if stop_after is not None and index > stop_after:
            break
        for item in instrument.items:
            condition = item.show_if
            if condition is not None and (
                answers.get(f"{instrument.id}.{condition.item}") not in condition.codes
            ):
                continue
            if item.type == "text":
                pulse = answers.get(f"{instrument.id}.1")
                text = _text(rng, instrument, item, pulse if isinstance(pulse, int) else None)
                if text is not None:
                    texts[item.id] = text
                continue
            if item.type == "multi":
                answers[item.id] = _multi(rng, item, person, answers)
                continue
            if instrument.id == "stress" and item.number == 2:
                answers[item.id] = _stress_source(rng, person)
                continue
            code = _choice(rng, instrument, item, person)
            if code is not None:
                answers[item.id] = code
    return answers, texts


def _stress_source(rng: random.Random, person: Respondent) -> int:
    """Work (1), work and private life (2) or private life (3): strain points to work."""
    work = 1 / (1 + math.exp(-1.2 * person.factors["strain"]))
    roll = rng.random()
    return 1 if roll < 0.25 + 0.4 * work else 2 if roll < 0.75 + 0.15 * work else 3


# --------------------------------------------------------------------------- maturity

# Vision Zero maturity (1 Passivt .. 5 Skabende) by topic, for a Danish municipality that
# has worked with the APV for years: "Aktivt", weakest on systems, goals and strategy.
MATURITY_TOPICS = {1: 3.3, 2: 2.7, 3: 3.1, 4: 3.4, 5: 2.9, 6: 2.6, 7: 2.4, 8: 2.8, 9: 2.9, 10: 3.3}
MATURITY_AREAS = {"SUND": 0.25, "BU": -0.1, "TM": -0.45, "ADM": 0.1, "BES": 0.0}
# Topics an employee representative often cannot judge ("Ved ikke").
MATURITY_DONT_KNOW = {2: 0.10, 3: 0.18, 6: 0.12, 7: 0.15}


def maturity_answers(
    rng: random.Random, instrument: Instrument, *, area: str, leader: bool
) -> dict[str, int | list[int]]:
    """One leader's or employee representative's answers to the ten maturity topics."""
    level = rng.gauss(0, 0.45) + MATURITY_AREAS.get(area, 0.0) + (0.25 if leader else -0.1)
    answers: dict[str, int | list[int]] = {}
    for item in instrument.items:  # "Ved ikke" rather than a skip: every topic is answered
        dont_know = item.dont_know
        chance = MATURITY_DONT_KNOW.get(item.number, 0.03) * (0.3 if leader else 1.0)
        if dont_know is not None and rng.random() < chance:
            answers[item.id] = dont_know.code
            continue
        value = MATURITY_TOPICS.get(item.number, 3.0) + level + rng.gauss(0, 0.6)
        codes = [o.code for o in item.scored_options]
        points = [item.points(c) or 0.0 for c in codes]
        nearest = min(range(len(codes)), key=lambda i: abs(points[i] - value))
        answers[item.id] = codes[nearest]
    return answers
