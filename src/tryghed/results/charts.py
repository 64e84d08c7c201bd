"""Report charts ("diagrammer") as server-side SVG: no JavaScript, good in print and in PDF.

Every chart function takes plain numbers, never scoring objects, and returns a
:class:`Chart`: a complete inline ``<svg>`` (``role="img"``, labelled by its own
``<title>`` and ``<desc>``), a one-paragraph text alternative and a data table for the
template to render under the chart. ``None`` means the value is suppressed: it is drawn
as "for få svar" and no number of it appears anywhere (spec/privacy.md section 2).

Rules the charts keep, so the templates need not:
- Only SVG presentation attributes (``fill``, ``stroke``, ``font-size``), never a
  ``style`` attribute or element: the site's CSP is ``style-src 'self'``.
- ``viewBox`` with ``width="100%"``: the chart scales down to a 360 px phone; the
  400-unit-wide drawing uses type of at least 15 units, so 13.5 px on a 360 px wide chart
  and 11 px in a card on a 360 px screen (about 294 px wide).
- Okabe-Ito colours, each at least 3:1 against white; text at least 4.5:1 against what
  it stands on; a white background and no dark fill behind text, for print.
- Colour is never the only cue: labels, positions, shapes or hatching carry the meaning.
- Danish numbers in Danish (3,5; 17,7 %), English numbers in English (3.5; 17.7%).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal
from xml.sax.saxutils import escape

# --------------------------------------------------------------------------- colours

INK: Final = "#1b1f24"
INK_SOFT: Final = "#4a5260"
WHITE: Final = "#ffffff"
BLUE: Final = "#0072B2"
VERMILLION: Final = "#D55E00"
BLUISH_GREEN: Final = "#009E73"
REDDISH_PURPLE: Final = "#CC79A7"
GREY: Final = "#767676"

#: Colours for data marks (bars, points, markers): Okabe-Ito hues that stay apart for
#: the common colour-vision deficiencies, each at least 3:1 against white (WCAG 1.4.11).
PALETTE: Final[tuple[str, ...]] = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, GREY, INK)

# Light backgrounds only ever carry INK text (at least 13:1); they are not data marks.
_TRACK: Final = "#eef0f3"
_GRID: Final = "#c9d0d9"
_REACHED: Final = "#d6e8f4"
_UNREACHED: Final = "#f6f7f9"
_QUADRANT_TINTS: Final[Mapping[str, str]] = {
    "learning": "#dff2ec",
    "comfort": "#e1edf7",
    "anxiety": "#fbe6d9",
    "apathy": "#ececec",
}

#: The heatmap's diverging scale from worst to best: Paul Tol's "sunset", five steps.
HEAT_COLOURS: Final[tuple[str, ...]] = ("#DD3D2D", "#FDB366", "#EAECCC", "#98CAE1", "#4A7BB7")
_HEAT_MARKERS: Final[tuple[str, ...]] = ("▼▼", "▼", "●", "▲", "▲▲")
_HEAT_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "da": ("meget lav", "lav", "middel", "høj", "meget høj"),
    "en": ("very low", "low", "middle", "high", "very high"),
}


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour."""
    value = colour.lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", value):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio, 1..21."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@functools.cache  # a handful of colours, asked for once per heatmap cell
