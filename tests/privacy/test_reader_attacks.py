"""Findings 3-9 of issue 15: readers of results and insiders who can answer (privacy.md
section 0, adversaries 1 and 3) read every page their role opens, at every moment,
remember it and subtract.

The attacks read the HTML pages through ``django.test.Client`` logged in as each role and
take the numbers off them (text and chart geometry, tests/privacy/attack.py); they drive
the product only through its services (submit, close, move a unit).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Person
from tryghed.surveys import services
from tryghed.surveys.services import SubmissionRefused

pytestmark = pytest.mark.django_db

MINIMUM = 5


def _answer_all(
    launched: attack.Launched, people: list[Person], codes: list[int], with_comment: bool = True
) -> list[str]:
    secrets = []
    for person, code in zip(people, codes, strict=True):
        secret = attack.secret_comment()
        secrets.append(secret)
        attack.submit(
            launched.tokens[person.pk],
            {**ps7([code]), "hesteskoen.1": code + 3},
            {"hesteskoen.2": secret} if with_comment else {},
        )
    return secrets


def _changes(
    before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]
) -> dict[str, object]:
    found: dict[str, object] = {}
    for key in sorted(set(before) | set(after)):
        change = attack.diff(
            attack.figures(before.get(key, "")), attack.figures(after.get(key, ""))
        )
        if change["appeared"] or change["gone"] or (key in before) != (key in after):
            found[" ".join(key)] = change
    return found


# --------------------------------------------------------------------------- finding 3


def test_reading_the_reports_around_one_response_shows_nothing_of_it() -> None:
    """Finding 3 (reader of results: a leader or the AMO reloading while it is open).

    Every report page of an open measurement is read by every role, one more person
    answers, and every page is read again: any figure that moved, and any comment at all,
    is that person's answer (privacy.md section 3, "no live figures").
    """
    place = attack.build_workplace(
        {"Område": (None, 0), "Team A": ("Område", 10), "Team B": ("Område", 6)},
        leaders=["Team A", "Område"],
        employees=["Team A"],
    )
    launched = attack.launch(place)
    m = launched.measurement
    _answer_all(launched, place.people["Team A"][:7], [1, 2, 3, 4, 5, 1, 2])
    _answer_all(launched, place.people["Team B"], [2, 2, 3, 3, 4, 4])
    urls = attack.report_urls(place, m)
    before = attack.read_all(place, urls)
    assert before, "no role could open any report page: the attack would prove nothing"
    sheet_before = attack.excel_figures(place.owner, place, m)
    victim = place.people["Team A"][7]
    (secret,) = _answer_all(launched, [victim], [5])
    after = attack.read_all(place, urls)
    sheet_after = attack.excel_figures(place.owner, place, m)
    if sheet_before is not None or sheet_after is not None:  # None: no export while open
        assert attack.diff(sheet_before or Counter(), sheet_after or Counter()) == {
            "appeared": [],
            "gone": [],
        }, "the spreadsheet moved with one answer"

    comments = {" ".join(k): sorted(attack.secrets_on(p)) for k, p in after.items()}
    assert {k: v for k, v in comments.items() if v} == {}, "comments shown while open"
    assert secret not in "".join(after.values())
    assert _changes(before, after) == {}


def test_the_rate_page_does_not_move_by_one_for_one_response() -> None:
    """Finding 3, rate page (reader of results: the AMO watching participation). When the
    count moves by one, the AMO knows the moment one person answered, and with the report
    read just before and after, what. Counts may move only in batches of the minimum."""
    place = attack.build_workplace({"Team A": (None, 12), "Team B": (None, 6)})
    launched = attack.launch(place)
    _answer_all(launched, place.people["Team A"][:7], [1, 2, 3, 4, 5, 1, 2])
    _answer_all(launched, place.people["Team B"], [2, 2, 3, 3, 4, 4])
    urls = attack.rate_urls(place, launched.measurement)
    before = attack.read_all(place, urls)
    assert any(k[1] == urls[0] for k in before), "the AMO must see the rate page"
    _answer_all(launched, [place.people["Team A"][7]], [5])
    after = attack.read_all(place, urls)
    moved = {}
    for key, page in after.items():
        old = [int(x) for x in re.findall(r"\b\d+\b", attack.visible_text(before[key]))]
        new = [int(x) for x in re.findall(r"\b\d+\b", attack.visible_text(page))]
        steps = sorted({abs(a - b) for a, b in zip(old, new, strict=False) if a != b})
        if len(old) != len(new) or any(0 < s < MINIMUM for s in steps):
            moved[" ".join(key)] = attack.diff(attack.figures(before[key]), attack.figures(page))
    assert moved == {}


# --------------------------------------------------------------------------- finding 4


def _shared_entries(launched: attack.Launched, unit: object, actor: object) -> list[str]:
    """Every token the product hands out for a unit rather than a person: the unit's open
    link (reusable), or paper codes if those are what the product offers. An insider who
    holds them (the link hangs on the notice board; the codes lie in the staff room)
    uses them all."""
    found: list[str] = []
    create = getattr(services, "open_link_create", None)
    if create is not None:
        link = create(measurement=launched.measurement, unit=unit, actor=actor)
        found += [link.token] * 10
    for name in dir(services):
        if "paper_codes" not in name or not callable(getattr(services, name)):
            continue
        for count in range(10, 0, -1):  # as many as the product will print
            try:
                printed = getattr(services, name)(
                    measurement=launched.measurement, unit=unit, actor=actor, count=count
                )
            except (ValidationError, TypeError):
                continue
            if isinstance(printed, list | tuple):
                found += [c for c in printed if isinstance(c, str)]
            break
    return found


def test_an_insider_cannot_pad_a_small_team_with_known_answers() -> None:
    """Finding 4 (insider who can answer). Team A has three people, two with e-mail. The
    insider answers herself and then through every shared entry the product offers, with
    answers she knows; the victim answers too. If the team reaches the minimum, its figure
    gives away the victim's score: 5 x mean - 4 x 40."""
    place = attack.build_workplace(
        {"Team A": (None, 2), "Team B": (None, 6)}, without_email={"Team A": 1}
    )
    launched = attack.launch(place, ("ps7",))
    victim, insider, _ = place.people["Team A"]
    team_a = place.units["Team A"]
    attack.submit(launched.tokens[insider.pk], ps7([1]))
    known = 1
    for token in _shared_entries(launched, team_a, place.amo):
        if known == 4:
            break
        try:
            attack.submit(token, ps7([1]))  # score 40, as the insider's own
        except SubmissionRefused:
            continue
        known += 1
    # The product lets the one colleague without e-mail answer somehow (a link or a code),
    # and the insider holds it: her own answer and that one at least got in.
    assert known >= 2, "no shared entry was usable: the attack would pass for nothing"
    attack.submit(launched.tokens[victim.pk], ps7([5]))  # score 30: the secret
    for person in place.people["Team B"]:
        attack.submit(launched.tokens[person.pk], ps7([3]))  # score 28
    attack.close(place, launched.measurement)

    assert _answers_stored_for(place.units["Team B"].pk) == 6, "the count must see answers"
    answered = _answers_stored_for(team_a.pk)
    assert answered <= 3, f"Team A has 3 invited people and {answered} stored answers"
    pages = attack.read_all(place, attack.report_urls(place, launched.measurement))
    derived = {
        " ".join(key): 5 * 38 - 4 * 40
        for key, page in pages.items()
        if f"unit_id={team_a.pk}" in key[1] or f"/enhed/{team_a.pk}/" in key[1]
        if any(_is(value, 38.0) for value in attack.figures(page))
    }
    assert derived == {}, "the victim's score (30) follows from Team A's mean 38"


