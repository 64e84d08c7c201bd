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


def test_the_hidden_units_n_does_not_follow_from_the_total_the_output_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was a leak: n_complete counted every response, hidden units included (12 - 10 = 2),
    and alpha rested on the hidden unit's answers. Alpha is now the publication's, over the
    respondents of the units that show the scale (privacy.md section 3)."""
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
    derived = {total - shown for total in totals if total is not None}
    assert not any(0 < n < MINIMUM for n in derived), f"a hidden group of {derived} answers"
    # For the right reason: alpha over the shown unit's answers alone, as the same command
    # gives it for a file of that unit only (where the whole file is a shown group).
    alone = tmp_path / "stor.csv"
    alone.write_text("\n".join(r for r in rows if not r.startswith("Lille")) + "\n", "utf-8")
    assert main(["score", str(alone), "--instrument", "ps7", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert expected["reliability"]["n_complete"] == 10
    assert expected["reliability"]["alpha"] is not None
    assert result["reliability"] == expected["reliability"]
    assert result["reliability_by_scale"] == expected["reliability_by_scale"]


def test_alpha_is_withheld_where_its_complete_answers_would_tell_a_hidden_item_n(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One set of people per scale (privacy.md section 3): two of the shown unit's ten
    leave ps7.1 out, so its item n (8) is hidden beside the scale's 10; an n_complete of 8
    over those ten would say it, and alpha would rest on a set 2 smaller than the scale's.
    Both are null, and the table says why."""
    rng = random.Random(11)
    rows = [HEADER]
    for unit, people in (("Stor", 10), ("Lille", 2)):
        for person in range(people):
            answers = [str(rng.randint(1, 5)) for _ in range(7)]
            if unit == "Stor" and person < 2:
                answers[0] = ""
            rows.append(unit + "," + ",".join(answers))
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", "ps7", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    stor = next(g for g in result["groups"] if g["unit"] == "Stor")
    assert stor["n"] == 10 and stor["items"]["ps7.1"]["suppressed"] is True
    assert result["reliability"] == {"alpha": None, "alpha_ci95": None, "n_complete": None}
    assert main(["score", str(path), "--instrument", "ps7", "--lang", "da"]) == 0
    table = capsys.readouterr().out
    line = next(x for x in table.splitlines() if x.startswith("Cronbach's alpha (total)"))
    assert "skjult for at beskytte en mindre gruppe" in line and "complete" not in line
