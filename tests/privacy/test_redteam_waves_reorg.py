"""Red team (adversary 1 of privacy.md section 0) across waves and reorganisations.

A reader remembers every publication of every wave, and the unit tree changes between
them: units move, new ones appear, people change teams. The search below drives random
small organisations through the real path (invitations, answers, closing) twice, with a
reorganisation between the waves, and checks two things:

- every change ("siden sidste måling") of the later wave rests on exactly the figure its
  group shows in the earlier wave's own publication (n and mean), and only where the
  earlier wave shows that group and scale (privacy.md section 3, waves);
- the anonymity audit (``results.audit.audit_organisation``: every reader as the tree
  stands after the reorganisation, each wave alone and both together, the participation
  rows included) derives no group of 1 to minimum - 1.

It found one leak, in a single wave, before any reorganisation: a participation row of
17 answered over a subtree of 15 shown in ps7, whose own region was empty (its own group
and the team below it shown too), left the 2 own respondents of the row's unit, both of
its 2 invited people. The joint rule (``publication._Decider.joint_hides``) closes such a
region by hiding the row's group, which it cannot (the rows are decided on their own),
or a subgroup that closes it alone, which none did; so it hid nothing. It now lets the
subgroup that brings the most people join the region, round by round (schema 9).

A publication stored under schema 8 is tightened against a fresh build on its first read,
but a focus area chosen from it keeps a copy of its figure (``FocusArea.baseline``), which
the focus area's and its plans' pages showed as it was. They now read the figure from the
publication and show nothing where it is hidden (``actions.selectors.shown_baseline``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

import pytest
from django.urls import reverse

from tests.factories import make_unit
from tests.privacy.attack import (
    Launched,
    Workplace,
    build_workplace,
    client_for,
    close,
    launch,
    ps7,
    read,
    submit,
    visible_text,
)
from tests.privacy.test_redteam_participation_joint import closed, small
from tryghed.actions import services as action_services
from tryghed.actions.models import FigureKind, FocusArea, Level, Prevention
from tryghed.orgs import services as org_services
from tryghed.results.aggregates import report_data
from tryghed.results.audit import audit_organisation

GroupKey = tuple[str, ...]

# U2 (2 invited, both answer) above U3 (7, 6 answer) above U4 (12, 9 answer) above U5
# (2, none), and U0 (7, 3) above U1 (12, 5) beside them: (unit, parent, invited, answer).
ROW_OVER_EMPTY_REGION = [
    ("U0", None, 7, 3),
    ("U1", "U0", 12, 5),
    ("U2", None, 2, 2),
    ("U3", "U2", 7, 6),
    ("U4", "U3", 12, 9),
    ("U5", "U4", 2, 0),
]


@pytest.mark.django_db
def test_a_row_over_a_subtree_with_an_empty_own_region_gives_no_one_away() -> None:
    # U2 (2 invited, both answer) above U3 (7, 6 answer) above U4 (12, 9 answer) above U5
    # (2, none): U2's row reads 17 answered. ps7 showed U3's subtree (15), U3's own group
    # (6) and U4 (9), so U3's subtree had no region of its own, and 17 - 15 = 2 said that
    # both of U2's people answered. U0 and U1 beside them: 8 answered between them.
    seen = closed(ROW_OVER_EMPTY_REGION)
    row, n = seen.answered("U2"), seen.n("U3", "subtree")
    assert row == 17  # the participation row is decided on its own and stays shown
    derived = []
    if n is not None and small(row - n):
        derived.append(f"U2's row {row} - U3's subtree n {n} = U2's own {row - n}")
    own, below = seen.n("U3", "unit"), seen.n("U4", "subtree")
    if own is not None and below is not None and small(row - own - below):
        derived.append(f"U2's row {row} - U3's own {own} - U4's {below} = {row - own - below}")
    assert not derived, derived
    assert not seen.leaks()


@pytest.mark.django_db
def test_a_focus_area_chosen_before_tightening_does_not_show_the_hidden_figure() -> None:
    # A focus area copies the figure it starts from. One chosen on U3's subtree while the
    # stored publication (schema 8) showed it, n 15, would go on showing the copy after
    # the publication is tightened, and 17 - 15 = 2 again. The pages read the figure from
    # the publication now, which hides it.
    seen = closed(ROW_OVER_EMPTY_REGION)
    assert seen.n("U3", "subtree") is None  # hidden in the publication as it stands
    focus = FocusArea.objects.create(
        organisation=seen.place.org,
        unit=seen.place.units["U3"],
        measurement=seen.measurement,
        kind=FigureKind.SCALE,
        instrument_id="ps7",
        figure_id="total",
        title="Psykologisk tryghed",
        baseline={"n": 15, "mean": 61.37, "ci95": [52.25, 70.49], "score": [0, 100]},
    )
    plan = action_services.plan_create(
        focus=focus,
        actor=None,
        problem="Problemet",
        goal="Målet",
        level=Level.GROUP,
        prevention=Prevention.PRIMARY,
    )
    client = client_for(seen.place.amo)
    slug = seen.place.org.slug
    pages = {
        "focus": read(
            client, reverse("actions:focus_detail", kwargs={"org": slug, "focus_id": focus.pk})
        ),
        "plan": read(
            client, reverse("actions:plan_detail", kwargs={"org": slug, "plan_id": plan.pk})
        ),
    }
    shown = {
        name: [number for number in ("15 svar", "61,4", "52,3", "70,5") if number in text]
        for name, page in pages.items()
        if page is not None and (text := visible_text(page))
    }
    assert set(shown) == {"focus", "plan"}, "both pages open for the AMO"
    assert shown == {"focus": [], "plan": []}


# --------------------------------------------------------------------------- the search


def _random_tree(rng: random.Random) -> dict[str, tuple[str | None, int]]:
    tree: dict[str, tuple[str | None, int]] = {}
    for i in range(rng.randint(3, 8)):
        parent = rng.choice([None, None, *tree])
        tree[f"U{i}"] = (parent, rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 12]))
    return tree


def _answer(run: Launched, place: Workplace, rng: random.Random, share: float) -> None:
    for people in place.people.values():
        for person in people:
            token = run.tokens.get(person.pk)
            if token is not None and rng.random() < share:
                submit(token, ps7([rng.choice([1, 2, 3, 4, 5]) for _ in range(7)]))


def _reorganise(place: Workplace, rng: random.Random) -> list[tuple[Any, ...]]:
    """One to three of: a unit moves (with its subtree), people change unit, a new unit."""
    done: list[tuple[Any, ...]] = []
    for _ in range(rng.randint(1, 3)):
        units = list(place.units.values())
        for unit in [place.root, *units]:
            unit.refresh_from_db()
        kind = rng.choice(["move", "move", "people", "new"])
        if kind == "move":
            unit = rng.choice(units)
            targets = [u for u in [place.root, *units] if not u.path.startswith(unit.path)]
            if targets:
                target = rng.choice(targets)
                org_services.unit_move(unit=unit, actor=None, new_parent=target)
                done.append(("move", unit.name, target.name))
        elif kind == "people":
            giver, taker = rng.choice(list(place.people)), rng.choice(list(place.people))
            moving = place.people[giver][: rng.randint(0, len(place.people[giver]))]
            for person in moving:
                person.unit = place.units[taker]
                person.save(update_fields=["unit"])
            place.people[giver] = place.people[giver][len(moving) :]
            place.people[taker] = place.people[taker] + moving
            done.append(("people", giver, taker, len(moving)))
        else:
            parent = rng.choice([place.root, *units])
            new = make_unit(place.org, parent=parent, name=f"N{len(place.units)}")
            place.units[new.name], place.people[new.name] = new, []
            done.append(("new", parent.name))
    return done


def _groups(data: Mapping[str, Any]) -> dict[GroupKey, Any]:
    found: dict[GroupKey, Any] = {("organisation",): data["groups"][data["organisation"]]}
    for unit, entry in data["units"].items():
        found[("unit", unit)] = data["groups"][entry["unit"]]
        found[("subtree", unit)] = data["groups"][entry["subtree"]]
    return found


def _wrong_changes(earlier: Mapping[str, Any], later: Mapping[str, Any]) -> list[str]:
    """Changes of the later wave whose "before" is not the earlier wave's shown figure."""
    before = _groups(earlier)
    wrong: list[str] = []
    for key, group in _groups(later).items():
        if group.get("suppressed", True):
            continue
        for sid, scale in group["instruments"]["ps7"]["scales"].items():
            change = None if scale.get("suppressed", True) else scale.get("change")
            if change is None:
                continue
            old = before.get(key)
            old_scale = (
                None
                if old is None or old.get("suppressed", True)
                else old["instruments"]["ps7"]["scales"][sid]
            )
            if old_scale is None or old_scale.get("suppressed", True):
                wrong.append(f"{key} {sid}: a change where the earlier wave hides the figure")
            elif change["n_before"] != old_scale["n"] or not math.isclose(
                change["mean_before"], old_scale["mean"]
            ):
                wrong.append(f"{key} {sid}: before {change} against {old_scale}")
    return wrong


# Seed 11 is the case above, found by this search (its first wave).
@pytest.mark.django_db
@pytest.mark.parametrize("seed", [3, 5, 11, 17, 29, 42])
def test_two_waves_with_a_reorganisation_between_give_no_small_group(seed: int) -> None:
    rng = random.Random(seed)
    tree = _random_tree(rng)
    place = build_workplace(tree, leaders=list(tree)[:3], employees=list(tree)[:2])
    first = launch(place, ("ps7",), name="Bølge 1")
    _answer(first, place, rng, rng.choice([0.5, 0.8, 1.0]))
    close(place, first.measurement)
    changes = _reorganise(place, rng)
    second = launch(place, ("ps7",), name="Bølge 2", previous=first.measurement)
    _answer(second, place, rng, rng.choice([0.5, 0.8, 1.0]))
    close(place, second.measurement)
    wrong = _wrong_changes(report_data(first.measurement), report_data(second.measurement))
    assert not wrong, (changes, wrong)
    leaks = [
        (finding.reader, finding.title, leak.population, leak.n)
        for finding in audit_organisation(place.org)
        for leak in finding.result.leaks
    ]
    assert not leaks, (changes, leaks)