def _is(text: str, number: float) -> bool:
    try:
        return abs(attack.as_number(text) - number) < 1e-9
    except ValueError:
        return False


def _answers_stored_for(unit_id: int) -> int:
    """What the operator counts: readable answer rows of a unit, in any table."""
    total = 0
    for table in attack.tables():
        cols = attack.columns(table)
        if "answers" in cols and "unit_id" in cols:
            index = cols.index("unit_id")
            total += sum(1 for row in attack.rows(table) if row[index] == unit_id)
    return total


# --------------------------------------------------------------------------- finding 5


def test_moving_a_unit_after_closing_changes_no_figure_of_the_closed_measurement() -> None:
    """Finding 5 (reader of results across a reorganisation). Område 1 holds Team A (6),
    Team B (6) and Team C (3, hidden). If the closed reports follow today's tree, moving
    Team B out recomputes Område 1, and (old Område 1 - Team A - Team B) is Team C's mean.
    Every number of every page, for every role, must stay as it was at closing."""
    place = attack.build_workplace(
        {
            "Område 1": (None, 0),
            "Team A": ("Område 1", 6),
            "Team B": ("Område 1", 6),
            "Team C": ("Område 1", 3),
            "Område 2": (None, 0),
            "Team D": ("Område 2", 6),
        },
        leaders=["Område 1", "Område 2", "Team B"],
        employees=["Team B", "Team C"],
    )
    launched = attack.launch(place)
    codes = {"Team A": [1] * 6, "Team B": [2] * 6, "Team C": [5] * 3, "Team D": [3] * 6}
    for name, unit_codes in codes.items():
        _answer_all(launched, place.people[name], unit_codes)
    attack.close(place, launched.measurement)
    urls = attack.report_urls(place, launched.measurement)
    before = attack.read_all(place, urls)
    sheet_before = attack.excel_figures(place.owner, place, launched.measurement)
    assert sheet_before, "the admin's spreadsheet must hold figures"
    org_services.unit_move(
        unit=place.units["Team B"], actor=place.owner, new_parent=place.units["Område 2"]
    )
    after = attack.read_all(place, urls)
    assert before, "no role could open any report page: the attack would prove nothing"
    changed = _changes({k: p for k, p in before.items() if k in after}, after)
    # A reader who gains a page by the move (a new leader above Team B) must read there
    # what somebody could read at that address before the move: the same publication.
    published = {url: attack.figures(page) for (_, url), page in before.items()}
    for key in set(after) - set(before):
        if attack.figures(after[key]) == published.get(key[1]):
            changed.pop(" ".join(key), None)
    assert changed == {}
    sheet_after = attack.excel_figures(place.owner, place, launched.measurement)
    assert sheet_after is not None
    assert attack.diff(sheet_before, sheet_after) == {"appeared": [], "gone": []}


