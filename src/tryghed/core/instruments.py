"""Instruments as data: the model and the loader that validates an instrument file.

An instrument file (docs/instrument-format.md) is the only place where items, response
options, points and scales are written down; the scoring engine reads nothing else.
Because organisations may upload their own files, the loader trusts nothing: it walks
the YAML node tree (``yaml.compose``) instead of loaded Python values so that every
refusal names the file and the line of the offending key, for example
``ps7.yaml:34: item 5: option code 3 appears twice``.

Framework-free on purpose: the web app, the API and the ``tryghed`` command all use it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, NoReturn, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "BUILTIN_DIR",
    "DISPLAY_KINDS",
    "FORMAT_VERSION",
    "Band",
    "Display",
    "DisplayKind",
    "DriverRole",
    "Instrument",
    "InstrumentError",
    "Item",
    "ItemReference",
    "KeyFigure",
    "Level",
    "Option",
    "Range",
    "Reference",
    "Scale",
    "ShowIf",
    "Source",
    "Template",
    "Text",
    "Zones",
    "load_builtin",
    "load_instrument",
    "load_templates",
    "parse_instrument",
    "parse_templates",
    "with_builtin_display",
]

FORMAT_VERSION = 1
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "instruments"
TEMPLATES_FILE = "templates.yaml"
# Uploads are untrusted; the largest built-in file (vz-maturity) is about 28,000 characters.
MAX_FILE_CHARS = 1_000_000
# Nodes of the tree counted as often as aliases repeat them; vz-maturity has about 3,000.
MAX_NODES = 200_000
# The response options of one item, also of a numeric rating scale {min, max}: 0-100 (a
# visual analogue scale) fits; a scale of 1..10**9 would build a billion options, and every
# figure of an item is one count per option, stored per group.
MAX_OPTIONS = 101
# Every number of a file: points, ranges and levels far inside a float's range (±1e308 points
# are finite, their differences are not), and an integer float() can convert.
MAX_NUMBER = 1_000_000_000
# Option codes fit the byte each answer is stored in (core.answer_codes), and scoring looks
# them up in a table as wide as the lowest to the highest code of the instrument.
CODES = range(-127, 128)

ItemType = Literal["choice", "text", "multi"]
AuthoredBy = Literal["seed", "project", "organisation"]
Aggregate = Literal["persons", "pooled"]
Polarity = Literal["higher_better", "lower_better", "bipolar", "need"]
Rule = Literal["any", "all"]
DisplayKind = Literal["default", "key_figure_reading", "staircase", "support_chart", "nuggets"]
DriverRole = Literal["outcome", "predictor"]
# A live dialogue exercise (the dialogue app) that takes its question and scale from here.
ExerciseKind = Literal["horseshoe", "support"]
EXERCISE_KINDS: tuple[ExerciseKind, ...] = ("horseshoe", "support")
DISPLAY_KINDS: tuple[DisplayKind, ...] = (
    "default",
    "key_figure_reading",
    "staircase",
    "support_chart",
    "nuggets",
)

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SCALE_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_TAG = "tag:yaml.org,2002:"
_INT, _FLOAT, _BOOL, _NULL, _STR = (_TAG + t for t in ("int", "float", "bool", "null", "str"))
_SHARE_ROUNDING = 0.011  # reference shares are printed rounded to a whole percent


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class Text:
    """A text in Danish and English; both are always present (the product is bilingual)."""

    da: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("da", "en", "en-GB", ...); Danish unless English is asked."""
        return self.en if lang.lower().startswith("en") else self.da


@dataclass(frozen=True, slots=True)
class Range:
    """A closed numeric range, used for score ranges."""

    min: float
    max: float

    def share(self, value: float) -> float:
        """Where ``value`` lies on the range, 0 at ``min`` and 1 at ``max``."""
        return (value - self.min) / (self.max - self.min)


@dataclass(frozen=True, slots=True)
class Option:
    """A response option.

    ``dont_know`` is the option written with ``points: null`` (ved ikke); options of an
    unscored item may carry no points at all (then ``points is None`` and not don't know).
    ``points_reversed`` is already resolved: the file's value, or the mirror (the points
    of the option at the opposite end of the scored options), so scoring never has to
    know which of the two the author wrote.
    """

    code: int
    label: Text | None  # None only for unlabelled points of a numeric rating scale
    points: float | None
    points_reversed: float | None
    dont_know: bool = False


@dataclass(frozen=True, slots=True)
class ShowIf:
    """A condition: item ``item`` was answered with one of ``codes``."""

    item: int
    codes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ItemReference:
    """Reference shares of answers per option code, shown beside a group's distribution."""

    shares: tuple[tuple[int, float], ...]
    label: Text | None
    source: str | None


@dataclass(frozen=True, slots=True)
class Item:
    """One question. ``id`` is ``"<instrument id>.<number>"``, the CSV column name."""

    number: int
    id: str
    text: Text
    type: ItemType
    reverse: bool
    sensitive: bool
    scored: bool
    options: tuple[Option, ...]
    rating: bool  # options written as a numeric rating scale {scale: {min, max, anchors}}
    show_if: ShowIf | None  # asked only when this condition holds
    measures: Text | None
    hint: Text | None
    reference: ItemReference | None = None

    def option(self, code: int) -> Option | None:
        for option in self.options:
            if option.code == code:
                return option
        return None

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options)

    @property
    def scored_options(self) -> tuple[Option, ...]:
        """Options that carry points, in the listed order (codes are consecutive)."""
        return tuple(o for o in self.options if o.points is not None)

    @property
    def dont_know(self) -> Option | None:
        return next((o for o in self.options if o.dont_know), None)

    def points(self, code: int) -> float | None:
        """Points for an answer, reverse keying applied; None for don't know or no option."""
        option = self.option(code)
        if option is None:
            return None
        return option.points_reversed if self.reverse else option.points

    @property
    def points_range(self) -> Range | None:
        """Lowest and highest points this item can give after reverse keying."""
        values = [self.points(o.code) for o in self.scored_options]
        numbers = [v for v in values if v is not None]
        return Range(min(numbers), max(numbers)) if numbers else None