def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better; either way at least 4.58:1 (WCAG AA)."""
    return (
        "#000000"
        if contrast_ratio(background, "#000000") >= contrast_ratio(background, WHITE)
        else WHITE
    )


# --------------------------------------------------------------------------- language


def _en(lang: str) -> bool:
    return lang.lower().startswith("en")


NBSP: Final = "\u00a0"
# Negative numbers in text get the minus sign (U+2212), not a hyphen: screen readers read
# "−0,96" as minus, and "-1,00–-0,96" beside an en dash is hard to read for anyone.
MINUS: Final = "\u2212"


def _t(lang: str, da: str, en: str) -> str:
    return en if _en(lang) else da


def hidden_label(lang: str) -> str:
    """What a suppressed value shows instead of a number (spec/privacy.md section 2)."""
    return _t(lang, "for få svar", "too few answers")


def format_number(value: float, lang: str, decimals: int = 1) -> str:
    """3.5 → "3,5" in Danish, "3.5" in English; thousands as "1.234" / "1,234";
    −0.4 with the minus sign (U+2212) in both languages."""
    text = f"{value:,.{decimals}f}"
    sign = ""
    if text.startswith("-"):
        text = text[1:]
        sign = "" if float(text.replace(",", "")) == 0 else MINUS
    if not _en(lang):
        text = text.translate(_DANISH_SEPARATORS)
    return sign + text


# "1,234.5" -> "1.234,5" in one pass (a page of 2,000 units formats some 13,000 numbers).
_DANISH_SEPARATORS: Final = str.maketrans({",": ".", ".": ","})


def format_percent(share: float, lang: str, decimals: int = 1) -> str:
    """A share 0..1 as a percentage: 0.177 → "17,7 %" in Danish, "17.7%" in English.

    The Danish space is a no-break space (U+00A0), so a table cell never ends a line
    with the number and starts the next with "%".
    """
    number = format_number(share * 100, lang, decimals)
    return f"{number}%" if _en(lang) else f"{number}{NBSP}%"


def _count(n: int, lang: str) -> str:
    return format_number(n, lang, 0)


def _span(low: str, high: str) -> str:
    return f"{low}–{high}"


def _ci_words(lang: str) -> str:
    return _t(lang, f"95{NBSP}% sikkerhedsinterval", "95% confidence interval")


def _n_equals(n: int, lang: str) -> str:
    return f"n{NBSP}={NBSP}{_count(n, lang)}"


@dataclass(frozen=True, slots=True)
class Chart:
    """An inline SVG with its text alternative, a data table (header row first) and a
    short caption for the figure ("" when there is nothing to add to the heading)."""

    svg: str
    alt: str
    table: list[list[str]]
    caption: str = ""


# --------------------------------------------------------------------------- drawing

WIDTH: Final = 400.0
_PAD: Final = 8.0
_FONT: Final = 15.0
_LEADING: Final = 1.3
_FONT_FAMILY: Final = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
)
_ID: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_THIN: Final = frozenset("ilj.,:;'!|")
_NARROW: Final = frozenset("tfrI()[]{} -–/")
_MEDIUM: Final = frozenset("cksvxyzJL")
_WIDE: Final = frozenset("mwMWæÆœŒ@%")

Anchor = Literal["start", "middle", "end"]
Attr = str | float | None


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_QUOTE: Final = {'"': "&quot;"}


def _el(tag: str, attrs: Mapping[str, Attr], content: str | None = None) -> str:
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float | int):
            parts.append(f'{name}="{_num(value)}"')  # digits, "-" and ".": nothing to escape
        else:
            parts.append(f'{name}="{escape(value, _QUOTE)}"')
    head = " ".join(parts)
    return f"<{head}/>" if content is None else f"<{head}>{content}</{tag}>"


def _text_width(text: str, size: float = _FONT, bold: bool = False) -> float:
    """An estimate of the drawn width, on the wide side of common sans-serif fonts.

    The widths are those of DejaVu Sans, the widest of the fonts a browser or WeasyPrint
    falls back to on Linux (Arial and Segoe UI are narrower): with narrower estimates a
    label ran past the chart's edge and was cut ("evner o").
    """
    em = 0.0
    for char in text:
        if char in _THIN:
            em += 0.3
        elif char in _NARROW:
            em += 0.41
        elif char in _MEDIUM:
            em += 0.59
        elif char in _WIDE:
            em += 0.98
        elif char.isupper():
            em += 0.76
        else:
            em += 0.64
    return em * size * (1.12 if bold else 1.0)


def _wrap(text: str, width: float, size: float = _FONT, bold: bool = False) -> list[str]:
    """Break text into lines that fit ``width``: SVG text does not wrap by itself."""

    def fits(candidate: str) -> bool:
        return _text_width(candidate, size, bold) <= width

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while not fits(current):  # a word longer than the line: break it
            cut = len(current) - 1
            while cut > 1 and not fits(current[:cut] + "-"):
                cut -= 1
            lines.append(current[:cut] + "-")
            current = current[cut:]
    if current:
        lines.append(current)
    return lines or [""]


class _Doc:
    """One SVG being drawn: its definitions, its body and the ids made from ``id_prefix``.

    Layout runs top-down: the methods that place text take ``top``, the top of the free
    space, and return the next free top.
    """

    def __init__(self, id_prefix: str) -> None:
        if not _ID.fullmatch(id_prefix):
            raise ValueError(f"id_prefix must be a valid XML id, got {id_prefix!r}")
        self.id_prefix = id_prefix
        self.defs: list[str] = []
        self.body: list[str] = []

    def add(self, tag: str, content: str | None = None, **attrs: Attr) -> None:
        names = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
        self.body.append(_el(tag, names, content))

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        size: float = _FONT,
        anchor: Anchor = "start",
        bold: bool = False,
        italic: bool = False,
        fill: str = INK,
        transform: str | None = None,
        class_: str | None = None,
    ) -> None:
        """One line of text with its baseline at ``y``."""
        self.add(
            "text",
            escape(content),
            x=x,
            y=y,
            font_size=size if size != _FONT else None,
            text_anchor=None if anchor == "start" else anchor,
            font_weight="700" if bold else None,
            font_style="italic" if italic else None,
            fill=fill,
            transform=transform,
            class_=class_,
        )

    def block(
        self,
        x: float,
        top: float,
        lines: Sequence[str],
        *,
        size: float = _FONT,
        bold: bool = False,
        italic: bool = False,
        anchor: Anchor = "start",
        fill: str = INK,
    ) -> float:
        """Lines of text from ``top`` down; returns the top of the space below them."""
        for line in lines:
            self.text(
                x,
                top + size * 0.92,
                line,
                size=size,
                bold=bold,
                italic=italic,
                anchor=anchor,
                fill=fill,
            )
            top += size * _LEADING
        return top

    def placeholder(self, x: float, top: float, width: float, height: float, message: str) -> None:
        """The box a suppressed chart shows: the words, and no number."""
        self.add(
            "rect",
            x=x,
            y=top,
            width=width,
            height=height,
            rx=4.0,
            fill=WHITE,
            stroke=INK_SOFT,
            stroke_width=1.5,
            stroke_dasharray="6 4",
            class_="suppressed",
        )
        self.text(
            x + width / 2, top + height / 2 + _FONT * 0.35, message, anchor="middle", italic=True
        )

    def hatch(self, name: str, colour: str, background: str) -> str:
        """A diagonal hatch, so an area differs by texture as well as by colour."""
        pattern_id = f"{self.id_prefix}-{name}"
        self.defs.append(
            f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6" '
            f'patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{background}"/>'
            f'<line x1="1" y1="0" x2="1" y2="6" stroke="{colour}" stroke-width="2.5"/>'
            f"</pattern>"
        )
        return f"url(#{pattern_id})"

    def render(self, *, height: float, title: str, desc: str) -> str:
        title_id, desc_id = f"{self.id_prefix}-title", f"{self.id_prefix}-desc"
        defs = f"<defs>{''.join(self.defs)}</defs>" if self.defs else ""
        background = _el(
            "rect", {"x": 0.0, "y": 0.0, "width": WIDTH, "height": height, "fill": WHITE}
        )
        content = (
            f'<title id="{title_id}">{escape(title)}</title>'
            f'<desc id="{desc_id}">{escape(desc)}</desc>'
            f"{defs}{background}{''.join(self.body)}"
        )
        attrs: dict[str, Attr] = {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {_num(WIDTH)} {_num(height)}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "class": "chart",
            "font-family": _FONT_FAMILY,
            "font-size": _FONT,
            "fill": INK,
        }
        return _el("svg", attrs, content)


def reading_bar(value: float | None) -> str:
    """A bar for a 0–100 reading beside its number; decorative (``aria-hidden``): the
    number and the table carry the value. ``None`` draws the empty track only."""
    track = _el("rect", {"x": 0.0, "y": 0.0, "width": 100.0, "height": 10.0, "fill": _TRACK})
    edge = _el(
        "rect",
        {
            "x": 0.5,
            "y": 0.5,
            "width": 99.0,
            "height": 9.0,
            "fill": "none",
            "stroke": _GRID,
            "stroke-width": 1.0,
        },
    )
    bar = ""
    if value is not None:
        width = max(min(value, 100.0), 0.0)
        bar = _el(
            "rect",
            {"x": 0.0, "y": 0.0, "width": max(width, 1.0), "height": 10.0, "fill": BLUE},
        )
    attrs: dict[str, Attr] = {
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": "0 0 100 10",
        "preserveAspectRatio": "none",
        "class": "reading-bar",
        "aria-hidden": "true",
        "focusable": "false",
    }
    return _el("svg", attrs, track + bar + edge)


def _suppressed(doc: _Doc, *, title: str, alt: str, table: list[list[str]], message: str) -> Chart:
    """A chart whose figures are all hidden: a box with the words, nothing else."""
    doc.placeholder(_PAD, _PAD, WIDTH - 2 * _PAD, 48.0, message)
    return Chart(doc.render(height=48.0 + 2 * _PAD, title=title, desc=alt), alt, table)


def _ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values from low to high: 0-10 by 2, 0-70 by 10, 1-5 by 1, 0-100 by 20."""
    span = high - low
    magnitude = 10 ** math.floor(math.log10(span / target))

    def badness(step: float) -> float:
        count = span / step
        whole = abs(count - round(count)) < 1e-9 and abs(low / step - round(low / step)) < 1e-9
        return abs(count - target) + (0 if whole else 2)

    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10)), key=badness)
    first = math.ceil(low / step - 1e-9) * step
    count = math.floor((high - first) / step + 1e-9)
    return [first + i * step for i in range(count + 1)]


def _tick_text(value: float, lang: str) -> str:
    return format_number(value, lang, 0 if abs(value - round(value)) < 1e-9 else 1)


def _check_range(low: float, high: float) -> None:
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ValueError(f"a scale needs min < max, got {low}..{high}")


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(value, low), high)