# --------------------------------------------------------------------------- finding 6


def test_a_waves_before_figure_is_what_the_earlier_wave_showed() -> None:
    """Finding 6 (reader of results across waves). Wave 1 covers Team A (6, all 40),
    Team B (6, 34) and Team C (3, 29: hidden); the organisation shows 35.4 over 15.
    Wave 2 covers Team A and Team C only. If wave 2 recomputes the organisation's "before"
    over A and C (36.3 over 9), then 9 x 36.3 - 6 x 40 = 87 = 3 x 29: Team C's hidden mean.

    Every "before" (n_before, mean_before) of wave 2 must be exactly the n and mean the
    same group showed in wave 1. The pages print only the change and its interval, so the
    attack reads the report data both pages render from (results.aggregates.report_data,
    "change" blocks), as the one place where the "before" figure is exact.
    """
    from tryghed.results.aggregates import group, report_data

    place = attack.build_workplace({"Team A": (None, 6), "Team B": (None, 6), "Team C": (None, 3)})
    first = attack.launch(place, ("ps7",), name="Forår")
    for name, code in (("Team A", 1), ("Team B", 2), ("Team C", 4)):  # 40, 34, 29
        for person in place.people[name]:
            attack.submit(first.tokens[person.pk], ps7([code]))
    attack.close(place, first.measurement)
    wave2_units = [place.units["Team A"], place.units["Team C"]]
    second = attack.launch(
        place, ("ps7",), previous=first.measurement, name="Efterår", scope=wave2_units
    )
    for name, code in (("Team A", 1), ("Team C", 5)):  # 40, 30
        for person in place.people[name]:
            attack.submit(second.tokens[person.pk], ps7([code]))
    attack.close(place, second.measurement)
    data1, data2 = report_data(first.measurement), report_data(second.measurement)

    def shown(data: dict[str, Any], unit: str | None, scope: str) -> tuple[int, float] | None:
        try:
            block = group(data, unit, scope)["instruments"]["ps7"]["scales"]["total"]
        except (KeyError, TypeError):
            return None
        if block.get("suppressed", True):
            return None
        return int(block["n"]), round(float(block["mean"]), 6)

    befores = 0
    wrong = []
    for unit in [None, *data2["units"]]:
        for scope in ("unit", "subtree"):
            now = shown(data2, unit, scope)
            if now is None:
                continue
            block = group(data2, unit, scope)["instruments"]["ps7"]["scales"]["total"]
            change = block.get("change")
            if not change:
                continue
            befores += 1
            claimed = (int(change["n_before"]), round(float(change["mean_before"]), 6))
            if claimed != shown(data1, unit, scope):
                wrong.append((unit, scope, claimed, shown(data1, unit, scope)))
    assert befores, "wave 2 shows no change at all: the attack would pass for nothing"
    assert wrong == [], "before figures that wave 1 never showed"