@dataclass(frozen=True, slots=True)
class Level:
    """A named level on a scale's score (vz-maturity: 3 = Aktivt)."""

    value: float
    label: Text
    description: Text | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """A share of answers by code (support4: 1-3 "vil have mindre")."""

    codes: tuple[int, ...]
    label: Text
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Scale:
    """A scored scale. See docs/instrument-format.md for the meaning of each field."""

    id: str
    name: Text
    items: tuple[int, ...]
    score: Range
    also: Range | None
    aggregate: Aggregate
    polarity: Polarity
    levels: tuple[Level, ...]
    bands: tuple[Band, ...]
    consequences: tuple[tuple[str, Text], ...]

    def consequence(self, key: str) -> Text | None:
        return dict(self.consequences).get(key)


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference figure shown beside a key figure, with its source."""

    value: float | None
    label: Text | None
    source: str | None


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """A share of people whose answers fall in ``codes`` (stress: often or all the time)."""

    id: str
    label: Text
    items: tuple[int, ...]
    codes: tuple[int, ...]
    rule: Rule
    reference: Reference | None
    reference_range: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class Zones:
    """The four-zone placement (seed 000): safety instruments and the focus instrument."""

    safety: tuple[str, ...]
    focus: str
    split: float


@dataclass(frozen=True, slots=True)
class Display:
    """How a report shows the instrument (``display:`` in the file).

    Presentation only: it is kept out of the content hash, so declaring or changing it
    never changes the fingerprint of a measurement already made.
    """

    kind: DisplayKind = "default"
    # Under each key figure's chart: what the share compares with (stress: NFA 2023).
    note: Text | None = None
    # Key drivers: the main scale is an outcome, or every scale is a predictor.
    driver: DriverRole | None = None
    # Correlations: the pair with the lowest lead is chosen first (undeclared: last).
    lead: int | None = None
    # APV screening: risk factor id -> the key figure shown beside it.
    risk_factors: tuple[tuple[str, str], ...] = ()
    # The live dialogue exercise whose question and scale are this instrument's.
    exercise: ExerciseKind | None = None


DEFAULT_DISPLAY = Display()


@dataclass(frozen=True, slots=True)
class Source:
    """Where the items come from: a seed file and section, or a free reference."""

    seed: str | None
    section: str | None
    reference: str | None


@dataclass(frozen=True, slots=True)
class Instrument:
    """A validated instrument.

    ``content_hash`` is a SHA-256 of everything scoring and display read (not ``notes``);
    stored results keep ``fingerprint`` so a report can tell which content produced them,
    and a changed hash under an unchanged ``version`` can be caught before storage.
    """

    format: int
    id: str
    version: int
    name: Text
    description: Text
    source: Source
    authored_by: AuthoredBy
    variant_of: str | None
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    key_figures: tuple[KeyFigure, ...]
    zones: Zones | None
    notes: str | None
    # What the questions are about, in plain words, for the respondent's page heading.
    topic: Text | None = None
    # How a report shows it; None when the file declares nothing (see ``shown_as``).
    display: Display | None = None
    content_hash: str = dataclasses.field(default="", compare=False)

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)

    @property
    def main_scale(self) -> Scale | None:
        """The first scale: the one a one-number summary (and the zones) uses."""
        return self.scales[0] if self.scales else None

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def heading(self) -> Text:
        """What a respondent's page is headed with: the topic in plain words, else the name."""
        return self.topic if self.topic is not None else self.name

    @property
    def shown_as(self) -> Display:
        """The declared display, else the plain default."""
        return self.display if self.display is not None else DEFAULT_DISPLAY

    @property
    def fingerprint(self) -> str:
        """``id@vVERSION#hash12``: what a stored result records about its instrument."""
        return f"{self.id}@v{self.version}#{self.content_hash[:12]}"


@dataclass(frozen=True, slots=True)
class Template:
    """A built-in measurement template: a named bundle of instruments."""

    id: str
    name: Text
    description: Text
    instruments: tuple[str, ...]