def _legend(doc: _Doc, top: float, entries: Sequence[tuple[str, str, str]]) -> float:
    """Swatches with their names, flowing onto new lines; entries are (shape, fill, name)."""
    x, line_h = _PAD, _FONT * _LEADING
    for shape, fill, name in entries:
        lines = _wrap(name, WIDTH - 2 * _PAD - 20)
        width = 20 + max(_text_width(line) for line in lines) + 16
        if x > _PAD and x + width > WIDTH - _PAD:
            x, top = _PAD, top + line_h
        middle = top + line_h / 2 - 1
        if shape == "bar":
            doc.add("rect", x=x, y=middle - 6, width=14.0, height=12.0, fill=fill)
        else:
            _marker(doc, shape, x + 7, middle, fill, "legend-marker")
        doc.block(x + 20, top, lines)
        if len(lines) > 1:
            x, top = WIDTH, top + (len(lines) - 1) * line_h
        else:
            x += width
    return top + line_h + 8


_MARKER_SHAPES: Final = ("diamond", "triangle", "square")
_MARKER_COLOURS: Final = (VERMILLION, INK, BLUISH_GREEN)


def _marker(doc: _Doc, shape: str, x: float, y: float, colour: str, class_: str) -> None:
    r = 7.0
    corners: tuple[tuple[float, float], ...]
    if shape == "diamond":
        corners = ((x, y - r), (x + r, y), (x, y + r), (x - r, y))
    elif shape == "triangle":
        corners = ((x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8))
    else:
        s = r * 0.8
        corners = ((x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s))
    points = " ".join(f"{_num(px)},{_num(py)}" for px, py in corners)
    doc.add("polygon", points=points, fill=colour, stroke=WHITE, stroke_width=1.5, class_=class_)


# --------------------------------------------------------------------------- four zones

Zone = Literal["learning", "comfort", "anxiety", "apathy"]

_ZONE_NAMES: Final[Mapping[Zone, tuple[str, str]]] = {
    "learning": ("Læring", "Learning"),
    "comfort": ("Komfort", "Comfort"),
    "anxiety": ("Angst", "Anxiety"),
    "apathy": ("Apati", "Apathy"),
}
_ZONE_MEANING: Final[Mapping[Zone, tuple[str, str]]] = {
    "learning": (
        "høj psykologisk tryghed og højt fokus på opgaven",
        "high psychological safety and high focus on the task",
    ),
    "comfort": (
        "høj psykologisk tryghed og lavt fokus på opgaven",
        "high psychological safety and low focus on the task",
    ),
    "anxiety": (
        "lav psykologisk tryghed og højt fokus på opgaven",
        "low psychological safety and high focus on the task",
    ),
    "apathy": (
        "lav psykologisk tryghed og lavt fokus på opgaven",
        "low psychological safety and low focus on the task",
    ),
}


def _zone_name(zone: Zone, lang: str) -> str:
    da, en = _ZONE_NAMES[zone]
    return _t(lang, da, en)


