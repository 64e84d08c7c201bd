"""``participation.code_line_is_safe`` against a reader who enumerates every split of the
code answers over the regions that is consistent with what they see (each region's
invited, answered and printed codes, and the line's total). Framework-free: no database.

The oracle does not use the rule's formulas: for every region, and every union of
regions, it collects the values each count takes over all consistent splits."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tryghed.surveys.participation import CodeRegion, code_line_is_safe

M = 5


def _splits(regions: Sequence[CodeRegion], total: int) -> list[tuple[int, ...]]:
    """Every vector of code answers per region a reader cannot rule out."""
    choices = []
    for r in regions:
        with_link = r.invited - r.printed
        if r.shown:
            choices.append([c for c in range(r.printed + 1) if 0 <= r.answered - c <= with_link])
        else:
            choices.append(list(range(r.printed + 1)))
    return [v for v in itertools.product(*choices) if sum(v) == total]


def _counts(r: CodeRegion, codes: int) -> tuple[int, int, int | None, int | None]:
    """Code holders who answered and who did not; others who answered and who did not
    (None where the region's answers are not shown)."""
    if not r.shown:
        return codes, r.printed - codes, None, None
    with_link = r.invited - r.printed
    return codes, r.printed - codes, r.answered - codes, with_link - (r.answered - codes)


def _leaks(regions: Sequence[CodeRegion]) -> list[str]:
    """What the reader learns beyond each region's own row: a pin (a group of people with
    a code, or with a link, in a set of regions, all or none answered), or a count that
    every split keeps below the minimum where the row alone would allow the minimum."""
    total = sum(r.used for r in regions)
    splits = _splits(regions, total)
    assert splits, "the true split is always consistent"
    found = []
    for size in range(1, len(regions) + 1):
        for union in itertools.combinations(range(len(regions)), size):
            for k in range(4):
                values = []
                natural = []
                for split in splits:
                    parts = [_counts(regions[i], split[i])[k] for i in union]
                    if any(p is None for p in parts):
                        break
                    values.append(sum(p for p in parts if p is not None))
                if not values:
                    continue
                # The union's people in this count (code holders or link holders).
                people = sum(
                    regions[i].printed if k < 2 else regions[i].invited - regions[i].printed
                    for i in union
                )
                if people and max(values) == 0:
                    found.append(f"regions {union}: count {k} is pinned at 0 of {people}")
                if size == 1:
                    r = regions[union[0]]
                    own = [
                        _counts(r, c)[k]
                        for c in range(r.printed + 1)
                        if not r.shown or 0 <= r.answered - c <= r.invited - r.printed
                    ]
                    natural = [v for v in own if v is not None]
                    if max(values) < min(M, max(natural)):
                        found.append(f"region {union}: count {k} is at most {max(values)}")
    return found


@st.composite
def _regions(draw: st.DrawFn) -> list[CodeRegion]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        printed = draw(st.integers(0, 9))
        with_link = draw(st.integers(0, 12))
        used = draw(st.integers(0, printed))
        link_answers = draw(st.integers(0, with_link))
        invited, answered = printed + with_link, used + link_answers
        if invited == 0:
            continue
        # A shown region keeps section 4's rule: at least M who answered and M who did not.
        if answered < M or invited - answered < M:
            continue
        out.append(CodeRegion(printed, used, invited, answered))
    if draw(st.booleans()):
        printed = draw(st.integers(1, 9))
        out.append(CodeRegion(printed, draw(st.integers(0, printed)), 0, 0, shown=False))
    return out


@settings(max_examples=400, deadline=None)
@given(_regions())
def test_a_shown_code_line_gives_the_enumerating_reader_nothing(
    regions: list[CodeRegion],
) -> None:
    if not regions or not code_line_is_safe(regions, M):
        return
    assert _leaks(regions) == []


def test_the_red_teams_case_is_withheld_and_its_neighbour_shown() -> None:
    # Lageret: 12 codes, 10 with e-mail, 16 answered (6 by code); Kantinen: 5 codes, 10
    # with e-mail, 5 answered (none by code). "6 af 17" pins both units' splits.
    pinned = [CodeRegion(12, 6, 22, 16), CodeRegion(5, 0, 15, 5)]
    assert _leaks(pinned)
    assert not code_line_is_safe(pinned, M)
    # Lageret with 5 e-mail answers instead of 10: nothing narrows below five.
    loose = [CodeRegion(12, 6, 22, 11), CodeRegion(5, 0, 15, 5)]
    assert _leaks(loose) == []
    assert code_line_is_safe(loose, M)


def test_the_rule_shows_the_line_in_ordinary_cases() -> None:
    # Utility: one unit, half its codes used, half its link holders answered.
    assert code_line_is_safe([CodeRegion(10, 5, 20, 10)], M)
    # Two units with codes and room in both.
    assert code_line_is_safe([CodeRegion(10, 5, 20, 10), CodeRegion(10, 6, 20, 11)], M)
