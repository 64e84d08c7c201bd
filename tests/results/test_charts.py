"""The report charts: valid, accessible SVG that states its numbers and hides suppressed ones."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from tryghed.results import charts
from tryghed.results.charts import Chart, ProfileRow, ScatterPoint, SupportRow

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"


# --------------------------------------------------------------------------- helpers


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance, written out here rather than taken from the module."""
    value = colour.lstrip("#")
    channels = []
    for i in (0, 2, 4):
        c = int(value[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: str, b: str) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)  # noqa: S314 - the module's own output, not input


def elements(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{SVG}{tag}")
    return [e for e in found if cls is None or cls in e.get("class", "").split()]


def one(root: ET.Element, tag: str, cls: str) -> ET.Element:
    found = elements(root, tag, cls)
    assert len(found) == 1, f"{len(found)} <{tag} class={cls}>"
    return found[0]


def num(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


def visible_text(root: ET.Element) -> str:
    return " ".join("".join(e.itertext()) for e in root.iter(f"{SVG}text"))


def all_text(root: ET.Element) -> str:
    """Everything a person or a screen reader can get at: text, title and desc."""
    return " ".join(root.itertext())


# --------------------------------------------------------------------------- every chart

PROFILE_ROWS = [
    ProfileRow("Vi er gode til at tale om svære emner", 6.2, (5.8, 6.0)),
    ProfileRow("Det er trygt at prøve noget nyt", 4.1, (None, 5.5)),
]
SUPPORT_ROWS = [
    SupportRow("Praktisk hjælp", (0.1, 0.6, 0.3), 5.6),
    SupportRow("Følelsesmæssig støtte", (0.0, 0.5, 0.5), 6.9),
]
POINTS = [ScatterPoint(f"Team {i}", 30.0 + 5 * i, 35.0 + 4 * i) for i in range(8)]

Builder = Callable[[str, str], Chart]

SHOWN: dict[str, Builder] = {
    "zone": lambda lang, p: charts.zone_chart(
        safety=0.72,
        safety_ci95=(0.65, 0.79),
        focus=0.61,
        focus_ci95=(0.45, 0.77),
        lang=lang,
        id_prefix=p,
    ),
    "distribution": lambda lang, p: charts.distribution_chart(
        labels=["Meget enig", "Enig", "Neutral"], counts=[12, 30, 8], lang=lang, id_prefix=p
    ),
    "profile": lambda lang, p: charts.item_profile_chart(
        rows=PROFILE_ROWS,
        scale_min=0,
        scale_max=10,
        comparison_names=["Salg", "Hele organisationen"],
        lang=lang,
        id_prefix=p,
    ),
    "staircase": lambda lang, p: charts.maturity_staircase(
        score=3.5, ci95=(3.2, 3.8), n=42, lang=lang, id_prefix=p
    ),
    "support": lambda lang, p: charts.support_needs_chart(
        rows=SUPPORT_ROWS, lang=lang, id_prefix=p
    ),
    "stress": lambda lang, p: charts.key_figure_chart(
        share=0.38,
        label="Ofte stresset",
        reference=0.177,
        reference_label="Landsplan",
        n=24,
        lang=lang,
        id_prefix=p,
    ),
    "tavshed": lambda lang, p: charts.key_figure_chart(
        share=0.62,
        label="Holdt sig tilbage",
        reference_range=(0.5, 0.7),
        n=31,
        lang=lang,
        id_prefix=p,
    ),
    "scatter": lambda lang, p: charts.unit_scatter(
        points=POINTS, x_label="AMK", y_label="Tilfredshed", r=0.81, lang=lang, id_prefix=p
    ),
}

SUPPRESSED: dict[str, Builder] = {
    "zone": lambda lang, p: charts.zone_chart(
        safety=None, safety_ci95=None, focus=None, focus_ci95=None, lang=lang, id_prefix=p
    ),
    "distribution": lambda lang, p: charts.distribution_chart(
        labels=["Aldrig", "1–2 gange"], counts=None, lang=lang, id_prefix=p
    ),
    "profile": lambda lang, p: charts.item_profile_chart(
        rows=[ProfileRow("Spørgsmål", None, (None,))],
        scale_min=0,
        scale_max=10,
        comparison_names=["Salg"],
        lang=lang,
        id_prefix=p,
    ),
    "staircase": lambda lang, p: charts.maturity_staircase(score=None, lang=lang, id_prefix=p),
    "support": lambda lang, p: charts.support_needs_chart(
        rows=[SupportRow("Praktisk hjælp", None)], lang=lang, id_prefix=p
    ),
    "stress": lambda lang, p: charts.key_figure_chart(
        share=None, label="Ofte stresset", reference=0.177, lang=lang, id_prefix=p
    ),
    "scatter": lambda lang, p: charts.unit_scatter(
        points=[ScatterPoint("Team", None, None)],
        x_label="AMK",
        y_label="Tilfredshed",
        r=None,
        lang=lang,
        id_prefix=p,
    ),
}

EVERY = [
    pytest.param(builder, lang, id=f"{state}-{name}-{lang}")
    for state, table in (("shown", SHOWN), ("suppressed", SUPPRESSED))
    for name, builder in table.items()
    for lang in ("da", "en")
]


@pytest.mark.parametrize(("build", "lang"), EVERY)
def test_every_chart_is_an_svg_image_labelled_by_its_own_title_and_desc(
    build: Builder, lang: str
) -> None:
    chart = build(lang, "fig-7")
    root = parse(chart)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 400 [0-9.]+", root.get("viewBox", ""))
    title_id, desc_id = root.get("aria-labelledby", "").split()
    by_id = {i: e for e in root.iter() if (i := e.get("id"))}
    assert by_id[title_id].tag == f"{SVG}title" and (by_id[title_id].text or "").strip()
    assert by_id[desc_id].tag == f"{SVG}desc"
    assert by_id[desc_id].text == chart.alt
    assert all(i.startswith("fig-7-") for i in by_id)
    assert chart.alt.strip() and chart.table and chart.table[0]


@pytest.mark.parametrize(("build", "lang"), EVERY)
def test_no_chart_has_a_style_a_script_or_an_event_handler(build: Builder, lang: str) -> None:
    root = parse(build(lang, "c"))
    for element in root.iter():
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not [name for name in element.attrib if name.lower().startswith("on")]


@pytest.mark.parametrize(("build", "lang"), EVERY)
def test_no_text_is_smaller_than_fifteen_units_of_the_four_hundred_wide_drawing(
    build: Builder, lang: str
) -> None:
    # 15/400 of a 360 px wide chart is 13.5 px.
    root = parse(build(lang, "c"))
    assert float(root.get("font-size", "0")) >= 15
    sizes = [float(e.get("font-size", "15")) for e in root.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 15


@pytest.mark.parametrize(("build", "lang"), EVERY)
def test_text_reads_at_4_5_to_1_on_every_light_background_in_the_chart(
    build: Builder, lang: str
) -> None:
    root = parse(build(lang, "c"))
    light = {"#ffffff"} | {
        fill.lower()
        for e in root.iter(f"{SVG}rect")
        if (fill := e.get("fill", "")).startswith("#") and luminance(fill) > 0.5
    }
    for text in root.iter(f"{SVG}text"):
        colour = text.get("fill", root.get("fill", "#000000"))
        for background in light:
            assert contrast(colour, background) >= 4.5, (colour, background)


@pytest.mark.parametrize(("build", "lang"), [p for p in EVERY if "shown" in str(p.id)])
def test_data_marks_stand_out_at_3_to_1_against_white(build: Builder, lang: str) -> None:
    root = parse(build(lang, "c"))
    marks = (
        elements(root, "rect", "bar")
        + elements(root, "circle", "point")
        + [e for e in root.iter(f"{SVG}polygon") if e.get("class", "").startswith("marker")]
    )
    for mark in marks:
        assert contrast(mark.get("fill", ""), "#ffffff") >= 3.0


def test_the_palette_colours_have_3_to_1_contrast_against_white() -> None:
    assert len(charts.PALETTE) >= 4
    for colour in charts.PALETTE:
        assert contrast(colour, "#ffffff") >= 3.0, colour


# --------------------------------------------------------------------------- suppression


@pytest.mark.parametrize(("build", "lang"), [p for p in EVERY if "suppressed" in str(p.id)])
def test_a_suppressed_chart_says_too_few_responses_and_shows_no_number_at_all(
    build: Builder, lang: str
) -> None:
    chart = build(lang, "c")
    words = "for få svar" if lang == "da" else "too few answers"
    root = parse(chart)
    assert words in visible_text(root)
    assert words in chart.alt
    assert any(words in cell for row in chart.table for cell in row)
    everything = [
        all_text(root),
        chart.alt,
        chart.caption,
        *(c for row in chart.table for c in row),
    ]
    assert not [text for text in everything if re.search(r"\d", text)]


def test_a_suppressed_item_shows_the_words_in_its_row_and_the_others_keep_their_numbers() -> None:
    rows = [ProfileRow("Første", 6.2), ProfileRow("Anden", None), ProfileRow("Tredje", 3.0)]
    chart = charts.item_profile_chart(
        rows=rows, scale_min=0, scale_max=10, lang="da", id_prefix="p"
    )
    root = parse(chart)
    assert chart.table[1:] == [["Første", "6,2"], ["Anden", "for få svar"], ["Tredje", "3,0"]]
    assert len(elements(root, "rect", "bar")) == 2
    assert [e.text for e in elements(root, "text", "suppressed")] == ["for få svar"]
    assert "Anden: for få svar" in chart.alt


def test_a_suppressed_unit_is_left_out_of_the_scatter_and_counted_in_the_caption() -> None:
    points = [*POINTS, ScatterPoint("Lille team", None, 40.0)]
    chart = charts.unit_scatter(
        points=points, x_label="AMK", y_label="PS", r=0.8, lang="da", id_prefix="s"
    )
    assert len(elements(parse(chart), "circle", "point")) == len(POINTS)
    assert (
        chart.caption
        == f"r{NBSP}={NBSP}0,80; n{NBSP}={NBSP}8 enheder; 1 enhed vises ikke (for få svar)"
    )
    assert ["Lille team", "for få svar", "40,0"] in chart.table


def test_a_suppressed_value_can_carry_the_complementary_reason() -> None:
    reason = "skjult for at beskytte en mindre gruppe"
    chart = charts.maturity_staircase(score=None, lang="da", id_prefix="m", hidden_text=reason)
    assert reason in visible_text(parse(chart)) and reason in chart.alt


# --------------------------------------------------------------------------- four zones


def zone_at(safety: float, focus: float, lang: str = "da") -> Chart:
    return charts.zone_chart(
        safety=safety,
        safety_ci95=(safety - 0.05, safety + 0.05),
        focus=focus,
        focus_ci95=(focus - 0.1, focus + 0.1),
        lang=lang,
        id_prefix="z",
    )


@pytest.mark.parametrize(
    ("safety", "focus", "zone", "right", "top"),
    [
        (0.8, 0.7, "Læring", True, True),
        (0.9, 0.2, "Komfort", False, True),
        (0.3, 0.85, "Angst", True, False),
        (0.15, 0.35, "Apati", False, False),
    ],
)
def test_the_zone_chart_puts_the_point_in_its_quadrant(
    safety: float, focus: float, zone: str, right: bool, top: bool
) -> None:
    chart = zone_at(safety, focus)
    root = parse(chart)
    plot = one(root, "rect", "plot-area")
    x, y, w, h = num(plot, "x"), num(plot, "y"), num(plot, "width"), num(plot, "height")
    point = one(root, "circle", "point")
    cx, cy = num(point, "cx"), num(point, "cy")
    assert cx == pytest.approx(x + focus * w, abs=0.01)
    assert cy == pytest.approx(y + (1 - safety) * h, abs=0.01)  # SVG y grows downwards
    assert (cx > x + w / 2) is right
    assert (cy < y + h / 2) is top
    assert f"i zonen {zone}" in chart.alt
    assert chart.table[-1][:2] == ["Zone", zone]


def test_the_zone_whiskers_span_the_confidence_intervals_on_both_axes() -> None:
    chart = charts.zone_chart(
        safety=0.6,
        safety_ci95=(0.52, 0.71),
        focus=0.4,
        focus_ci95=(0.31, 0.47),
        lang="en",
        id_prefix="z",
    )
    root = parse(chart)
    plot = one(root, "rect", "plot-area")
    x, y, w, h = num(plot, "x"), num(plot, "y"), num(plot, "width"), num(plot, "height")
    across = one(root, "line", "ci-focus")
    assert sorted((num(across, "x1"), num(across, "x2"))) == pytest.approx(
        [x + 0.31 * w, x + 0.47 * w], abs=0.01
    )
    assert num(across, "y1") == num(across, "y2") == pytest.approx(y + 0.4 * h, abs=0.01)
    up = one(root, "line", "ci-safety")
    assert sorted((num(up, "y1"), num(up, "y2"))) == pytest.approx(
        [y + 0.29 * h, y + 0.48 * h], abs=0.01
    )
    assert num(up, "x1") == num(up, "x2") == pytest.approx(x + 0.4 * w, abs=0.01)
    assert "Comfort zone" in chart.alt
    assert "95% confidence interval 52.0–71.0" in chart.alt


def test_a_point_on_the_split_counts_as_high_as_in_scoring() -> None:
    assert "i zonen Læring" in zone_at(0.5, 0.5).alt


def test_the_zone_is_called_uncertain_when_an_interval_crosses_the_split() -> None:
    crossing = zone_at(0.8, 0.55)  # focus interval 0.45-0.65
    clear = zone_at(0.8, 0.8)
    assert "krydser midten" in crossing.alt and crossing.caption == "Zone: Læring (usikker)"
    assert "krydser" not in clear.alt and clear.caption == "Zone: Læring"


def test_a_zone_label_moves_out_of_the_way_of_the_point() -> None:
    root = parse(zone_at(0.03, 0.97))  # deep in the Angst corner, where its label sits
    label = next(e for e in elements(root, "text", "zone-label") if e.text == "Angst")
    point = one(root, "circle", "point")
    assert num(label, "y") < num(point, "cy") - 20


# --------------------------------------------------------------------------- staircase


def test_the_staircase_marks_3_5_on_the_edge_between_steps_3_and_4() -> None:
    chart = charts.maturity_staircase(score=3.5, lang="da", id_prefix="m")
    root = parse(chart)
    steps = {int(e.get("data-level", "0")): e for e in elements(root, "rect", "step")}
    assert sorted(steps) == [1, 2, 3, 4, 5]

    def centre(level: int) -> float:
        return num(steps[level], "x") + num(steps[level], "width") / 2

    marker = one(root, "line", "marker")
    mx = num(marker, "x1")
    assert centre(3) < mx < centre(4)
    assert mx == pytest.approx(num(steps[4], "x"), abs=0.01)
    assert "3,5" in visible_text(root)
    assert "Trivselsmodenheden er 3,5" in chart.alt
    assert "mellem Aktivt (3) og Proaktivt (4)" in chart.alt


def test_the_staircase_speaks_english_with_a_decimal_point() -> None:
    chart = charts.maturity_staircase(score=3.5, ci95=(3.2, 3.8), lang="en", id_prefix="m")
    assert "The wellbeing maturity is 3.5 (95% confidence interval 3.2–3.8)" in chart.alt
    assert "between Active (3) and Proactive (4)" in chart.alt
    assert "Proactive" in visible_text(parse(chart))


def test_a_whole_number_score_reads_as_its_level_and_the_pin_stands_on_that_step() -> None:
    chart = charts.maturity_staircase(score=2.0, lang="da", id_prefix="m")
    root = parse(chart)
    step = next(e for e in elements(root, "rect", "step") if e.get("data-level") == "2")
    marker = one(root, "line", "marker")
    assert num(marker, "x1") == pytest.approx(num(step, "x") + num(step, "width") / 2)
    assert num(marker, "y2") == pytest.approx(num(step, "y"))
    assert chart.caption == "Reaktivt (2)"


# --------------------------------------------------------------------------- key figures


def test_the_stress_figure_states_the_share_and_the_national_reference_the_danish_way() -> None:
    chart = SHOWN["stress"]("da", "k")
    assert f"38,0{NBSP}%" in chart.alt
    assert f"17,7{NBSP}%" in chart.alt
    assert "ligger over referencen" in chart.alt
    assert chart.table[1:] == [["Ofte stresset", f"38,0{NBSP}%"], ["Landsplan", f"17,7{NBSP}%"]]
    root = parse(chart)
    line = one(root, "line", "reference")
    bar = one(root, "rect", "bar")
    left = num(bar, "x")
    full = num(bar, "width") / 0.38
    assert num(line, "x1") == pytest.approx(left + 0.177 * full, abs=0.05)


def test_the_stress_figure_in_english_uses_a_decimal_point_and_no_space() -> None:
    chart = SHOWN["stress"]("en", "k")
    assert "38.0%" in chart.alt and "17.7%" in chart.alt and "above the reference" in chart.alt


def test_the_silence_figure_sits_within_its_research_band() -> None:
    chart = SHOWN["tavshed"]("da", "k")
    assert f"62,0{NBSP}%" in chart.alt
    assert f"50–70{NBSP}%" in chart.alt
    assert "inden for referencen" in chart.alt
    root = parse(chart)
    band = one(root, "rect", "band")
    assert band.get("fill") == "url(#k-band)"
    assert [e.get("id") for e in root.iter(f"{SVG}pattern")] == ["k-band"]


def test_a_reference_value_and_a_reference_band_together_are_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        charts.key_figure_chart(
            share=0.3,
            label="x",
            lang="da",
            id_prefix="k",
            reference=0.2,
            reference_range=(0.1, 0.4),
        )


# --------------------------------------------------------------------------- other charts


def test_distribution_bars_are_as_long_as_their_counts() -> None:
    chart = SHOWN["distribution"]("da", "d")
    widths = [num(e, "width") for e in elements(parse(chart), "rect", "bar")]
    assert widths[0] / widths[1] == pytest.approx(12 / 30, rel=1e-3)
    assert widths[2] / widths[1] == pytest.approx(8 / 30, rel=1e-3)
    assert chart.table == [
        ["Svar", "Antal", "Andel"],
        ["Meget enig", "12", f"24{NBSP}%"],
        ["Enig", "30", f"60{NBSP}%"],
        ["Neutral", "8", f"16{NBSP}%"],
    ]
    assert chart.caption == f"n{NBSP}={NBSP}50"
    assert f"Fordelingen af 50 svar: Meget enig 12 (24{NBSP}%); Enig 30 (60{NBSP}%)" in chart.alt


def test_the_item_profile_places_bars_and_comparison_markers_on_the_fixed_scale() -> None:
    chart = SHOWN["profile"]("da", "p")
    root = parse(chart)
    bars = elements(root, "rect", "bar")
    track_left = num(bars[0], "x")
    unit = (num(bars[0], "width")) / 6.2  # drawing units per scale point
    assert num(bars[1], "width") == pytest.approx(4.1 * unit, abs=0.01)
    parent = elements(root, "polygon", "marker-1")
    organisation = elements(root, "polygon", "marker-2")
    assert len(parent) == 1 and len(organisation) == 2  # the hidden parent value is not drawn
    tip_x = float(parent[0].get("points", "").split()[0].split(",")[0])
    assert tip_x == pytest.approx(track_left + 5.8 * unit, abs=0.01)
    assert chart.table[0] == ["Spørgsmål", "Enheden", "Salg", "Hele organisationen"]
    assert chart.table[2] == ["Det er trygt at prøve noget nyt", "4,1", "for få svar", "5,5"]


def test_support_needs_stack_the_three_shares_in_order_with_the_needs_more_part_hatched() -> None:
    chart = SHOWN["support"]("da", "u")
    root = parse(chart)
    first = [elements(root, "rect", f"part-{i}")[0] for i in (1, 2, 3)]
    xs = [num(e, "x") for e in first]
    assert xs == sorted(xs)
    assert first[2].get("fill") == "url(#u-more)"
    # the zero "mindre" share of the second row draws no part
    assert len(elements(root, "rect", "part-1")) == 1
    assert f"30{NBSP}% har brug for mere" in chart.alt
    assert chart.table[1] == ["Praktisk hjælp", f"10{NBSP}%", f"60{NBSP}%", f"30{NBSP}%", "5,6"]


def test_the_scatter_caption_gives_r_and_the_number_of_units() -> None:
    chart = SHOWN["scatter"]("en", "s")
    assert chart.caption == f"r{NBSP}={NBSP}0.81; n{NBSP}={NBSP}8 units"
    assert chart.caption in chart.alt
    assert len(elements(parse(chart), "circle", "point")) == 8


# --------------------------------------------------------------------------- heatmap cells


@pytest.mark.parametrize("higher_is_better", [True, False])
def test_heat_cells_carry_text_at_4_5_to_1_on_their_background(higher_is_better: bool) -> None:
    for tenth in range(0, 101):
        cell = charts.heat_cell(
            tenth / 10, low=0, high=10, lang="da", higher_is_better=higher_is_better
        )
        assert contrast(cell.text, cell.background) >= 4.5, cell


def test_heat_cells_never_rely_on_colour_alone() -> None:
    cells = [charts.heat_cell(v, low=0, high=100, lang="da") for v in (5, 25, 50, 65, 95)]
    assert [c.step for c in cells] == [0, 1, 2, 3, 4]
    assert len({c.marker for c in cells}) == 5 and len({c.label for c in cells}) == 5
    assert cells[0].label == "meget lav" and cells[-1].label == "meget høj"


def test_where_lower_is_better_the_colour_turns_but_the_word_still_describes_the_value() -> None:
    good = charts.heat_cell(0.05, low=0, high=1, lang="en", higher_is_better=False)
    bad = charts.heat_cell(0.95, low=0, high=1, lang="en", higher_is_better=False)
    assert good.label == "very low" and bad.label == "very high"
    assert good.background == charts.heat_cell(1.0, low=0, high=1, lang="en").background
    assert bad.css_class == "heat heat-0"


def test_a_hidden_heat_cell_is_white_and_says_why() -> None:
    cell = charts.heat_cell(None, low=0, high=100, lang="en")
    assert (cell.step, cell.background, cell.css_class, cell.label) == (
        None,
        "#ffffff",
        "heat heat-none",
        "too few answers",
    )


def test_the_heatmap_stylesheet_defines_every_class_the_cells_use() -> None:
    css = charts.heatmap_css()
    used = {
        charts.heat_cell(v, low=0, high=1, lang="da").css_class.split()[1]
        for v in (0, 0.3, 0.5, 0.7, 1)
    }
    used.add("heat-none")
    assert len(used) == 6
    for name in used:
        assert f".{name} {{" in css


# --------------------------------------------------------------------------- text and safety


def test_numbers_are_written_the_danish_way_in_danish_and_the_english_way_in_english() -> None:
    assert charts.format_number(1234.5, "da") == "1.234,5"
    assert charts.format_number(1234.5, "en") == "1,234.5"
    assert charts.format_number(-0.01, "da") == "0,0"
    assert charts.format_percent(0.177, "da") == f"17,7{NBSP}%"
    assert charts.format_percent(0.177, "en") == "17.7%"
    assert charts.format_percent(0.5, "da", 0) == f"50{NBSP}%"


def test_negative_numbers_get_a_minus_sign_not_a_hyphen() -> None:
    assert charts.format_number(-0.96, "da", 2) == "\u22120,96"
    assert charts.format_number(-1234.5, "en") == "\u22121,234.5"
    assert charts.format_number(-1234.5, "da") == "\u22121.234,5"
    assert charts.format_percent(-0.05, "da", 0) == f"\u22125{NBSP}%"
    assert charts.format_number(-0.04, "da", 1) == "0,0"  # rounds to zero: no sign at all


def test_the_number_filter_writes_negative_numbers_with_a_minus_sign() -> None:
    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string(
        "{% load report_numbers %}{{ low|number:1 }}–{{ high|number:2 }}|{{ none|number:1 }}"
    )
    with translation.override("da"):
        assert template.render({"low": -1.04, "high": -0.962, "none": None}) == (
            "\u22121,0–\u22120,96|"
        )


def test_labels_from_an_organisation_are_escaped_not_run() -> None:
    evil = '<script>alert("x")</script> & "Salg"'
    chart = charts.item_profile_chart(
        rows=[ProfileRow(evil, 5.0)],
        scale_min=0,
        scale_max=10,
        lang="da",
        id_prefix="e",
        series_name=evil,
    )
    root = parse(chart)
    assert not list(root.iter(f"{SVG}script"))
    assert "<script>" in visible_text(root)  # shown as text, literally
    assert "<script>" not in chart.svg


@pytest.mark.parametrize("prefix", ["", "1fig", "fig 1", 'a"b', "a>b"])
def test_an_id_prefix_that_is_not_a_valid_id_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        charts.maturity_staircase(score=3.0, lang="da", id_prefix=prefix)


def test_two_charts_on_one_page_have_no_id_in_common() -> None:
    ids = [
        {e.get("id") for e in parse(build("da", prefix)).iter() if e.get("id")}
        for build, prefix in ((SHOWN["support"], "a"), (SHOWN["support"], "b"))
    ]
    assert ids[0] and not ids[0] & ids[1]