def _zone_of(safety: float, focus: float, split: float) -> Zone:
    # On the split counts as high, as in core.scoring.zone_placement.
    if safety >= split:
        return "learning" if focus >= split else "comfort"
    return "anxiety" if focus >= split else "apathy"


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def zone_chart(
    *,
    safety: float | None,
    safety_ci95: tuple[float, float] | None,
    focus: float | None,
    focus_ci95: tuple[float, float] | None,
    lang: str,
    id_prefix: str,
    split: float = 0.5,
    unit_label: str | None = None,
    title: str | None = None,
    hidden_text: str | None = None,
) -> Chart:
    """The four zones of seed 000: x = focus on the task, y = psychological safety.

    Both axes are shares 0..1 of their scale's range (as ``ZonePlacement`` holds them)
    and read 0-100. The point carries its 95 % intervals as whiskers on both axes; when
    an interval crosses the split (or is missing) the text says the zone is uncertain.
    """
    doc = _Doc(id_prefix)
    hidden = hidden_text or hidden_label(lang)
    unit = unit_label or _t(lang, "Enheden", "The unit")
    unit_in_sentence = unit_label or _t(lang, "enheden", "the unit")
    safety_name = _t(lang, "Psykologisk tryghed", "Psychological safety")
    focus_name = _t(lang, "Fokus på opgaven", "Focus on the task")
    title = title or _t(lang, "De fire zoner", "The four zones")
    shown = safety is not None and focus is not None

    x0, y0 = 64.0, 10.0
    size = WIDTH - x0 - 16.0

    def px(share: float) -> float:
        return x0 + _clamp(share) * size

    def py(share: float) -> float:
        return y0 + (1.0 - _clamp(share)) * size

    sx, sy = px(split), py(split)
    quadrants: tuple[tuple[Zone, Box], ...] = (
        ("comfort", (x0, y0, sx, sy)),
        ("learning", (sx, y0, x0 + size, sy)),
        ("apathy", (x0, sy, sx, y0 + size)),
        ("anxiety", (sx, sy, x0 + size, y0 + size)),
    )
    for zone, (left, top, right, bottom) in quadrants:
        doc.add(
            "rect",
            x=left,
            y=top,
            width=right - left,
            height=bottom - top,
            fill=_QUADRANT_TINTS[zone],
            class_=f"zone-{zone}",
        )

    # What the point and its whiskers cover; a zone label moves out of their way.
    taken: list[Box] = []
    if safety is not None and focus is not None:
        cx, cy = px(focus), py(safety)
        taken.append((cx - 12, cy - 12, cx + 12, cy + 12))
        if focus_ci95 is not None:
            taken.append((px(focus_ci95[0]) - 2, cy - 8, px(focus_ci95[1]) + 2, cy + 8))
        if safety_ci95 is not None:
            taken.append((cx - 8, py(safety_ci95[1]) - 2, cx + 8, py(safety_ci95[0]) + 2))
    label_size = 17.0
    for zone, (left, top, right, bottom) in quadrants:
        name = _zone_name(zone, lang)
        width = _text_width(name, label_size, bold=True)
        at_right = zone in ("learning", "anxiety")
        lx = right - 8 if at_right else left + 8
        box_x = (lx - width, lx) if at_right else (lx, lx + width)
        outer_top = zone in ("learning", "comfort")
        rows = (
            (top + 6, bottom - 6 - label_size) if outer_top else (bottom - 6 - label_size, top + 6)
        )
        row = next(
            (
                r
                for r in rows
                if not any(_overlaps((box_x[0], r, box_x[1], r + label_size), t) for t in taken)
            ),
            rows[0],
        )
        doc.text(
            lx,
            row + label_size * 0.85,
            name,
            size=label_size,
            bold=True,
            anchor="end" if at_right else "start",
            class_="zone-label",
        )

    doc.add(
        "rect",
        x=x0,
        y=y0,
        width=size,
        height=size,
        fill="none",
        stroke=INK,
        stroke_width=1.5,
        class_="plot-area",
    )
    for x1, y1, x2, y2 in ((sx, y0, sx, y0 + size), (x0, sy, x0 + size, sy)):
        doc.add(
            "line",
            x1=x1,
            y1=y1,
            x2=x2,
            y2=y2,
            stroke=INK,
            stroke_width=1.5,
            stroke_dasharray="5 4",
            class_="split",
        )

    scale_note = " (0–100)" if shown else ""
    mid_y = y0 + size / 2
    doc.text(
        18,
        mid_y,
        safety_name + scale_note,
        anchor="middle",
        transform=f"rotate(-90 18 {_num(mid_y)})",
    )
    below = doc.block(x0 + size / 2, y0 + size + 26, [focus_name + scale_note], anchor="middle")

    if safety is None or focus is None:
        doc.placeholder(x0 + 16, mid_y - 22, size - 32, 44.0, hidden)
        alt = _t(
            lang,
            f"De fire zoner kan ikke vises for {unit_in_sentence}: {hidden}.",
            f"The four zones cannot be shown for {unit_in_sentence}: {hidden}.",
        )
        table = [
            [_t(lang, "Mål", "Measure"), _t(lang, "Værdi", "Value")],
            [safety_name, hidden],
            [focus_name, hidden],
        ]
        return Chart(doc.render(height=below + _PAD, title=title, desc=alt), alt, table)

    for tick in (0.0, split, 1.0):
        label = _tick_text(tick * 100, lang)
        doc.text(px(tick), y0 + size + 20, label, anchor="middle")
        doc.text(x0 - 6, py(tick) + 5, label, anchor="end")

    cx, cy = px(focus), py(safety)
    cap = 6.0
    if focus_ci95 is not None:
        a, b = px(focus_ci95[0]), px(focus_ci95[1])
        doc.add("line", x1=a, y1=cy, x2=b, y2=cy, stroke=INK, stroke_width=2.0, class_="ci-focus")
        for end in (a, b):
            doc.add("line", x1=end, y1=cy - cap, x2=end, y2=cy + cap, stroke=INK, stroke_width=2.0)
    if safety_ci95 is not None:
        a, b = py(safety_ci95[0]), py(safety_ci95[1])
        doc.add("line", x1=cx, y1=a, x2=cx, y2=b, stroke=INK, stroke_width=2.0, class_="ci-safety")
        for end in (a, b):
            doc.add("line", x1=cx - cap, y1=end, x2=cx + cap, y2=end, stroke=INK, stroke_width=2.0)
    doc.add(
        "circle", cx=cx, cy=cy, r=7.5, fill=BLUE, stroke=WHITE, stroke_width=2.0, class_="point"
    )

    # Legend: what the point and the whiskers stand for.
    top = below + 6
    line_h = _FONT * _LEADING
    doc.add("circle", cx=_PAD + 7, cy=top + line_h / 2 - 1, r=6.5, fill=BLUE)
    top = doc.block(_PAD + 22, top, _wrap(unit, WIDTH - 2 * _PAD - 22))
    mid = top + line_h / 2 - 1
    doc.add("line", x1=_PAD, y1=mid, x2=_PAD + 14, y2=mid, stroke=INK, stroke_width=2.0)
    for end in (_PAD, _PAD + 14):
        doc.add("line", x1=end, y1=mid - 5, x2=end, y2=mid + 5, stroke=INK, stroke_width=2.0)
    top = doc.block(_PAD + 22, top, _wrap(_ci_words(lang), WIDTH - 2 * _PAD - 22))

    zone = _zone_of(safety, focus, split)
    da_zone, en_zone = _ZONE_MEANING[zone]

    def interval(ci: tuple[float, float] | None) -> str:
        if ci is None:
            return ""
        return _span(format_number(ci[0] * 100, lang), format_number(ci[1] * 100, lang))

    def reading(value: float, ci: tuple[float, float] | None) -> str:
        text = format_number(value * 100, lang)
        return text + (f" ({_ci_words(lang)} {interval(ci)})" if ci is not None else "")

    def crosses(ci: tuple[float, float] | None) -> bool:
        return ci is None or ci[0] < split < ci[1]

    uncertain = [
        name.lower()
        for name, ci in ((safety_name, safety_ci95), (focus_name, focus_ci95))
        if crosses(ci)
    ]
    split_text = format_number(split * 100, lang, 0)
    alt = _t(
        lang,
        f"{unit} ligger i zonen {_zone_name(zone, lang)} ({da_zone}): psykologisk tryghed "
        f"{reading(safety, safety_ci95)} og fokus på opgaven {reading(focus, focus_ci95)} "
        f"på en skala fra 0 til 100, delt ved {split_text}.",
        f"{unit} lies in the {_zone_name(zone, lang)} zone ({en_zone}): psychological safety "
        f"{reading(safety, safety_ci95)} and focus on the task {reading(focus, focus_ci95)} "
        f"on a scale from 0 to 100, split at {split_text}.",
    )
    if uncertain:
        names = _t(lang, " og ", " and ").join(uncertain)
        alt += _t(
            lang,
            f" Intervallet for {names} krydser midten eller mangler, så zonen er usikker.",
            f" The interval for {names} crosses the split or is missing, so the zone is uncertain.",
        )
    caption = f"Zone: {_zone_name(zone, lang)}" + (
        _t(lang, " (usikker)", " (uncertain)") if uncertain else ""
    )
    table = [
        [_t(lang, "Mål", "Measure"), _t(lang, "Værdi (0–100)", "Value (0–100)"), _ci_words(lang)],
        [safety_name, format_number(safety * 100, lang), interval(safety_ci95)],
        [focus_name, format_number(focus * 100, lang), interval(focus_ci95)],
        [_t(lang, "Zone", "Zone"), caption.removeprefix("Zone: "), ""],
    ]
    return Chart(doc.render(height=top + _PAD, title=title, desc=alt), alt, table, caption)


# --------------------------------------------------------------------------- distribution


def distribution_chart(
    *,
    labels: Sequence[str],
    counts: Sequence[int] | None,
    lang: str,
    id_prefix: str,
    show_counts: bool = True,
    category_name: str | None = None,
    title: str | None = None,
    hidden_text: str | None = None,
) -> Chart:
    """Horizontal bars, one per answer option or score bin, with the share (and count).

    ``counts`` is None when the distribution is suppressed; then not even the option
    labels are drawn (a bin label such as "1-2 gange" holds numbers too).
    """
    doc = _Doc(id_prefix)
    hidden = hidden_text or hidden_label(lang)
    title = title or _t(lang, "Fordeling af svarene", "Distribution of the answers")
    category = category_name or _t(lang, "Svar", "Answer")
    if counts is None:
        alt = _t(
            lang, f"Fordelingen vises ikke: {hidden}.", f"The distribution is not shown: {hidden}."
        )
        return _suppressed(doc, title=title, alt=alt, table=[[category], [hidden]], message=hidden)
    if len(labels) != len(counts):
        raise ValueError("labels and counts differ in length")
    if any(c < 0 for c in counts):
        raise ValueError("counts cannot be negative")

    total = sum(counts)
    shares = [c / total if total else 0.0 for c in counts]
    values = [
        f"{_count(c, lang)} ({format_percent(s, lang, 0)})"
        if show_counts
        else format_percent(s, lang, 0)
        for c, s in zip(counts, shares, strict=True)
    ]
    room = 8 + max((_text_width(v) for v in values), default=0.0)
    longest = max(shares, default=0.0)
    full = WIDTH - 2 * _PAD - room
    top = _PAD
    for label, share, value in zip(labels, shares, values, strict=True):
        top = doc.block(_PAD, top, _wrap(label, WIDTH - 2 * _PAD)) + 2
        length = full * share / longest if longest else 0.0
        if length > 0:
            doc.add(
                "rect", x=_PAD, y=top, width=max(length, 2.0), height=20.0, fill=BLUE, class_="bar"
            )
        doc.text(_PAD + length + 6, top + 15, value)
        top += 20 + 12

    parts = "; ".join(f"{label} {value}" for label, value in zip(labels, values, strict=True))
    alt = _t(
        lang,
        f"Fordelingen af {_count(total, lang)} svar: {parts}.",
        f"The distribution of {_count(total, lang)} answers: {parts}.",
    )
    share_word, count_word = _t(lang, "Andel", "Share"), _t(lang, "Antal", "Count")
    header = [category, count_word, share_word] if show_counts else [category, share_word]
    rows = [
        [label, *([_count(c, lang)] if show_counts else []), format_percent(s, lang, 0)]
        for label, c, s in zip(labels, counts, shares, strict=True)
    ]
    caption = _n_equals(total, lang)
    return Chart(
        doc.render(height=top - 12 + _PAD, title=title, desc=alt), alt, [header, *rows], caption
    )


