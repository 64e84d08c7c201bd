"""Red team, ``tryghed score`` (adversary 1 of privacy.md section 0: a reader of what the
command prints, which is made to be handed on: "a suppressed group carries no numbers at
all, not even its n", with "the no-disclosure-by-subtraction rules of privacy.md").

The reader adds up the shown groups' n and subtracts the total the output also carries.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tryghed.cli import main

MINIMUM = 5
HEADER = "unit,ps7.1,ps7.2,ps7.3,ps7.4,ps7.5,ps7.6,ps7.7"


@pytest.mark.xfail(
    strict=True,
    reason="LEAK: the JSON's reliability.n_complete (and the table's 'N complete answers') "
    "counts every response of the file, hidden units included, and the output shows no "
    "group of them all; n_complete minus the shown units' n is the hidden unit's n (2 here), "
    "and alpha rests on its answers (privacy.md section 3: organisation-wide statistics only "
    "from shown groups' data). Fix: alpha and n_complete over the respondents of shown "
    "groups only (as the ICC already is), or only when every respondent is in a shown "
    "group; statistics.md's 'always given' needs the same change.",
)
def test_the_hidden_units_n_does_not_follow_from_the_total_the_output_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(7)
    rows = [HEADER]
    for unit, people in (("Stor", 10), ("Lille", 2)):
        for _ in range(people):  # every item answered: complete cases are the respondents
            rows.append(unit + "," + ",".join(str(rng.randint(1, 5)) for _ in range(7)))
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", "ps7", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    groups = {g["unit"]: g for g in result["groups"]}
    assert groups["Lille"]["suppressed"] is True, "the small unit must be hidden"
    assert groups["Stor"]["suppressed"] is False, "the attack needs a shown unit"
    shown = sum(g["n"] for g in result["groups"] if not g["suppressed"])
    totals = [result["reliability"]["n_complete"]]
    totals += [r["n_complete"] for r in result["reliability_by_scale"].values()]
    derived = {total - shown for total in totals}
    assert not any(0 < n < MINIMUM for n in derived), f"a hidden group of {derived} answers"