class InstrumentError(ValueError):
    """A refused instrument (or templates) file: where and why."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason


# --------------------------------------------------------------------------- parsing helpers


class _Parser:
    """Walks composed YAML nodes; every check fails with the node's line."""

    def __init__(self, file: str) -> None:
        self.file = file
        # Builds single scalars (int, float, bool) once their tag has been checked.
        self._constructor = SafeConstructor()

    def construct(self, node: ScalarNode) -> object:
        value = self._constructor.construct_object(node)
        self._constructor.constructed_objects.clear()  # it keeps every node otherwise
        return value

    def fail(self, node: Node, reason: str) -> NoReturn:
        raise InstrumentError(self.file, node.start_mark.line + 1, reason)

    def compose(self, text: str) -> Node:
        if len(text) > MAX_FILE_CHARS:
            raise InstrumentError(
                self.file, 1, f"the file is larger than {MAX_FILE_CHARS:,} characters"
            )
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            raise InstrumentError(self.file, line, f"not valid YAML: {exc.problem}") from exc
        except yaml.YAMLError as exc:
            raise InstrumentError(self.file, 1, f"not valid YAML: {exc}") from exc
        except RecursionError as exc:
            raise InstrumentError(
                self.file, 1, "the lists or mappings are nested too deeply"
            ) from exc
        if node is None:
            raise InstrumentError(self.file, 1, "the file is empty")
        self._bound(node)
        return node

    def _bound(self, root: Node) -> None:
        """Refuse a tree that aliases make larger than ``MAX_NODES`` or endless.

        An alias shares its anchor's node (guldkorn repeats a ``measures`` text that way),
        so every walk of the tree visits that node once per alias: ten nested aliases of
        ten make ten billion visits from a file of a few hundred bytes (an "alias bomb"),
        and an alias inside its own anchor never ends. Counted once per distinct node."""
        size: dict[int, int] = {}
        open_nodes: set[int] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            key = id(node)
            children = _children(node)
            if children_done:
                open_nodes.discard(key)
                size[key] = 1 + sum(size[id(child)] for child in children)
                if size[key] > MAX_NODES:
                    self.fail(node, "the file repeats too much through aliases (*name)")
                continue
            if key in size:
                continue
            if key in open_nodes:
                self.fail(node, "an alias (*name) refers to the list or mapping it stands in")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)

    def mapping(
        self,
        node: Node,
        where: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> dict[str, tuple[Node, Node]]:
        """Keys of a mapping as key -> (key node, value node); unknown or missing refused."""
        if not isinstance(node, MappingNode):
            self.fail(node, f"{where}must be a mapping (key: value)")
        required = tuple(required)
        allowed = set(required) | set(optional)
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, f"{where}a key must be a plain name")
            key = str(key_node.value)
            if key in result:
                self.fail(key_node, f"{where}key '{key}' appears twice")
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail(key_node, f"{where}unknown key '{key}' (allowed: {known})")
            result[key] = (key_node, value_node)
        for key in required:
            if key not in result:
                self.fail(node, f"{where}'{key}' is required")
        return result

    def sequence(self, node: Node, where: str, *, non_empty: bool = True) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.fail(node, f"{where}must be a list")
        if non_empty and not node.value:
            self.fail(node, f"{where}must not be empty")
        return list(node.value)

    def scalar(self, node: Node, where: str) -> ScalarNode:
        if not isinstance(node, ScalarNode):
            self.fail(node, f"{where}must be a single value, not a list or mapping")
        return node

    def integer(self, node: Node, where: str) -> int:
        scalar = self.scalar(node, where)
        if scalar.tag != _INT:
            self.fail(node, f"{where}must be an integer, not '{scalar.value}'")
        value = cast(int, self.construct(scalar))
        if abs(value) > MAX_NUMBER:
            self.fail(node, f"{where}must be between {-MAX_NUMBER} and {MAX_NUMBER}")
        return value

    def number(self, node: Node, where: str) -> float:
        scalar = self.scalar(node, where)
        if scalar.tag == _INT:
            return float(self.integer(node, where))
        if scalar.tag != _FLOAT:
            self.fail(node, f"{where}must be a number, not '{scalar.value}'")
        value = float(cast(float, self.construct(scalar)))
        if not math.isfinite(value):
            self.fail(node, f"{where}must be a finite number")
        if abs(value) > MAX_NUMBER:
            self.fail(node, f"{where}must be between {-MAX_NUMBER} and {MAX_NUMBER}")
        return value

    def code(self, node: Node, where: str) -> int:
        code = self.integer(node, where)
        if code not in CODES:
            self.fail(node, f"{where}code {code} must be between {CODES[0]} and {CODES[-1]}")
        return code

    def boolean(self, node: Node, where: str) -> bool:
        scalar = self.scalar(node, where)
        if scalar.tag != _BOOL:
            self.fail(node, f"{where}must be true or false, not '{scalar.value}'")
        return bool(self.construct(scalar))

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == _NULL

    def string(self, node: Node, where: str) -> str:
        """Free text. A plain scalar is taken as written, so ``en: Yes`` stays "Yes"."""
        scalar = self.scalar(node, where)
        if scalar.tag == _NULL:
            self.fail(node, f"{where}must not be empty")
        if scalar.tag not in (_STR, _INT, _FLOAT, _BOOL):
            self.fail(node, f"{where}has an unsupported tag {scalar.tag}")
        value = str(scalar.value).strip()
        if not value:
            self.fail(node, f"{where}must not be empty")
        return value

    def choice(self, node: Node, where: str, allowed: Sequence[str]) -> str:
        value = self.string(node, where)
        if value not in allowed:
            self.fail(node, f"{where}must be one of {', '.join(allowed)}, not '{value}'")
        return value

    def ident(self, node: Node, where: str, pattern: re.Pattern[str] = _ID) -> str:
        value = self.string(node, where)
        if not pattern.match(value):
            self.fail(node, f"{where}'{value}' is not a valid id (lowercase letters, digits, -)")
        return value

    def text(self, node: Node, where: str) -> Text:
        keys = self.mapping(node, where, required=("da", "en"))
        return Text(
            da=self.string(keys["da"][1], f"{where}da: "),
            en=self.string(keys["en"][1], f"{where}en: "),
        )

    def int_list(self, node: Node, where: str) -> list[tuple[int, Node]]:
        return [(self.integer(n, where), n) for n in self.sequence(node, where)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _get(keys: Mapping[str, tuple[Node, Node]], key: str) -> Node | None:
    pair = keys.get(key)
    return pair[1] if pair is not None else None


# --------------------------------------------------------------------------- instrument loader


_TOP_REQUIRED = ("format", "id", "version", "name", "description", "source", "authored_by", "items")
_TOP_OPTIONAL = (
    "variant_of",
    "options",
    "scales",
    "key_figures",
    "zones",
    "notes",
    "topic",
    "display",
)
_ITEM_KEYS = (
    "text",
    "type",
    "reverse",
    "sensitive",
    "options",
    "scored",
    "show_if",
    "measures",
    "hint",
    "reference",
)
_SCALE_KEYS = (
    "items",
    "score",
    "also",
    "aggregate",
    "polarity",
    "levels",
    "bands",
    "consequences",
)


@dataclass(frozen=True, slots=True)
class _RawOptions:
    options: tuple[Option, ...]
    rating: bool
    node: Node
    has_points: bool = True


class _InstrumentParser(_Parser):
    def parse(self, text: str) -> Instrument:
        root = self.compose(text)
        top = self.mapping(root, "", _TOP_REQUIRED, _TOP_OPTIONAL)

        fmt_node = top["format"][1]
        fmt = self.integer(fmt_node, "format: ")
        if fmt != FORMAT_VERSION:
            self.fail(
                fmt_node, f"format: unsupported format {fmt} (this version reads {FORMAT_VERSION})"
            )
        instrument_id = self.ident(top["id"][1], "id: ")
        version_node = top["version"][1]
        version = self.integer(version_node, "version: ")
        if version < 1:
            self.fail(version_node, "version: must be 1 or more")
        name = self.text(top["name"][1], "name: ")
        description = self.text(top["description"][1], "description: ")
        source = self._source(top["source"][1])
        authored_by = cast(
            AuthoredBy,
            self.choice(
                top["authored_by"][1], "authored_by: ", ("seed", "project", "organisation")
            ),
        )
        variant_node = _get(top, "variant_of")
        variant_of = None
        if variant_node is not None:
            variant_of = self.ident(variant_node, "variant_of: ")
            if variant_of == instrument_id:
                self.fail(variant_node, "variant_of: an instrument cannot be a variant of itself")

        options_node = _get(top, "options")
        default_options = (
            self._options(options_node, "options: ") if options_node is not None else None
        )
        items = self._items(top["items"][1], instrument_id, authored_by, default_options)
        scales_node = _get(top, "scales")
        scales = (
            self._scales(scales_node, items)
            if scales_node is not None
            else _default_scales(items, name)
        )
        kf_node = _get(top, "key_figures")
        key_figures = self._key_figures(kf_node, items, scales) if kf_node is not None else ()
        zones_node = _get(top, "zones")
        zones = self._zones(zones_node, instrument_id, scales) if zones_node is not None else None
        notes_node = _get(top, "notes")
        notes = self.string(notes_node, "notes: ") if notes_node is not None else None
        topic_node = _get(top, "topic")
        topic = self.text(topic_node, "topic: ") if topic_node is not None else None
        display_node = _get(top, "display")
        display = (
            self._display(display_node, items, scales, key_figures)
            if display_node is not None
            else None
        )

        instrument = Instrument(
            format=fmt,
            id=instrument_id,
            version=version,
            name=name,
            description=description,
            source=source,
            authored_by=authored_by,
            variant_of=variant_of,
            items=items,
            scales=scales,
            key_figures=key_figures,
            zones=zones,
            notes=notes,
            topic=topic,
            display=display,
        )
        return dataclasses.replace(instrument, content_hash=content_hash(instrument))

    def _source(self, node: Node) -> Source:
        keys = self.mapping(node, "source: ", optional=("seed", "section", "reference"))
        seed, section, reference = (_get(keys, k) for k in ("seed", "section", "reference"))
        if reference is not None:
            if seed is not None or section is not None:
                self.fail(node, "source: give either seed and section, or reference, not both")
            return Source(None, None, self.string(reference, "source: reference: "))
        if seed is None or section is None:
            self.fail(node, "source: needs seed and section (or reference)")
        return Source(
            self.string(seed, "source: seed: "), self.string(section, "source: section: "), None
        )

    # -- options

    def _options(self, node: Node, where: str) -> _RawOptions:
        if isinstance(node, MappingNode):
            return self._rating(node, where)
        entries = self.sequence(node, where)
        if len(entries) > MAX_OPTIONS:
            self.fail(node, f"{where}at most {MAX_OPTIONS} options, not {len(entries)}")
        raw: list[tuple[int, Text, float | None, float | None, Node, Node]] = []
        seen: dict[int, Node] = {}
        dont_know: Node | None = None
        with_points: list[bool] = []
        for entry in entries:
            keys = self.mapping(entry, where, ("code", "label"), ("points", "points_reversed"))
            code_node = keys["code"][1]
            code = self.code(code_node, f"{where}code: ")
            if code in seen:
                self.fail(code_node, f"{where}option code {code} appears twice")
            seen[code] = code_node
            label = self.text(keys["label"][1], f"{where}option {code}: label: ")
            points_node = _get(keys, "points")
            with_points.append(points_node is not None)
            if with_points[0] != with_points[-1]:
                self.fail(
                    entry,
                    f"{where}option {code}: give points for every option or for none "
                    f"(options without points are for unscored items)",
                )
            points: float | None = None
            if points_node is None:
                pass
            elif self.is_null(points_node):
                if dont_know is not None:
                    self.fail(
                        points_node,
                        f"{where}option {code}: only one option may have points: null (don't know)",
                    )
                dont_know = points_node
            else:
                points = self.number(points_node, f"{where}option {code}: points: ")
            rev_node = _get(keys, "points_reversed")
            reversed_points: float | None = None
            if rev_node is not None:
                if points is None:
                    self.fail(
                        rev_node,
                        f"{where}option {code}: a don't-know option has no points_reversed",
                    )
                reversed_points = self.number(rev_node, f"{where}option {code}: points_reversed: ")
            raw.append((code, label, points, reversed_points, code_node, entry))

        if not with_points[0]:
            # Unscored options (Additions): a code and a label, codes still 1..k in order.
            for previous, current in itertools.pairwise(raw):
                if current[0] != previous[0] + 1:
                    self.fail(
                        current[4],
                        f"{where}codes must be consecutive in the order listed: "
                        f"{current[0]} follows {previous[0]}",
                    )
            options = tuple(
                Option(code=r[0], label=r[1], points=None, points_reversed=None) for r in raw
            )
            return _RawOptions(options, rating=False, node=node, has_points=False)
        scored = [r for r in raw if r[2] is not None]
        if not scored:
            self.fail(node, f"{where}needs at least one option with points")
        for previous, current in itertools.pairwise(scored):
            if current[0] != previous[0] + 1:
                self.fail(
                    current[4],
                    f"{where}codes of scored options must be consecutive in the order listed: "
                    f"{current[0]} follows {previous[0]}",
                )
        given = [r[3] is not None for r in scored]
        if any(given) and not all(given):
            missing = next(r for r in scored if r[3] is None)
            self.fail(
                missing[5],
                f"{where}option {missing[0]}: points_reversed is given for some options; "
                f"give it for every scored option",
            )
        mirrored = [r[2] for r in reversed(scored)]
        resolved: dict[int, float | None] = {
            r[0]: (r[3] if r[3] is not None else mirrored[i]) for i, r in enumerate(scored)
        }
        options = tuple(
            Option(
                code=r[0],
                label=r[1],
                points=r[2],
                points_reversed=resolved.get(r[0]),
                dont_know=r[2] is None,
            )
            for r in raw
        )
        return _RawOptions(options, rating=False, node=node, has_points=True)

    def _rating(self, node: Node, where: str) -> _RawOptions:
        outer = self.mapping(node, where, ("scale",))
        keys = self.mapping(outer["scale"][1], f"{where}scale: ", ("min", "max"), ("anchors",))
        low = self.code(keys["min"][1], f"{where}scale: min: ")
        high_node = keys["max"][1]
        high = self.code(high_node, f"{where}scale: max: ")
        if high <= low:
            self.fail(high_node, f"{where}scale: max must be greater than min")
        if high - low + 1 > MAX_OPTIONS:
            self.fail(high_node, f"{where}at most {MAX_OPTIONS} options, not {high - low + 1}")
        anchors: dict[int, Text] = {}
        anchors_node = _get(keys, "anchors")
        if anchors_node is not None:
            if not isinstance(anchors_node, MappingNode):
                self.fail(anchors_node, f"{where}scale: anchors: must be a mapping point: text")
            for key_node, value_node in anchors_node.value:
                point = self.integer(key_node, f"{where}scale: anchors: ")
                if point in anchors:
                    self.fail(key_node, f"{where}scale: anchors: point {point} appears twice")
                if not low <= point <= high:
                    self.fail(
                        key_node,
                        f"{where}scale: anchors: point {point} is outside {low}..{high}",
                    )
                anchors[point] = self.text(value_node, f"{where}scale: anchors: {point}: ")
        options = tuple(
            Option(
                code=c, label=anchors.get(c), points=float(c), points_reversed=float(low + high - c)
            )
            for c in range(low, high + 1)
        )
        return _RawOptions(options, rating=True, node=node)

    # -- items

    def _items(
        self,
        node: Node,
        instrument_id: str,
        authored_by: str,
        default_options: _RawOptions | None,
    ) -> tuple[Item, ...]:
        entries = self.sequence(node, "items: ")
        items: list[Item] = []
        pending_show_if: list[tuple[int, Node]] = []
        for index, entry in enumerate(entries, start=1):
            if not isinstance(entry, MappingNode):
                self.fail(entry, f"items: item {index} must be a mapping")
            number_pair = next(
                (
                    (k, v)
                    for k, v in entry.value
                    if isinstance(k, ScalarNode) and k.value == "number"
                ),
                None,
            )
            if number_pair is None:
                self.fail(entry, f"items: item {index}: 'number' is required")
            number = self.integer(number_pair[1], f"items: item {index}: number: ")
            if number != index:
                self.fail(
                    number_pair[1],
                    f"items: item numbers must be 1..N in order: expected {index}, found {number}",
                )
            where = f"item {number}: "
            keys = self.mapping(entry, where, ("number", "text"), _ITEM_KEYS)
            text = self.text(keys["text"][1], f"{where}text: ")
            type_node = _get(keys, "type")
            item_type = cast(
                ItemType,
                self.choice(type_node, f"{where}type: ", ("choice", "text", "multi"))
                if type_node is not None
                else "choice",
            )
            options_node = _get(keys, "options")
            raw_options: _RawOptions | None = None
            if item_type == "text":
                if options_node is not None:
                    self.fail(options_node, f"{where}a text item has no options")
            elif options_node is not None:
                raw_options = self._options(options_node, where)
            elif default_options is not None:
                raw_options = default_options
            else:
                self.fail(entry, f"{where}needs options (the instrument has no default options)")

            scored_node = _get(keys, "scored")
            scored = item_type == "choice"
            if scored_node is not None:
                scored = self.boolean(scored_node, f"{where}scored: ")
                if scored and item_type != "choice":
                    self.fail(scored_node, f"{where}only a choice item can be scored")
            if scored and raw_options is not None and not raw_options.has_points:
                self.fail(
                    options_node if options_node is not None else entry,
                    f"{where}a scored item needs points on its options (or scored: false)",
                )
            reverse_node = _get(keys, "reverse")
            reverse = False
            if reverse_node is not None:
                reverse = self.boolean(reverse_node, f"{where}reverse: ")
                if reverse and not scored:
                    self.fail(reverse_node, f"{where}reverse applies only to a scored choice item")
            sensitive_node = _get(keys, "sensitive")
            sensitive = (
                self.boolean(sensitive_node, f"{where}sensitive: ")
                if sensitive_node is not None
                else False
            )
            measures_node = _get(keys, "measures")
            measures = (
                self.text(measures_node, f"{where}measures: ")
                if measures_node is not None
                else None
            )
            if authored_by == "project" and measures is None:
                self.fail(
                    entry,
                    f"{where}'measures' is required when authored_by is project "
                    f"(the definition from the seed the item measures)",
                )
            hint_node = _get(keys, "hint")
            hint = self.text(hint_node, f"{where}hint: ") if hint_node is not None else None
            show_if_node = _get(keys, "show_if")
            if show_if_node is not None:
                pending_show_if.append((number, show_if_node))
            reference_node = _get(keys, "reference")
            reference = None
            if reference_node is not None:
                if item_type != "choice" or raw_options is None:
                    self.fail(reference_node, f"{where}reference is only for choice items")
                reference = self._item_reference(reference_node, where, raw_options.options)
            items.append(
                Item(
                    number=number,
                    id=f"{instrument_id}.{number}",
                    text=text,
                    type=item_type,
                    reverse=reverse,
                    sensitive=sensitive,
                    scored=scored,
                    options=raw_options.options if raw_options is not None else (),
                    rating=raw_options.rating if raw_options is not None else False,
                    show_if=None,
                    measures=measures,
                    hint=hint,
                    reference=reference,
                )
            )
        # show_if may point forward in the file only after every item is known.
        for number, show_if_node in pending_show_if:
            items[number - 1] = dataclasses.replace(
                items[number - 1], show_if=self._show_if(show_if_node, number, items)
            )
        return tuple(items)

    def _item_reference(self, node: Node, where: str, options: Sequence[Option]) -> ItemReference:
        where = f"{where}reference: "
        keys = self.mapping(node, where, ("shares",), ("label", "source"))
        shares_node = keys["shares"][1]
        if not isinstance(shares_node, MappingNode) or not shares_node.value:
            self.fail(shares_node, f"{where}shares: must be a mapping code: share")
        codes = {o.code for o in options}
        shares: list[tuple[int, float]] = []
        for key_node, value_node in shares_node.value:
            code = self.integer(key_node, f"{where}shares: ")
            if code not in codes:
                self.fail(key_node, f"{where}shares: {code} is not an option code of the item")
            if code in dict(shares):
                self.fail(key_node, f"{where}shares: code {code} appears twice")
            share = self.number(value_node, f"{where}shares: {code}: ")
            if not 0 <= share <= 1:
                self.fail(value_node, f"{where}shares: {code}: a share between 0 and 1")
            shares.append((code, share))
        if sum(v for _, v in shares) > 1 + _SHARE_ROUNDING:
            self.fail(shares_node, f"{where}shares: sum to more than 1")
        label_node = _get(keys, "label")
        source_node = _get(keys, "source")
        return ItemReference(
            shares=tuple(shares),
            label=self.text(label_node, f"{where}label: ") if label_node is not None else None,
            source=self.string(source_node, f"{where}source: ")
            if source_node is not None
            else None,
        )

    def _show_if(self, node: Node, number: int, items: Sequence[Item]) -> ShowIf:
        where = f"item {number}: show_if: "
        keys = self.mapping(node, where, ("item", "codes"))
        target_node = keys["item"][1]
        target = self.integer(target_node, f"{where}item: ")
        if not 1 <= target <= len(items):
            self.fail(target_node, f"{where}item {target} does not exist")
        if target == number:
            self.fail(target_node, f"{where}an item cannot depend on itself")
        if target > number:
            self.fail(target_node, f"{where}item {target} must come before item {number}")
        other = items[target - 1]
        if other.type != "choice":
            self.fail(target_node, f"{where}item {target} is not a choice item")
        if other.sensitive and not items[number - 1].sensitive:
            # Who is asked it is who answered the sensitive item so: its figures under the
            # lower minimum would count those answers (risk5's "fra hvem" items are marked).
            self.fail(
                target_node,
                f"{where}item {target} is sensitive, so item {number} must be sensitive: true too",
            )
        codes: list[int] = []
        for code, code_node in self.int_list(keys["codes"][1], f"{where}codes: "):
            if other.option(code) is None:
                self.fail(code_node, f"{where}item {target} has no option with code {code}")
            if code in codes:
                self.fail(code_node, f"{where}code {code} appears twice")
            codes.append(code)
        return ShowIf(item=target, codes=tuple(codes))

    # -- scales

    def _scales(self, node: Node, items: Sequence[Item]) -> tuple[Scale, ...]:
        scales: list[Scale] = []
        seen: set[str] = set()
        for entry in self.sequence(node, "scales: "):
            id_node = _scalar_value_of(entry, "id")
            scale_id = (
                self.ident(id_node, "scales: id: ", _SCALE_ID) if id_node is not None else None
            )
            where = f"scale {scale_id}: " if scale_id else "scales: "
            keys = self.mapping(entry, where, ("id", "name", "items", "score"), _SCALE_KEYS)
            assert scale_id is not None and id_node is not None
            if scale_id in seen:
                self.fail(id_node, f"scales: scale id '{scale_id}' appears twice")
            seen.add(scale_id)
            name = self.text(keys["name"][1], f"{where}name: ")
            numbers: list[int] = []
            for number, number_node in self.int_list(keys["items"][1], f"{where}items: "):
                if not 1 <= number <= len(items):
                    self.fail(number_node, f"{where}item {number} does not exist")
                if number in numbers:
                    self.fail(number_node, f"{where}item {number} appears twice")
                item = items[number - 1]
                if item.type != "choice" or not item.scored:
                    self.fail(number_node, f"{where}item {number} is not a scored choice item")
                numbers.append(number)
            self._check_points_range(keys["items"][1], where, [items[n - 1] for n in numbers])
            score = self._range(keys["score"][1], f"{where}score: ")
            also_node = _get(keys, "also")
            also = self._range(also_node, f"{where}also: ") if also_node is not None else None
            aggregate_node = _get(keys, "aggregate")
            aggregate = cast(
                Aggregate,
                self.choice(aggregate_node, f"{where}aggregate: ", ("persons", "pooled"))
                if aggregate_node is not None
                else "persons",
            )
            polarity_node = _get(keys, "polarity")
            polarity = cast(
                Polarity,
                self.choice(
                    polarity_node,
                    f"{where}polarity: ",
                    ("higher_better", "lower_better", "bipolar", "need"),
                )
                if polarity_node is not None
                else "higher_better",
            )
            levels_node = _get(keys, "levels")
            levels = self._levels(levels_node, where) if levels_node is not None else ()
            scale_items = [items[n - 1] for n in numbers]
            bands_node = _get(keys, "bands")
            bands = self._bands(bands_node, where, scale_items) if bands_node is not None else ()
            cons_node = _get(keys, "consequences")
            consequences = (
                self._consequences(cons_node, where, bands, levels) if cons_node is not None else ()
            )
            self._check_shared_items(keys["items"][1], where, numbers, aggregate, scales)
            scales.append(
                Scale(
                    id=scale_id,
                    name=name,
                    items=tuple(numbers),
                    score=score,
                    also=also,
                    aggregate=aggregate,
                    polarity=polarity,
                    levels=levels,
                    bands=bands,
                    consequences=consequences,
                )
            )
        return tuple(scales)

    def _check_shared_items(
        self,
        node: Node,
        where: str,
        numbers: Sequence[int],
        aggregate: Aggregate,
        earlier: Sequence[Scale],
    ) -> None:
        """Two scales share items only as vz-maturity's do: a pooled scale of one item (a
        topic) inside a pooled scale (the total), or the same items twice.

        Each figure of an item rests on one set of people (privacy.md section 3). Scales
        that merely overlap are scored on different people; a scale inside a persons scale
        is scored over the larger one's people who answered enough of its own items, and
        those differ too: ``first`` (item 1) inside ``all`` (items 1-3) is shown over the
        five of six who answered item 1 where item 1 itself is hidden for that gap, and
        ``all``'s mean beside it gave the sixth person's score (red team,
        tests/privacy/test_redteam_uploaded_scales.py). A one-item pooled topic rests on
        the people of its item, whose distribution the publication decides with it."""
        mine = set(numbers)
        for other in earlier:
            theirs = set(other.items)
            shared = mine & theirs
            if not shared or mine == theirs:
                continue
            if not (mine < theirs or theirs < mine):
                self.fail(
                    node,
                    f"{where}items: shares item {min(shared)} with scale {other.id}, but "
                    f"neither scale holds every item of the other",
                )
            inner = (len(mine), aggregate) if mine < theirs else (len(theirs), other.aggregate)
            outer = other.aggregate if mine < theirs else aggregate
            if inner != (1, "pooled") or outer != "pooled":
                self.fail(
                    node,
                    f"{where}items: shares item {min(shared)} with scale {other.id}; a scale "
                    f"may lie inside another only as a pooled scale of one item inside a "
                    f"pooled scale",
                )

    def _check_points_range(self, node: Node, where: str, scale_items: Sequence[Item]) -> None:
        """A score is rescaled from the items' points range: every answer giving the same
        points leaves none (a division by zero when the measurement closes)."""
        ranges = [r for r in (item.points_range for item in scale_items) if r is not None]
        if ranges and min(r.min for r in ranges) == max(r.max for r in ranges):
            self.fail(
                node,
                f"{where}every answer gives the same points ({ranges[0].min:g}); "
                f"a scale needs different points",
            )

    def _range(self, node: Node, where: str) -> Range:
        keys = self.mapping(node, where, ("min", "max"))
        low = self.number(keys["min"][1], f"{where}min: ")
        high = self.number(keys["max"][1], f"{where}max: ")
        if high <= low:
            self.fail(keys["max"][1], f"{where}max must be greater than min")
        return Range(low, high)

    def _levels(self, node: Node, where: str) -> tuple[Level, ...]:
        levels: list[Level] = []
        for entry in self.sequence(node, f"{where}levels: "):
            keys = self.mapping(entry, f"{where}levels: ", ("value", "label"), ("description",))
            value_node = keys["value"][1]
            value = self.number(value_node, f"{where}levels: value: ")
            if levels and value <= levels[-1].value:
                self.fail(value_node, f"{where}levels: values must increase, {value:g} does not")
            label = self.text(keys["label"][1], f"{where}levels: {value:g}: label: ")
            description_node = _get(keys, "description")
            description = (
                self.text(description_node, f"{where}levels: {value:g}: description: ")
                if description_node is not None
                else None
            )
            levels.append(Level(value, label, description))
        return tuple(levels)

    def _bands(self, node: Node, where: str, scale_items: Sequence[Item]) -> tuple[Band, ...]:
        scored_codes = (
            set.intersection(*({o.code for o in item.scored_options} for item in scale_items))
            if scale_items
            else set()
        )
        bands: list[Band] = []
        used: set[int] = set()
        ids: set[str] = set()
        for entry in self.sequence(node, f"{where}bands: "):
            keys = self.mapping(entry, f"{where}bands: ", ("codes", "label"), ("id",))
            band_id: str | None = None
            id_node = _get(keys, "id")
            if id_node is not None:
                band_id = self.ident(id_node, f"{where}bands: id: ", _SCALE_ID)
                if band_id in ids:
                    self.fail(id_node, f"{where}bands: id '{band_id}' appears twice")
                ids.add(band_id)
            codes: list[int] = []
            for code, code_node in self.int_list(keys["codes"][1], f"{where}bands: codes: "):
                if code not in scored_codes:
                    self.fail(
                        code_node,
                        f"{where}bands: code {code} is not a scored option of every item "
                        f"of the scale",
                    )
                if code in used or code in codes:
                    self.fail(code_node, f"{where}bands: code {code} is in more than one band")
                codes.append(code)
            used.update(codes)
            bands.append(
                Band(tuple(codes), self.text(keys["label"][1], f"{where}bands: label: "), band_id)
            )
        return tuple(bands)

    def _consequences(
        self, node: Node, where: str, bands: Sequence[Band], levels: Sequence[Level]
    ) -> tuple[tuple[str, Text], ...]:
        """Texts keyed by a band id or a level value (Additions)."""
        if not isinstance(node, MappingNode):
            self.fail(node, f"{where}consequences: must be a mapping key: text")
        band_ids = {b.id for b in bands if b.id is not None}
        level_values = {level.value for level in levels}
        result: list[tuple[str, Text]] = []
        for key_node, value_node in node.value:
            key = self.string(key_node, f"{where}consequences: ")
            numeric = isinstance(key_node, ScalarNode) and key_node.tag in (_INT, _FLOAT)
            if numeric and self.number(key_node, where) in level_values:
                key = f"{self.number(key_node, where):g}"
            elif key not in band_ids:
                self.fail(
                    key_node,
                    f"{where}consequences: '{key}' names no band id and no level value of "
                    f"the scale",
                )
            if key in dict(result):
                self.fail(key_node, f"{where}consequences: key '{key}' appears twice")
            result.append((key, self.text(value_node, f"{where}consequences: {key}: ")))
        return tuple(result)

    # -- key figures and zones

    def _key_figures(
        self, node: Node, items: Sequence[Item], scales: Sequence[Scale]
    ) -> tuple[KeyFigure, ...]:
        figures: list[KeyFigure] = []
        seen: set[str] = set()
        for entry in self.sequence(node, "key_figures: "):
            id_node = _scalar_value_of(entry, "id")
            figure_id = (
                self.ident(id_node, "key_figures: id: ", _SCALE_ID) if id_node is not None else None
            )
            where = f"key figure {figure_id}: " if figure_id else "key_figures: "
            keys = self.mapping(
                entry,
                where,
                ("id", "label", "items", "codes"),
                ("rule", "reference", "reference_range"),
            )
            assert figure_id is not None and id_node is not None
            if figure_id in seen:
                self.fail(id_node, f"key_figures: id '{figure_id}' appears twice")
            seen.add(figure_id)
            label = self.text(keys["label"][1], f"{where}label: ")
            numbers: list[int] = []
            for number, number_node in self.int_list(keys["items"][1], f"{where}items: "):
                if not 1 <= number <= len(items):
                    self.fail(number_node, f"{where}item {number} does not exist")
                if number in numbers:
                    self.fail(number_node, f"{where}item {number} appears twice")
                if items[number - 1].type != "choice":
                    self.fail(number_node, f"{where}item {number} is not a choice item")
                numbers.append(number)
            # Counted over the people of the scale holding its items, like their
            # distributions; across scales (or a scale and an item outside it) it would
            # count people no shown distribution counts (red team,
            # tests/privacy/test_redteam_uploaded_key_figures.py).
            scaled = any(n in s.items for n in numbers for s in scales)
            if scaled and not any(set(numbers) <= set(s.items) for s in scales):
                self.fail(
                    keys["items"][1],
                    f"{where}items: must all be in one scale, or none in any scale",
                )
            codes: list[int] = []
            for code, code_node in self.int_list(keys["codes"][1], f"{where}codes: "):
                for number in numbers:
                    if items[number - 1].option(code) is None:
                        self.fail(code_node, f"{where}item {number} has no option with code {code}")
                if code in codes:
                    self.fail(code_node, f"{where}code {code} appears twice")
                codes.append(code)
            rule_node = _get(keys, "rule")
            rule = cast(
                Rule,
                self.choice(rule_node, f"{where}rule: ", ("any", "all"))
                if rule_node is not None
                else "any",
            )
            reference_node = _get(keys, "reference")
            reference = (
                self._reference(reference_node, f"{where}reference: ")
                if reference_node is not None
                else None
            )
            range_node = _get(keys, "reference_range")
            reference_range: tuple[float, float] | None = None
            if range_node is not None:
                values = [
                    self.number(n, f"{where}reference_range: ")
                    for n in self.sequence(range_node, f"{where}reference_range: ")
                ]
                if len(values) != 2 or not 0 <= values[0] < values[1] <= 1:
                    self.fail(
                        range_node,
                        f"{where}reference_range: must be [low, high] with 0 <= low < high <= 1",
                    )
                if reference is not None and reference.value is not None:
                    self.fail(
                        range_node, f"{where}give reference value or reference_range, not both"
                    )
                reference_range = (values[0], values[1])
            if reference is not None and reference.value is None and reference_range is None:
                self.fail(
                    reference_node if reference_node is not None else entry,
                    f"{where}reference: needs a value (or give reference_range)",
                )
            figures.append(
                KeyFigure(
                    id=figure_id,
                    label=label,
                    items=tuple(numbers),
                    codes=tuple(codes),
                    rule=rule,
                    reference=reference,
                    reference_range=reference_range,
                )
            )
        return tuple(figures)

    def _reference(self, node: Node, where: str) -> Reference:
        keys = self.mapping(node, where, optional=("value", "label", "source"))
        value_node = _get(keys, "value")
        value = None
        if value_node is not None:
            value = self.number(value_node, f"{where}value: ")
            if not 0 <= value <= 1:
                self.fail(value_node, f"{where}value: a share between 0 and 1, not {value:g}")
        label_node = _get(keys, "label")
        source_node = _get(keys, "source")
        return Reference(
            value=value,
            label=self.text(label_node, f"{where}label: ") if label_node is not None else None,
            source=self.string(source_node, f"{where}source: ")
            if source_node is not None
            else None,
        )

    def _zones(self, node: Node, instrument_id: str, scales: Sequence[Scale]) -> Zones:
        keys = self.mapping(node, "zones: ", ("safety", "focus"), ("split",))
        safety: list[str] = []
        for entry in self.sequence(keys["safety"][1], "zones: safety: "):
            value = self.ident(entry, "zones: safety: ")
            if value in safety:
                self.fail(entry, f"zones: safety: '{value}' appears twice")
            safety.append(value)
        focus_node = keys["focus"][1]
        focus = self.ident(focus_node, "zones: focus: ")
        if focus in safety:
            self.fail(focus_node, f"zones: focus: '{focus}' cannot also be a safety instrument")
        if instrument_id != focus and instrument_id not in safety:
            self.fail(
                focus_node, f"zones: this instrument ({instrument_id}) must be one of the axes"
            )
        if not scales:
            self.fail(node, "zones: the instrument has no scale to place on an axis")
        split_node = _get(keys, "split")
        split = 0.5
        if split_node is not None:
            split = self.number(split_node, "zones: split: ")
            if not 0 < split < 1:
                self.fail(
                    split_node, "zones: split: must be between 0 and 1 (a share of the range)"
                )
        return Zones(safety=tuple(safety), focus=focus, split=split)

    def _display(
        self,
        node: Node,
        items: Sequence[Item],
        scales: Sequence[Scale],
        key_figures: Sequence[KeyFigure],
    ) -> Display:
        keys = self.mapping(
            node,
            "display: ",
            optional=("kind", "note", "driver", "lead", "risk_factors", "exercise"),
        )
        kind_node = _get(keys, "kind")
        kind: DisplayKind = "default"
        if kind_node is not None:
            kind = cast(DisplayKind, self.choice(kind_node, "display: kind: ", DISPLAY_KINDS))
            self._check_kind(kind_node, kind, scales, key_figures)
        note_node = _get(keys, "note")
        note = None
        if note_node is not None:
            if not key_figures:
                self.fail(note_node, "display: note: is shown under key figures; there are none")
            note = self.text(note_node, "display: note: ")
        driver_node = _get(keys, "driver")
        driver = None
        if driver_node is not None:
            driver = cast(
                DriverRole, self.choice(driver_node, "display: driver: ", ("outcome", "predictor"))
            )
            if not scales:
                self.fail(driver_node, "display: driver: the instrument has no scale")
        lead_node = _get(keys, "lead")
        lead = None
        if lead_node is not None:
            lead = self.integer(lead_node, "display: lead: ")
            if lead < 1:
                self.fail(lead_node, "display: lead: must be 1 or more")
        factors_node = _get(keys, "risk_factors")
        factors: list[tuple[str, str]] = []
        if factors_node is not None:
            known = {figure.id for figure in key_figures}
            if not isinstance(factors_node, MappingNode) or not factors_node.value:
                self.fail(
                    factors_node,
                    "display: risk_factors: must map each risk factor to a key figure id",
                )
            for key_node, value_node in factors_node.value:
                factor = self.ident(key_node, "display: risk_factors: ", _SCALE_ID)
                figure = self.ident(value_node, f"display: risk_factors: {factor}: ", _SCALE_ID)
                if figure not in known:
                    self.fail(
                        value_node,
                        f"display: risk_factors: {factor}: no key figure '{figure}'",
                    )
                if factor in dict(factors):
                    self.fail(key_node, f"display: risk_factors: '{factor}' appears twice")
                factors.append((factor, figure))
        exercise_node = _get(keys, "exercise")
        exercise = None
        if exercise_node is not None:
            exercise = cast(
                ExerciseKind, self.choice(exercise_node, "display: exercise: ", EXERCISE_KINDS)
            )
            if not any(item.type == "choice" for item in items):
                self.fail(exercise_node, "display: exercise: the instrument has no scale item")
        return Display(
            kind=kind,
            note=note,
            driver=driver,
            lead=lead,
            risk_factors=tuple(factors),
            exercise=exercise,
        )

    def _check_kind(
        self,
        node: Node,
        kind: DisplayKind,
        scales: Sequence[Scale],
        key_figures: Sequence[KeyFigure],
    ) -> None:
        """A kind is refused when the instrument lacks what its chart draws."""
        if kind == "key_figure_reading" and not key_figures:
            self.fail(node, "display: kind: key_figure_reading needs key_figures")
        if kind in ("staircase", "support_chart", "nuggets") and not scales:
            self.fail(node, f"display: kind: {kind} needs at least one scale")
        if kind == "staircase" and len(scales[0].levels) < 2:
            self.fail(
                node,
                f"display: kind: staircase needs at least two levels on the main scale "
                f"'{scales[0].id}' (one step per level)",
            )
        if kind == "staircase":
            # The staircase draws step k at score k and names a score by the steps around
            # it (results.charts): levels at 0, 50, 100 read 7.5 as the top step.
            main, k = scales[0], len(scales[0].levels)
            steps = [level.value for level in main.levels] == list(range(1, k + 1))
            if not steps or (main.score.min, main.score.max) != (1, k):
                self.fail(
                    node,
                    f"display: kind: staircase needs the main scale '{main.id}' scored "
                    f"1..{k} with its levels at 1, 2, ..., {k} (one step per level)",
                )
        if kind == "support_chart":
            for scale in scales:
                if not 1 <= len(scale.bands) <= 3:
                    self.fail(
                        node,
                        f"display: kind: support_chart needs one to three bands on every "
                        f"scale; '{scale.id}' has {len(scale.bands)}",
                    )


def _scalar_value_of(node: Node, key: str) -> Node | None:
    """The value node of ``key`` in a mapping, before full validation (for error context)."""
    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return cast(Node, value_node)
    return None


def _default_scales(items: Sequence[Item], name: Text) -> tuple[Scale, ...]:
    """Without ``scales``: one scale ``total`` over every scored item, on the points range."""
    scored = [item for item in items if item.type == "choice" and item.scored]
    ranges = [r for r in (item.points_range for item in scored) if r is not None]
    if not scored or not ranges:
        return ()
    low = min(r.min for r in ranges)
    high = max(r.max for r in ranges)
    if high <= low:
        return ()
    return (
        Scale(
            id="total",
            name=name,
            items=tuple(item.number for item in scored),
            score=Range(low, high),
            also=None,
            aggregate="persons",
            polarity="higher_better",
            levels=(),
            bands=(),
            consequences=(),
        ),
    )


def content_hash(instrument: Instrument) -> str:
    """SHA-256 over the normalised content, so YAML layout, ``notes``, the respondent's
    heading (``topic``) and how a report shows it (``display``) do not change it: a
    measurement made before a topic or a display was written still matches the instrument
    it was made from."""
    data = dataclasses.asdict(instrument)
    for key in ("notes", "topic", "display", "content_hash"):
        data.pop(key, None)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- public loaders


def parse_instrument(text: str, file: str = "<instrument>") -> Instrument:
    """Validate and build an instrument from YAML text (an upload); ``file`` names errors."""
    return _InstrumentParser(file).parse(text)


def load_instrument(path: str | Path) -> Instrument:
    """Validate and build the instrument in ``path``; refuses a bad file with InstrumentError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError(str(path), 1, "the file is not UTF-8 text") from exc
    return parse_instrument(text, str(path))


def with_builtin_display(instrument: Instrument) -> Instrument:
    """A frozen copy of a built-in instrument stored before its file declared ``display``
    shows as the built-in file now says; an organisation's instrument shows as declared."""
    if instrument.display is not None or instrument.authored_by == "organisation":
        return instrument
    builtin = load_builtin().get(instrument.id)
    if builtin is None or builtin.display is None:
        return instrument
    return dataclasses.replace(instrument, display=builtin.display)


def _builtin_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != TEMPLATES_FILE)