# --------------------------------------------------------------------------- item profile


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One item: its mean in the unit (None = suppressed) and in each comparison group."""

    label: str
    value: float | None
    comparisons: tuple[float | None, ...] = ()


def item_profile_chart(
    *,
    rows: Sequence[ProfileRow],
    scale_min: float,
    scale_max: float,
    lang: str,
    id_prefix: str,
    series_name: str | None = None,
    comparison_names: Sequence[str] = (),
    decimals: int = 1,
    title: str | None = None,
    hidden_text: str | None = None,
) -> Chart:
    """Item means as horizontal bars on a fixed scale, with up to three comparison markers
    per item (for example the parent unit and the organisation), each with its own shape."""
    _check_range(scale_min, scale_max)
    if len(comparison_names) > len(_MARKER_SHAPES):
        raise ValueError(f"at most {len(_MARKER_SHAPES)} comparisons")
    for row in rows:
        if len(row.comparisons) != len(comparison_names):
            raise ValueError(f"row {row.label!r} has {len(row.comparisons)} comparisons")
    doc = _Doc(id_prefix)
    hidden = hidden_text or hidden_label(lang)
    series = series_name or _t(lang, "Enheden", "The unit")
    title = title or _t(lang, "Spørgsmålsprofil", "Item profile")

    def fmt(value: float | None) -> str:
        return hidden if value is None else format_number(value, lang, decimals)

    table = [
        [_t(lang, "Spørgsmål", "Item"), series, *comparison_names],
        *([r.label, fmt(r.value), *(fmt(c) for c in r.comparisons)] for r in rows),
    ]
    if all(r.value is None and all(c is None for c in r.comparisons) for r in rows):
        alt = _t(lang, f"Profilen vises ikke: {hidden}.", f"The profile is not shown: {hidden}.")
        return _suppressed(doc, title=title, alt=alt, table=table, message=hidden)

    left, right = _PAD, WIDTH - _PAD - 48

    def px(value: float) -> float:
        share = (_clamp(value, scale_min, scale_max) - scale_min) / (scale_max - scale_min)
        return left + share * (right - left)

    entries = [("bar", BLUE, series)] + [
        (_MARKER_SHAPES[i], _MARKER_COLOURS[i], name) for i, name in enumerate(comparison_names)
    ]
    top = _legend(doc, _PAD, entries)
    ticks = _ticks(scale_min, scale_max)
    bar_h = 18.0
    for row in rows:
        top = doc.block(_PAD, top, _wrap(row.label, WIDTH - 2 * _PAD)) + 2
        doc.add("rect", x=left, y=top, width=right - left, height=bar_h, fill=_TRACK)
        if row.value is None:
            doc.text(left + 6, top + 14, hidden, italic=True, class_="suppressed")
        else:
            # Grid lines only across the bar's track, not through the item's wording.
            for t in ticks:
                doc.add("line", x1=px(t), y1=top, x2=px(t), y2=top + bar_h, stroke=_GRID)
            width = max(px(row.value) - left, 1.5)
            doc.add("rect", x=left, y=top, width=width, height=bar_h, fill=BLUE, class_="bar")
            doc.text(
                WIDTH - _PAD,
                top + 14,
                format_number(row.value, lang, decimals),
                anchor="end",
                bold=True,
            )
        for i, value in enumerate(row.comparisons):
            if value is not None:
                _marker(
                    doc,
                    _MARKER_SHAPES[i],
                    px(value),
                    top + bar_h / 2,
                    _MARKER_COLOURS[i],
                    f"marker-{i + 1}",
                )
        top += bar_h + 14
    grid_bottom = top - 10
    doc.add("line", x1=left, y1=grid_bottom, x2=right, y2=grid_bottom, stroke=INK_SOFT)
    for t in ticks:
        doc.add("line", x1=px(t), y1=grid_bottom, x2=px(t), y2=grid_bottom + 4, stroke=INK_SOFT)
        doc.text(px(t), grid_bottom + 19, _tick_text(t, lang), anchor="middle")

    scale = _t(
        lang,
        f"på en skala fra {_tick_text(scale_min, lang)} til {_tick_text(scale_max, lang)}",
        f"on a scale from {_tick_text(scale_min, lang)} to {_tick_text(scale_max, lang)}",
    )

    def said(row: ProfileRow) -> str:
        others = [
            f"{name} {fmt(c)}" for name, c in zip(comparison_names, row.comparisons, strict=True)
        ]
        return f"{row.label}: {fmt(row.value)}" + (f" ({'; '.join(others)})" if others else "")

    mean_words = _t(lang, "gennemsnit pr. spørgsmål", "mean per item")
    alt = f"{series}, {mean_words} {scale}: " + ". ".join(said(r) for r in rows) + "."
    return Chart(doc.render(height=grid_bottom + 24 + _PAD, title=title, desc=alt), alt, table)


# --------------------------------------------------------------------------- maturity staircase

MATURITY_LEVELS: Final[Mapping[str, tuple[str, ...]]] = {
    "da": ("Passivt", "Reaktivt", "Aktivt", "Proaktivt", "Skabende"),
    "en": ("Passive", "Reactive", "Active", "Proactive", "Creating"),
}


def _level_reading(score: float, names: Sequence[str], lang: str) -> str:
    """3.5 → "mellem Aktivt (3) og Proaktivt (4)", worded as core.scoring.level_reading."""

    def named(level: int) -> str:
        return f"{names[level - 1]} ({level})"

    if score <= 1:
        return named(1)
    if score >= len(names):
        return named(len(names))
    lower = math.floor(score)
    if score == lower:
        return named(lower)
    upper = lower + 1
    return _t(
        lang,
        f"mellem {named(lower)} og {named(upper)}",
        f"between {named(lower)} and {named(upper)}",
    )


def maturity_staircase(
    *,
    score: float | None,
    lang: str,
    id_prefix: str,
    ci95: tuple[float, float] | None = None,
    levels: Sequence[str] | None = None,
    n: int | None = None,
    title: str | None = None,
    hidden_text: str | None = None,
) -> Chart:
    """The maturity staircase of seed 004: one step per level 1..k, each step's middle at
    its level, so a score of 3.5 is marked on the edge between Aktivt (3) and Proaktivt (4).
    ``levels`` are the step names (default: the five Vision Zero levels in ``lang``)."""
    names = (
        list(levels) if levels is not None else list(MATURITY_LEVELS["en" if _en(lang) else "da"])
    )
    if len(names) < 2:
        raise ValueError("a staircase needs at least two levels")
    doc = _Doc(id_prefix)
    hidden = hidden_text or hidden_label(lang)
    title = title or _t(lang, "Trivselsmodenhed", "Wellbeing maturity")
    k = len(names)
    step_w = (WIDTH - 2 * _PAD) / k
    rise = 26.0
    base = 54.0 + k * rise

    def px(value: float) -> float:
        return _PAD + (_clamp(value, 1, k) - 0.5) * step_w

    for level in range(1, k + 1):
        x = _PAD + (level - 1) * step_w
        reached = score is not None and score >= level
        doc.add(
            "rect",
            x=x,
            y=base - level * rise,
            width=step_w,
            height=level * rise,
            fill=_REACHED if reached else _UNREACHED,
            stroke=INK,
            stroke_width=1.5,
            class_="step",
            data_level=str(level),
        )
        if score is not None:
            doc.text(
                x + step_w / 2, base - level * rise + 19, str(level), anchor="middle", bold=True
            )
    bottom = base
    for level, name in enumerate(names, start=1):
        lines = _wrap(name, step_w - 2)
        bottom = max(
            bottom, doc.block(_PAD + (level - 0.5) * step_w, base + 6, lines, anchor="middle")
        )

    ends = _t(lang, f"fra {names[0]} til {names[-1]}", f"from {names[0]} to {names[-1]}")
    if score is None:
        doc.placeholder(_PAD, _PAD, WIDTH - 2 * _PAD, 36.0, hidden)
        alt = _t(
            lang,
            f"Trivselsmodenheden på trappen {ends} vises ikke: {hidden}.",
            f"The wellbeing maturity on the staircase {ends} is not shown: {hidden}.",
        )
        table = [[_t(lang, "Mål", "Measure"), _t(lang, "Værdi", "Value")], ["Score", hidden]]
        return Chart(doc.render(height=bottom + _PAD, title=title, desc=alt), alt, table)

    mx = px(score)
    score_text = format_number(score, lang)
    # The pin stands on the step under it (on an edge, the higher one), so it never
    # crosses a step's number.
    under = min(max(math.floor(score + 0.5), 1), k)
    doc.add(
        "line",
        x1=mx,
        y1=36.0,
        x2=mx,
        y2=base - under * rise,
        stroke=VERMILLION,
        stroke_width=3.0,
        class_="marker",
    )
    doc.add("polygon", points=f"{_num(mx - 7)},27 {_num(mx + 7)},27 {_num(mx)},38", fill=VERMILLION)
    label_w = _text_width(score_text, 17, bold=True)
    label_x = _clamp(mx, _PAD + label_w / 2, WIDTH - _PAD - label_w / 2)
    doc.text(label_x, 21, score_text, anchor="middle", bold=True, size=17.0, class_="score")
    if ci95 is not None:
        a, b = px(ci95[0]), px(ci95[1])
        doc.add("line", x1=a, y1=44.0, x2=b, y2=44.0, stroke=INK, stroke_width=2.0, class_="ci")
        for end in (a, b):
            doc.add("line", x1=end, y1=39.0, x2=end, y2=49.0, stroke=INK, stroke_width=2.0)

    reading = _level_reading(score, names, lang)
    ci_text = _span(format_number(ci95[0], lang), format_number(ci95[1], lang)) if ci95 else ""
    extra = f" ({_ci_words(lang)} {ci_text})" if ci95 is not None else ""
    if n is not None:
        extra += _t(lang, f", {_count(n, lang)} svar", f", {_count(n, lang)} responses")
    alt = _t(
        lang,
        f"Trivselsmodenheden er {score_text}{extra} på trappen {ends} (1–{k}): {reading}.",
        f"The wellbeing maturity is {score_text}{extra} on the staircase {ends} (1–{k}): {reading}.",
    )
    table = [
        [_t(lang, "Mål", "Measure"), _t(lang, "Værdi", "Value")],
        ["Score", score_text],
        [_t(lang, "Niveau", "Level"), reading],
    ]
    if ci95 is not None:
        table.append([_ci_words(lang), ci_text])
    if n is not None:
        table.append(["n", _count(n, lang)])
    caption = reading[0].upper() + reading[1:]
    return Chart(doc.render(height=bottom + _PAD, title=title, desc=alt), alt, table, caption)


# --------------------------------------------------------------------------- support needs


@dataclass(frozen=True, slots=True)
class SupportRow:
    """One kind of support: the shares answering 1-3, 4-7 and 8-10 (None = suppressed)."""

    label: str
    shares: tuple[float, float, float] | None
    mean: float | None = None


def support_needs_chart(
    *,
    rows: Sequence[SupportRow],
    lang: str,
    id_prefix: str,
    title: str | None = None,
    hidden_text: str | None = None,
) -> Chart:
    """Stacked bars per kind of support: "vil have mindre", "det er fint", "har brug for
    mere" (seed 002, metode 16). A need scale, not "higher is better": the three parts keep
    their order and colour, "mere" is hatched, and the shares are written under each bar."""
    doc = _Doc(id_prefix)
    hidden = hidden_text or hidden_label(lang)
    title = title or _t(lang, "Behov for social støtte", "Need for social support")
    names = (
        _t(lang, "Vil have mindre", "Want less"),
        _t(lang, "Det er fint", "It is fine"),
        _t(lang, "Har brug for mere", "Need more"),
    )
    short = (_t(lang, "Mindre", "Less"), _t(lang, "Fint", "Fine"), _t(lang, "Mere", "More"))
    ranges = ("1–3", "4–7", "8–10")
    mean_word = _t(lang, "Gennemsnit", "Mean")

    def table_row(row: SupportRow) -> list[str]:
        if row.shares is None:
            return [row.label, hidden, hidden, hidden, hidden]
        mean = "" if row.mean is None else format_number(row.mean, lang)
        return [row.label, *(format_percent(s, lang, 0) for s in row.shares), mean]

    # The answer ranges are in the legend and the text; a header with numbers would put
    # numbers in a table whose figures are all hidden.
    header = [_t(lang, "Type", "Kind"), *names, mean_word]
    table = [header, *(table_row(row) for row in rows)]
    if all(row.shares is None for row in rows):
        alt = _t(
            lang,
            f"Behovet for støtte vises ikke: {hidden}.",
            f"The need for support is not shown: {hidden}.",
        )
        return _suppressed(doc, title=title, alt=alt, table=table, message=hidden)

    fills = (BLUE, GREY, doc.hatch("more", WHITE, VERMILLION))
    entries = [("bar", fill, f"{a} ({r})") for fill, a, r in zip(fills, names, ranges, strict=True)]
    top = _legend(doc, _PAD, entries)
    full = WIDTH - 2 * _PAD
    bar_h = 22.0
    said: list[str] = []
    for row in rows:
        top = doc.block(_PAD, top, _wrap(row.label, full, bold=True), bold=True) + 2
        if row.shares is None:
            doc.add(
                "rect",
                x=_PAD,
                y=top,
                width=full,
                height=bar_h,
                fill=WHITE,
                stroke=INK_SOFT,
                stroke_dasharray="6 4",
            )
            doc.text(_PAD + 8, top + 16, hidden, italic=True, class_="suppressed")
            said.append(f"{row.label}: {hidden}")
            top += bar_h + 16
            continue
        total = sum(row.shares) or 1.0
        x = _PAD
        for i, share in enumerate(row.shares):
            width = full * share / total
            if width > 0:
                gap = 1.5 if x + width < _PAD + full - 0.01 else 0.0  # white seam between parts
                doc.add(
                    "rect",
                    x=x,
                    y=top,
                    width=max(width - gap, 0.75),
                    height=bar_h,
                    fill=fills[i],
                    class_=f"part-{i + 1}",
                )
            x += width
        line = " · ".join(
            f"{s} {format_percent(v, lang, 0)}" for s, v in zip(short, row.shares, strict=True)
        )
        if row.mean is not None:
            line += f" · {_t(lang, 'Gns.', 'Mean')} {format_number(row.mean, lang)}"
        top = doc.block(_PAD, top + bar_h + 5, _wrap(line, full)) + 12
        parts = ", ".join(
            f"{format_percent(v, lang, 0)} {a.lower()}"
            for a, v in zip(names, row.shares, strict=True)
        )
        if row.mean is not None:
            parts += f" ({mean_word.lower()} {format_number(row.mean, lang)})"
        said.append(f"{row.label}: {parts}")
    intro = _t(
        lang,
        "Behov for social støtte pr. type; svar 1–3 vil have mindre, 4–7 det er fint, "
        "8–10 har brug for mere. ",
        "Need for social support per kind; answers 1–3 want less, 4–7 it is fine, 8–10 need more. ",
    )
    alt = intro + ". ".join(said) + "."
    return Chart(doc.render(height=top - 12 + _PAD, title=title, desc=alt), alt, table)


# --------------------------------------------------------------------------- key figure

ReferencePosition = Literal["above", "below", "within", "equal"]

_POSITION_WORDS: Final[Mapping[ReferencePosition, tuple[str, str]]] = {
    "above": ("over", "above"),
    "below": ("under", "below"),
    "within": ("inden for", "within"),
    "equal": ("på niveau med", "level with"),
}


def _position(
    share: float, reference: float | None, band: tuple[float, float] | None
) -> ReferencePosition | None:
    # As core.scoring.reference_position.
    if band is not None:
        return "below" if share < band[0] else "above" if share > band[1] else "within"
    if reference is not None:
        return "above" if share > reference else "below" if share < reference else "equal"
    return None


def key_figure_chart(
    *,
    share: float | None,
    label: str,
    lang: str,
    id_prefix: str,
    reference: float | None = None,
    reference_range: tuple[float, float] | None = None,
    reference_label: str | None = None,
    n: int | None = None,
    decimals: int = 1,
    title: str | None = None,
    hidden_text: str | None = None,
) -> Chart:
    """A share 0..1 as a bar on 0-100 %, beside a reference line (stress: 17.7 %) or a
    reference band (tavshed: 50-70 %), drawn dashed or hatched and labelled in words."""
    if reference is not None and reference_range is not None:
        raise ValueError("give a reference value or a reference range, not both")
    band = (min(reference_range), max(reference_range)) if reference_range is not None else None
    doc = _Doc(id_prefix)
    hidden = hidden_text or hidden_label(lang)
    title = title or label
    ref_name = reference_label or _t(lang, "Reference", "Reference")
    share_word = _t(lang, "Andel", "Share")
    if share is None:
        top = doc.block(_PAD, _PAD, _wrap(label, WIDTH - 2 * _PAD, bold=True), bold=True)
        alt = _t(lang, f"{label}: vises ikke, {hidden}.", f"{label}: not shown, {hidden}.")
        table = [[_t(lang, "Nøgletal", "Key figure"), share_word], [label, hidden]]
        doc.placeholder(_PAD, top + 4, WIDTH - 2 * _PAD, 40.0, hidden)
        return Chart(doc.render(height=top + 44 + _PAD, title=title, desc=alt), alt, table)

    # The figure in large type, then what it counts; the bar needs no label of its own.
    value_text = format_percent(share, lang, decimals)
    top = doc.block(_PAD, _PAD, [value_text], size=24.0, bold=True)
    top = doc.block(_PAD, top, _wrap(label, WIDTH - 2 * _PAD))

    left, right = _PAD + 2, WIDTH - _PAD - 2

    def px(value: float) -> float:
        return left + _clamp(value) * (right - left)

    top += 12
    bar_h = 28.0
    if band is not None:
        hatch = doc.hatch("band", _GRID, WHITE)
        doc.add(
            "rect",
            x=px(band[0]),
            y=top - 8,
            width=px(band[1]) - px(band[0]),
            height=bar_h + 16,
            fill=hatch,
            class_="band",
        )
    doc.add("rect", x=left, y=top, width=right - left, height=bar_h, fill="none", stroke=INK_SOFT)
    if share > 0:
        doc.add(
            "rect", x=left, y=top, width=px(share) - left, height=bar_h, fill=BLUE, class_="bar"
        )
    # The reference is drawn over the bar (ink on the blue is 3.2:1), so it is never hidden.
    if band is not None:
        for edge in band:
            doc.add(
                "line",
                x1=px(edge),
                y1=top - 8,
                x2=px(edge),
                y2=top + bar_h + 8,
                stroke=INK,
                stroke_width=2.0,
                class_="band-edge",
            )
    if reference is not None:
        doc.add(
            "line",
            x1=px(reference),
            y1=top - 10,
            x2=px(reference),
            y2=top + bar_h + 8,
            stroke=INK,
            stroke_width=2.5,
            stroke_dasharray="5 3",
            class_="reference",
        )
    top += bar_h + 8
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        anchor: Anchor = "start" if tick == 0 else "end" if tick == 1 else "middle"
        doc.text(px(tick), top + 16, format_percent(tick, lang, 0), anchor=anchor, fill=INK_SOFT)
    top += 26

    if band is not None:
        ref_text = _span(format_number(band[0] * 100, lang, 0), format_percent(band[1], lang, 0))
        centre = (px(band[0]) + px(band[1])) / 2
    elif reference is not None:
        ref_text, centre = format_percent(reference, lang, decimals), px(reference)
    else:
        ref_text, centre = "", 0.0
    if ref_text:
        lines = _wrap(f"{ref_name}: {ref_text}", WIDTH - 2 * _PAD, bold=True)
        half = max(_text_width(line, bold=True) for line in lines) / 2
        x = _clamp(centre, _PAD + half, WIDTH - _PAD - half)
        top = doc.block(x, top, lines, anchor="middle", bold=True)

    alt = f"{label}: {value_text}" + (f" ({_n_equals(n, lang)})" if n is not None else "") + "."
    position = _position(share, reference, band)
    if position is not None:
        da_word, en_word = _POSITION_WORDS[position]
        alt += _t(
            lang,
            f" {ref_name}: {ref_text}; andelen ligger {da_word} referencen.",
            f" {ref_name}: {ref_text}; the share is {en_word} the reference.",
        )
    table = [[_t(lang, "Nøgletal", "Key figure"), share_word], [label, value_text]]
    if ref_text:
        table.append([ref_name, ref_text])
    caption = _n_equals(n, lang) if n is not None else ""
    return Chart(doc.render(height=top + _PAD, title=title, desc=alt), alt, table, caption)


# --------------------------------------------------------------------------- unit scatter


@dataclass(frozen=True, slots=True)
class ScatterPoint:
    """One unit's two figures; either None when suppressed (the unit is then left out)."""

    label: str
    x: float | None
    y: float | None


