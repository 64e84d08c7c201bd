"""Red team, sensitive items in an uploaded instrument file (privacy.md section 2: items on
offensive behaviour and violence are shown to no group under the sensitive minimum, 10).

The file's author marks each item; ``show_if`` asks a follow-up only of those who gave
some answers to another item. A follow-up of a sensitive item ("fra hvem?") not marked
sensitive is shown from the score minimum, 5: in a team of seven, the harassment item is
"for få svar" while its follow-up, shown over five, says five of the seven were harassed.
risk5 marks its follow-ups; the loader now requires it of every file."""

from __future__ import annotations

import pytest

from tests.privacy import attack
from tests.privacy.uploaded import measure, own_file, shown_groups, upload
from tryghed.core import figures
from tryghed.surveys.instrument_files import RefusedFile

pytestmark = pytest.mark.django_db

YES, NO = 2, 1

FOLLOW_UP = own_file("""\
items:
  - number: 1
    text: {da: "Har du været udsat for mobning?", en: "Have you been bullied?"}
    sensitive: true
    scored: false
    options:
      - {code: 1, label: {da: Nej, en: "No"}}
      - {code: 2, label: {da: Ja, en: "Yes"}}
  - number: 2
    text: {da: "Fra hvem?", en: "From whom?"}
    type: multi
    show_if: {item: 1, codes: [2]}
    options:
      - {code: 1, label: {da: Kolleger, en: Colleagues}}
      - {code: 2, label: {da: Leder, en: Manager}}
  - {number: 3, text: {da: Jeg trives, en: I thrive}}
""")


def sensitive_counts_under_the_minimum(data: figures.Publication) -> list[str]:
    """Shown figures of the follow-up where the sensitive item itself is hidden: their n is
    how many gave the sensitive item the answers that ask the follow-up."""
    found = []
    for k, group in enumerate(shown_groups(data)):
        asked = figures.shown(group.item("egen", "egen.2"))
        if asked is not None and figures.shown(group.item("egen", "egen.1")) is None:
            found.append(f"group {k}: {asked.n} answered 'Ja' where the item is hidden")
    return found


def test_a_follow_up_does_not_show_how_many_answered_a_sensitive_item_so() -> None:
    place = attack.build_workplace({"Team": (None, 7)})
    try:
        upload(place, FOLLOW_UP)
    except RefusedFile:
        return  # the upload refuses the file: nothing to measure with
    answers: list[dict[str, int | list[int]]] = [
        {"egen.1": YES, "egen.2": [1 + k % 2], "egen.3": 3} for k in range(5)
    ]
    answers += [{"egen.1": NO, "egen.3": 3}] * 2
    data = measure(place, ["egen"], {"Team": answers})
    assert data.shown_group(place.units["Team"].pk, "subtree") is not None, "the team is shown"
    assert not sensitive_counts_under_the_minimum(data), sensitive_counts_under_the_minimum(data)


def test_the_uploader_is_told_to_mark_the_follow_up_sensitive() -> None:
    place = attack.build_workplace({"Team": (None, 7)})
    with pytest.raises(RefusedFile) as refused:
        upload(place, FOLLOW_UP)
    assert [str(p) for p in refused.value.problems] == [
        "Linje 25: spørgsmål 2: show_if: spørgsmål 1 er følsomt, så spørgsmål 2 skal også "
        "have «sensitive: true»: hvem der bliver spurgt, afslører, hvad de svarede på "
        "spørgsmål 1."
    ]
    marked = FOLLOW_UP.replace("    type: multi\n", "    type: multi\n    sensitive: true\n")
    assert upload(place, marked).instrument_id == "egen"


UNMARKED = FOLLOW_UP.replace("    sensitive: true\n", "", 1).replace(
    "    show_if: {item: 1, codes: [2]}\n", ""
)


def test_a_bullying_question_not_marked_sensitive_is_not_shown_to_a_team_of_seven() -> None:
    """The author leaves out ``sensitive: true`` on the bullying question (by mistake, or
    to read it in a team of seven): the upload refuses it, so it is never measured under
    the score minimum."""
    place = attack.build_workplace({"Team": (None, 7)})
    try:
        upload(place, UNMARKED)
    except RefusedFile:
        return
    answers: list[dict[str, int | list[int]]] = [{"egen.1": YES, "egen.3": 3}] * 5
    answers += [{"egen.1": NO, "egen.3": 3}] * 2
    data = measure(place, ["egen"], {"Team": answers})
    shown = [figures.shown(g.item("egen", "egen.1")) for g in shown_groups(data)]
    under = [f.n for f in shown if f is not None and f.n < data.minimums.sensitive]
    assert not under, f"the bullying question shown over {under} people"


def test_the_uploader_is_told_to_mark_a_question_on_bullying_or_violence() -> None:
    place = attack.build_workplace({"Team": (None, 7)})
    with pytest.raises(RefusedFile) as refused:
        upload(place, UNMARKED)
    assert [str(p) for p in refused.value.problems] == [
        "Linje 15: Spørgsmål 1 handler om «mobning». Markér det «sensitive: true», så det "
        "som krænkende handlinger og vold kun vises for grupper med mindst 10 svar."
    ]
    busy = UNMARKED.replace("Har du været udsat for mobning?", "Har du voldsomt travlt?")
    busy = busy.replace("Have you been bullied?", "Are you extremely busy?")
    assert upload(place, busy).instrument_id == "egen"