# --------------------------------------------------------------------------- finding 7


def _icc_cells(page: str) -> list[str]:
    """The ICC(1) and ICC(2) cells of the organisation report's reliability table."""
    for table in re.findall(r"<table\b.*?</table>", page, re.S):
        if "ICC(1)" not in table:
            continue
        header = [attack.visible_text(c).strip() for c in re.findall(r"<th\b.*?</th>", table, re.S)]
        wanted = [i for i, h in enumerate(header) if h.startswith("ICC")]
        cells = []
        for row in re.findall(r"<tbody>.*?</tbody>", table, re.S):
            for tr in re.findall(r"<tr\b.*?</tr>", row, re.S):
                tds = [
                    attack.visible_text(c).strip()
                    for c in re.findall(r"<t[hd]\b.*?</t[hd]>", tr, re.S)
                ]
                cells += [tds[i] for i in wanted if i < len(tds)]
        return cells
    return []


def test_changing_only_a_hidden_teams_answers_changes_no_shown_icc() -> None:
    """Finding 7 (reader of results: HR reading the organisation report). ICC(1)/ICC(2)
    over every team, hidden ones included, with the shown team means and n's, leaves a
    quadratic in the hidden team's mean. Two organisations alike except for the answers of
    a hidden team of 3 must show the same ICC figures."""
    shown = {
        "Team 1": [1, 1, 2, 2, 3, 3],
        "Team 2": [2, 2, 3, 3, 4, 4],
        "Team 3": [1, 2, 3, 4, 5, 1],
    }
    icc = []
    for hidden_codes in ([1, 1, 1], [5, 5, 5]):
        plan = {**shown, "Team 4": hidden_codes, "Team 5": [3, 3, 4]}
        place = attack.build_workplace({name: (None, len(c)) for name, c in plan.items()})
        launched = attack.launch(place, ("ps7",))
        for name, codes in plan.items():
            for person, code in zip(place.people[name], codes, strict=True):
                attack.submit(launched.tokens[person.pk], ps7([code]))
        attack.close(place, launched.measurement)
        page = attack.read(
            attack.client_for(place.owner),
            attack.report_urls(place, launched.measurement)[1],
        )
        assert page is not None
        icc.append(_icc_cells(page))
    assert icc[0] == icc[1], "the ICC moved with a hidden team's answers"


# --------------------------------------------------------------------------- finding 8


def test_a_key_figure_and_its_scale_rest_on_the_same_people() -> None:
    """Finding 8 (reader of results). Eight people answer all four tavshed items; a ninth
    answers only the first (held back 1-2 times): the key figure counts 9, the scale 8, and
    the difference is one person whose answer the key figure gives away. Every n and every
    share the page shows for the instrument must rest on one set of people."""
    place = attack.build_workplace({"Team A": (None, 9), "Team B": (None, 6)}, leaders=["Team A"])
    launched = attack.launch(place, ("tavshed",))
    full = place.people["Team A"][:8]
    for person, code in zip(full, [1, 1, 1, 1, 2, 2, 2, 2], strict=True):
        attack.submit(launched.tokens[person.pk], {f"tavshed.{i}": code for i in range(1, 5)})
    attack.submit(launched.tokens[place.people["Team A"][8].pk], {"tavshed.1": 2})
    for person in place.people["Team B"]:
        attack.submit(launched.tokens[person.pk], {f"tavshed.{i}": 1 for i in range(1, 5)})
    attack.close(place, launched.measurement)
    url = next(
        u
        for u in attack.report_urls(place, launched.measurement)
        if f"/enhed/{place.units['Team A'].pk}/" in u and u.endswith("omfang=enhed")
    )
    page = attack.read(attack.client_for(place.leaders["Team A"]), url)
    assert page is not None
    ns = sorted(set(attack.n_values(page)) | set(_n_cells(page)))
    assert ns, "the page shows no n at all: the attack would pass for the wrong reason"
    gaps = [(a, b) for a in ns for b in ns if 0 < b - a < MINIMUM]
    assert gaps == [], f"n's {ns} on one group's page: a derived group of {gaps}"
    # A share that no k/n of the scale's n can give betrays a different n (5/9 = 56 %).
    # Percentages in the page's wording ("95 % sikkerhedsinterval", the research range
    # 50-70 %) also print on Team B's page, so the attacker discards those.
    scale_n = max(ns)
    url_b = url.replace(
        f"/enhed/{place.units['Team A'].pk}/", f"/enhed/{place.units['Team B'].pk}/"
    )
    page_b = attack.read(attack.client_for(place.owner), url_b) or ""
    wording = {v for v in attack.figures(page_b) if v.endswith("%")}
    shares = [
        attack.as_number(v)
        for v in attack.figures(page)
        if v.endswith("%") and not v.startswith("svg:") and v not in wording
    ]
    odd = [s for s in shares if all(abs(s - 100 * k / scale_n) > 0.51 for k in range(scale_n + 1))]
    assert odd == [], f"shares {odd} % cannot come from {scale_n} people"