def unit_scatter(
    *,
    points: Sequence[ScatterPoint],
    x_label: str,
    y_label: str,
    r: float | None,
    lang: str,
    id_prefix: str,
    x_range: tuple[float, float] = (0.0, 100.0),
    y_range: tuple[float, float] = (0.0, 100.0),
    decimals: int = 1,
    title: str | None = None,
    hidden_text: str | None = None,
) -> Chart:
    """One dot per unit for the unit-level correlation view (seed 003), with r and the
    number of units in the caption; suppressed units are left out and counted."""
    _check_range(*x_range)
    _check_range(*y_range)
    doc = _Doc(id_prefix)
    hidden = hidden_text or hidden_label(lang)
    title = title or _t(
        lang, f"{y_label} og {x_label} pr. enhed", f"{y_label} and {x_label} per unit"
    )

    def fmt(value: float | None) -> str:
        return hidden if value is None else format_number(value, lang, decimals)

    table = [
        [_t(lang, "Enhed", "Unit"), x_label, y_label],
        *([p.label, fmt(p.x), fmt(p.y)] for p in points),
    ]
    shown = [(p.label, p.x, p.y) for p in points if p.x is not None and p.y is not None]
    if not shown:
        alt = _t(
            lang, f"Sammenhængen vises ikke: {hidden}.", f"The relationship is not shown: {hidden}."
        )
        return _suppressed(doc, title=title, alt=alt, table=table, message=hidden)

    n = len(shown)
    units = _t(lang, "enhed", "unit") if n == 1 else _t(lang, "enheder", "units")
    r_text = (
        f"r{NBSP}={NBSP}{format_number(r, lang, 2)}"
        if r is not None
        else _t(lang, "r kan ikke beregnes", "r cannot be computed")
    )
    caption = f"{r_text}; {_n_equals(n, lang)} {units}"
    left_out = len(points) - n
    if left_out:
        caption += _t(
            lang,
            f"; {_count(left_out, lang)} {'enhed' if left_out == 1 else 'enheder'} vises ikke "
            f"({hidden})",
            f"; {_count(left_out, lang)} {'unit' if left_out == 1 else 'units'} not shown ({hidden})",
        )

    plot_h = 270.0
    y_lines = _wrap(y_label, plot_h)[:2]
    x0 = 38.0 + 18 * len(y_lines)
    y0 = doc.block(_PAD, _PAD, [f"{r_text} · {_n_equals(n, lang)} {units}"], bold=True) + 14
    plot_w = WIDTH - x0 - 16

    def px(value: float) -> float:
        return x0 + (_clamp(value, *x_range) - x_range[0]) / (x_range[1] - x_range[0]) * plot_w

    def py(value: float) -> float:
        return (
            y0
            + plot_h
            - (_clamp(value, *y_range) - y_range[0]) / (y_range[1] - y_range[0]) * plot_h
        )

    for t in _ticks(*x_range):
        doc.add("line", x1=px(t), y1=y0, x2=px(t), y2=y0 + plot_h, stroke=_GRID)
        doc.text(px(t), y0 + plot_h + 18, _tick_text(t, lang), anchor="middle")
    for t in _ticks(*y_range):
        doc.add("line", x1=x0, y1=py(t), x2=x0 + plot_w, y2=py(t), stroke=_GRID)
        doc.text(x0 - 5, py(t) + 5, _tick_text(t, lang), anchor="end")
    doc.add(
        "rect", x=x0, y=y0, width=plot_w, height=plot_h, fill="none", stroke=INK, stroke_width=1.5
    )
    centre = y0 + plot_h / 2
    for i, line in enumerate(y_lines):
        lx = 18.0 + 18 * i
        doc.text(
            lx, centre, line, anchor="middle", transform=f"rotate(-90 {_num(lx)} {_num(centre)})"
        )
    bottom = doc.block(
        x0 + plot_w / 2, y0 + plot_h + 26, _wrap(x_label, WIDTH - 2 * _PAD), anchor="middle"
    )
    # One dot per unit, up to thousands: the attributes every dot shares are written once.
    shared = _el(
        "circle",
        {"r": 5.5, "fill": BLUE, "stroke": WHITE, "stroke-width": 1.5, "class": "point"},
        "",
    )[len("<circle") : -len("></circle>")]
    for label, vx, vy in shown:
        assert vx is not None and vy is not None
        tip = escape(f"{label}: {fmt(vx)}; {fmt(vy)}")
        doc.body.append(
            f'<circle cx="{_num(px(vx))}" cy="{_num(py(vy))}"{shared}><title>{tip}</title></circle>'
        )
    alt = _t(
        lang,
        f"Hver prik er en enhed, med {x_label} vandret og {y_label} lodret. "
        f"Sammenhængen på enhedsniveau: {caption}.",
        f"Each dot is a unit, with {x_label} across and {y_label} up. "
        f"The relationship at unit level: {caption}.",
    )
    return Chart(doc.render(height=bottom + _PAD, title=title, desc=alt), alt, table, caption)


