"""Red team, denial of service by an uploaded instrument file (an administrator or AMO
member, or whoever holds their session: the upload is the only way in).

256 KB are checked on upload, but what a file costs is not its size. A numeric rating scale
``{min: 1, max: 1000000000}`` in 60 characters built a billion options while the file was
read (10,000 took 8 s: each option's points looked up by a scan of the others). And every
item, scale and key figure is a figure per group of the publication computed at closing,
every pair of scales a correlation: 2,000 one-item scales fit in 240 KB, and the closing of
a measurement of 100 teams with them did not end in ten minutes (300 scales: 33 s; all
built-in instruments: 2 s). The loader now takes at most 101 options per item, the upload
at most 300 items, 100 scales and 100 key figures, a measurement twice that of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.privacy import attack
from tests.privacy.uploaded import own_file, upload
from tryghed.core.instruments import InstrumentError, parse_instrument
from tryghed.surveys import services
from tryghed.surveys.instrument_files import (
    MAX_ITEMS,
    MAX_KEY_FIGURES,
    MAX_MEASUREMENT_ITEMS,
    MAX_MEASUREMENT_SCALES,
    MAX_SCALES,
    RefusedFile,
)
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

ONE_ITEM = "items:\n  - {number: 1, text: {da: a, en: a}}\n"


def items(n: int) -> str:
    return "items:\n" + "".join(
        f"  - {{number: {k}, text: {{da: Spørgsmål {k}, en: Item {k}}}}}\n" for k in range(1, n + 1)
    )


def refused(text: str) -> list[str]:
    place = attack.build_workplace({"Team": (None, 1)})
    with pytest.raises(RefusedFile) as caught:
        upload(place, text)
    return [str(p) for p in caught.value.problems]


def test_a_rating_scale_of_a_thousand_points_is_refused_before_it_is_built() -> None:
    # -100..100: refused, not built (1..1,000,000,000 would not finish).
    text = own_file(
        "items:\n  - number: 1\n    text: {da: a, en: a}\n"
        "    options: {scale: {min: -100, max: 100}}\n"
    )
    assert refused(text) == ["Linje 17: spørgsmål 1: højst 101 svarmuligheder, ikke 201."]
    with pytest.raises(InstrumentError, match="code 1000000000 must be between -127 and 127"):
        parse_instrument(text.replace("max: 100}", "max: 1000000000}"))
    # 0-100 (a visual analogue scale) is read.
    vas = parse_instrument(text.replace("min: -100, max: 100", "min: 0, max: 100"))
    assert len(vas.items[0].options) == 101


def test_a_list_of_too_many_options_is_refused() -> None:
    options = "".join(
        f"  - {{code: {c}, label: {{da: s{c}, en: s{c}}}, points: {c}}}\n" for c in range(1, 103)
    )
    text = own_file(ONE_ITEM).split("options:\n")[0] + "options:\n" + options + ONE_ITEM
    assert refused(text) == ["Linje 9: options: højst 101 svarmuligheder, ikke 102."]


def test_an_upload_holds_at_most_so_many_items_scales_and_key_figures() -> None:
    assert refused(own_file(items(MAX_ITEMS + 1))) == [
        f"Linje 14: items: højst {MAX_ITEMS} i et spørgeskema, I selv indlæser, ikke "
        f"{MAX_ITEMS + 1}. Del det op i flere spørgeskemaer."
    ]
    n = MAX_SCALES + 1
    scales = "scales:\n" + "".join(
        f"  - {{id: s{k}, name: {{da: s, en: s}}, items: [{k}], score: {{min: 0, max: 1}}}}\n"
        for k in range(1, n + 1)
    )
    assert "scales: højst 100 i et spørgeskema" in refused(own_file(items(n) + scales))[0]
    n = MAX_KEY_FIGURES + 1
    keys = "key_figures:\n" + "".join(
        f"  - {{id: k{k}, label: {{da: k, en: k}}, items: [{k}], codes: [5]}}\n"
        for k in range(1, n + 1)
    )
    assert "key_figures: højst 100 i et spørgeskema" in refused(own_file(items(n) + keys))[0]
    place = attack.build_workplace({"Team": (None, 1)})
    assert upload(place, own_file(items(MAX_ITEMS))).instrument_id == "egen"


def test_one_measurement_holds_only_so_much_of_the_organisations_own() -> None:
    """Three files at the item limit, each accepted, chosen together for one measurement:
    refused, so the per-file limits are not sidestepped by uploading more files."""
    place = attack.build_workplace({"Team": (None, 1)})
    ids = [f"egen-{k}" for k in range(3)]
    for instrument_id in ids:
        upload(place, own_file(items(MAX_ITEMS), instrument_id))

    def create(chosen: list[str]) -> None:
        today = timezone.localdate()
        services.measurement_create(
            organisation=place.org,
            actor=place.amo,
            name="Stor",
            instrument_ids=chosen,
            scope=[services.ScopeEntry(place.root)],
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
        )

    with pytest.raises(ValidationError) as refused:
        create([*ids, "ps7"])
    assert refused.value.message_dict["instruments"] == [
        f"Jeres egne spørgeskemaer i en måling må tilsammen have højst {MAX_MEASUREMENT_ITEMS} "
        f"spørgsmål og {MAX_MEASUREMENT_SCALES} skalaer. Vælg færre af dem, eller del "
        "målingen op."
    ]
    assert not Measurement.objects.filter(organisation=place.org).exists()
    create([*ids[:2], "ps7"])
    assert Measurement.objects.filter(organisation=place.org).count() == 1


ONE_OPTION_LIST = (
    "items:\n  - number: 1\n    text: {da: a, en: a}\n    options:\n"
    "      - {code: 1, label: {da: Ja, en: 'Yes'}, points: POINTS}\n"
    "      - {code: 2, label: {da: Nej, en: 'No'}, points: 0}\n"
    "      - {code: DK, label: {da: Ved ikke, en: Don't know}, points: null}\n"
)


def test_a_dont_know_code_far_from_the_others_is_refused() -> None:
    """ "Ved ikke" may have any code; scoring looks codes up in a table per item as wide as
    the lowest to the highest code of the instrument, so a code of 1,000,000,000 beside
    1..5 made the closing allocate 8 GB per item, and the measurement's report (also of its
    built-in instruments) was never built. Codes fit the stored answer byte, -127..127."""
    far = own_file(ONE_OPTION_LIST.replace("POINTS", "1").replace("DK", "1000000000"))
    assert refused(far) == [
        "Linje 20: spørgsmål 1: code: svarkoden 1000000000 skal ligge fra -127 til 127."
    ]
    near = ONE_OPTION_LIST.replace("POINTS", "1").replace("DK", "99")
    assert parse_instrument(own_file(near)).items[0].dont_know is not None


def test_points_that_overflow_are_refused() -> None:
    """Points of ±1.0e+308 are finite, their range is not: the person scores and bin edges
    became NaN and infinity, which the publication's JSON (PostgreSQL's jsonb) cannot hold.
    A 400-digit integer raised OverflowError (a server error) instead of a refusal."""
    huge = ONE_OPTION_LIST.replace("POINTS", "1.0e+308").replace("points: 0", "points: -1.0e+308")
    problems = refused(own_file(huge.replace("DK", "9")))
    assert problems == [
        "Linje 18: spørgsmål 1: svarmulighed 1: points: skal ligge fra -1000000000 til 1000000000."
    ]
    long = ONE_OPTION_LIST.replace("POINTS", "1" + "0" * 400).replace("DK", "9")
    assert "skal ligge fra -1000000000 til 1000000000" in refused(own_file(long))[0]


def test_a_scale_whose_answers_all_give_the_same_points_is_refused() -> None:
    """A scale over an item with one scored option ("Ja", and "Ved ikke") has no points
    range: rescaling its person scores divided by zero when the measurement closed, and the
    report of the whole measurement, built-in instruments too, was never built. (Without
    ``scales`` such an item makes no scale at all.)"""
    one = own_file(
        "items:\n  - number: 1\n    text: {da: a, en: a}\n    options:\n"
        "      - {code: 1, label: {da: Ja, en: 'Yes'}, points: 1}\n"
        "      - {code: 0, label: {da: Ved ikke, en: Don't know}, points: null}\n"
        "scales:\n  - id: ja\n    name: {da: Ja, en: 'Yes'}\n    items: [1]\n"
        "    score: {min: 0, max: 100}\n"
    )
    assert refused(one) == [
        "Linje 23: skala ja: alle svar giver samme point (1); en skala skal kunne give "
        "forskellige point."
    ]
    same = one.replace("{code: 0,", "{code: 2,").replace("points: null", "points: 1")
    assert "alle svar giver samme point (1)" in refused(same)[0]