def _n_cells(page: str) -> list[int]:
    """Numbers in table cells labelled n (the scales table)."""
    return [int(x) for x in re.findall(r'data-label="n"[^>]*>\s*(\d+)\s*<', page)]


# --------------------------------------------------------------------------- finding 9


def test_participation_is_not_shown_for_groups_below_the_minimum() -> None:
    """Finding 9 (reader of results: every role reading participation). "Hjemmeplejen
    Nord 3 invited, 3 answered, 100 %" says that each of its three named members answered.
    No row may show counts for a group of fewer than 5 invited, and two shown groups where
    one contains the other may not differ by 1-4 invited or answered."""
    place = attack.build_workplace(
        {
            "Hjemmeplejen": (None, 0),
            "Hjemmeplejen Nord": ("Hjemmeplejen", 3),
            "Hjemmeplejen Syd": ("Hjemmeplejen", 6),
            "Køkkenet": (None, 8),
        },
        leaders=["Hjemmeplejen", "Hjemmeplejen Nord"],
        employees=["Hjemmeplejen Nord"],
    )
    launched = attack.launch(place)
    _answer_all(launched, place.people["Hjemmeplejen Nord"], [1, 2, 3])
    _answer_all(launched, place.people["Hjemmeplejen Syd"][:4], [1, 2, 3, 4])
    _answer_all(launched, place.people["Køkkenet"][:6], [1, 2, 3, 4, 5, 1])
    m = launched.measurement
    urls = [*attack.rate_urls(place, m), *attack.report_urls(place, m)]
    small = {"Hjemmeplejen Nord"}  # 3 invited; the others have at least 5 (Hjemmeplejen 9)
    leaks = []
    for moment in ("open", "closed"):
        if moment == "closed":
            attack.close(place, m)
        pages = attack.read_all(place, urls)
        assert any(k[1] == urls[0] for k in pages), "the AMO must see the rate page"
        for key, page in pages.items():
            counts = _row_counts(page, list(place.units))
            if key == ("amo", urls[0]):
                # The attack must read the rows it judges.
                assert {"Køkkenet", "Hjemmeplejen Nord"} <= set(counts), counts
            for name in small:
                if counts.get(name):
                    leaks.append(f"{moment} {' '.join(key)}: {name} {counts[name]}")
            parent, child = counts.get("Hjemmeplejen"), counts.get("Hjemmeplejen Syd")
            if parent and child:
                gaps = [p - c for p, c in zip(parent[:2], child[:2], strict=False)]
                if any(0 < g < MINIMUM for g in gaps):
                    leaks.append(f"{moment} {' '.join(key)}: Hjemmeplejen {parent} vs {child}")
    assert leaks == []


def _row_counts(page: str, names: list[str]) -> dict[str, list[int]]:
    """Unit name -> the numbers in the cells of its table row that hold only a number
    (invited, answered, rate); a cell explaining why a figure is hidden is not one."""
    counts: dict[str, list[int]] = {}
    for tr in re.findall(r"<tr\b.*?</tr>", page, re.S):
        cells = [
            attack.visible_text(c).strip() for c in re.findall(r"<t[hd]\b.*?</t[hd]>", tr, re.S)
        ]
        if not cells:
            continue
        name = cells[0].lstrip("–- \xa0")  # indentation shows the depth
        label = next((n for n in names if name == n), None)
        if label is None:
            continue
        counts[label] = [int(c.rstrip(" %")) for c in cells[1:] if re.fullmatch(r"\d+( ?%)?", c)]
    return counts