# --------------------------------------------------------------------------- heatmap cells


@dataclass(frozen=True, slots=True)
class HeatCell:
    """How one heatmap cell looks: a background, a text colour of at least 4.5:1 on it, a
    CSS class carrying both (the CSP allows no inline style), and a marker glyph and a
    word for the value's step, so colour is never the only cue."""

    step: int | None
    background: str
    text: str
    css_class: str
    marker: str
    label: str


def heat_cell(
    value: float | None,
    *,
    low: float,
    high: float,
    lang: str,
    higher_is_better: bool = True,
    hidden_text: str | None = None,
) -> HeatCell:
    """Place a value on ``low..high`` in five equal steps. The step (0 = lowest) sets the
    marker and the word; the colour runs from bad (red) to good (blue), reversed where
    lower is better (a stress share)."""
    _check_range(low, high)
    if value is None:
        return HeatCell(None, WHITE, INK, "heat heat-none", "", hidden_text or hidden_label(lang))
    steps = len(HEAT_COLOURS)
    step = min(int(_clamp((value - low) / (high - low)) * steps), steps - 1)
    colour = step if higher_is_better else steps - 1 - step
    background = HEAT_COLOURS[colour]
    words = _HEAT_WORDS["en" if _en(lang) else "da"]
    return HeatCell(
        step=step,
        background=background,
        text=text_colour_on(background),
        css_class=f"heat heat-{colour}",
        marker=_HEAT_MARKERS[step],
        label=words[step],
    )


def heatmap_css() -> str:
    """The rules behind :attr:`HeatCell.css_class`, for the site's stylesheet."""
    rules = [
        f".heat-{i} {{ background-color: {c}; color: {text_colour_on(c)}; }}"
        for i, c in enumerate(HEAT_COLOURS)
    ]
    rules.append(f".heat-none {{ background-color: {WHITE}; color: {INK}; font-style: italic; }}")
    return "\n".join(rules) + "\n"