@cache
def load_builtin() -> dict[str, Instrument]:
    """Every built-in instrument by id (cached; the files ship with the package).

    Besides each file's own checks this checks what only the set can: ids are unique and
    match the file name, and ``variant_of`` and ``zones`` name instruments that exist.
    """
    return _load_set(_builtin_files(BUILTIN_DIR))


def _load_set(paths: Sequence[Path]) -> dict[str, Instrument]:
    instruments: dict[str, Instrument] = {}
    for path in paths:
        instrument = load_instrument(path)
        if instrument.id != path.stem:
            raise InstrumentError(
                str(path), 1, f"id '{instrument.id}' must match the file name '{path.stem}'"
            )
        if instrument.id in instruments:
            raise InstrumentError(str(path), 1, f"id '{instrument.id}' appears in two files")
        instruments[instrument.id] = instrument
    for path in paths:
        instrument = instruments[path.stem]
        wanted: list[str] = []
        if instrument.variant_of is not None:
            wanted.append(instrument.variant_of)
        if instrument.zones is not None:
            wanted.extend((*instrument.zones.safety, instrument.zones.focus))
        for other in wanted:
            if other not in instruments:
                raise InstrumentError(
                    str(path), 1, f"refers to instrument '{other}', which is not built in"
                )
    return instruments


# --------------------------------------------------------------------------- templates


class _TemplateParser(_Parser):
    def parse(self, text: str, known: Callable[[str], bool]) -> tuple[Template, ...]:
        root = self.compose(text)
        top = self.mapping(root, "", ("format", "templates"))
        fmt_node = top["format"][1]
        if self.integer(fmt_node, "format: ") != FORMAT_VERSION:
            self.fail(fmt_node, f"format: unsupported format (this version reads {FORMAT_VERSION})")
        templates: list[Template] = []
        seen: set[str] = set()
        for entry in self.sequence(top["templates"][1], "templates: "):
            id_node = _scalar_value_of(entry, "id")
            template_id = self.ident(id_node, "templates: id: ") if id_node is not None else None
            where = f"template {template_id}: " if template_id else "templates: "
            keys = self.mapping(entry, where, ("id", "name", "description", "instruments"))
            assert template_id is not None and id_node is not None
            if template_id in seen:
                self.fail(id_node, f"templates: id '{template_id}' appears twice")
            seen.add(template_id)
            ids: list[str] = []
            for node in self.sequence(keys["instruments"][1], f"{where}instruments: "):
                instrument_id = self.ident(node, f"{where}instruments: ")
                if not known(instrument_id):
                    self.fail(node, f"{where}instrument '{instrument_id}' is not built in")
                if instrument_id in ids:
                    self.fail(node, f"{where}instrument '{instrument_id}' appears twice")
                ids.append(instrument_id)
            templates.append(
                Template(
                    id=template_id,
                    name=self.text(keys["name"][1], f"{where}name: "),
                    description=self.text(keys["description"][1], f"{where}description: "),
                    instruments=tuple(ids),
                )
            )
        return tuple(templates)


def parse_templates(
    text: str, file: str = "<templates>", instrument_ids: Iterable[str] | None = None
) -> tuple[Template, ...]:
    """Validate templates; each instrument id must be in ``instrument_ids`` when given."""
    known_ids = set(instrument_ids) if instrument_ids is not None else None
    return _TemplateParser(file).parse(
        text, (lambda i: i in known_ids) if known_ids is not None else (lambda i: True)
    )


@cache
def load_templates() -> tuple[Template, ...]:
    """The built-in measurement templates (instruments.md), checked against the built-ins."""
    path = BUILTIN_DIR / TEMPLATES_FILE
    return parse_templates(path.read_text(encoding="utf-8"), str(path), load_builtin().keys())
