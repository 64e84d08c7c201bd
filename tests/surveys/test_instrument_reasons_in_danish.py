"""Every reason the instrument loader can give an uploaded file has a Danish wording.

A refused upload ("Målinger → Egne spørgeskemaer") is listed line by line with the
loader's reason, put into Danish by ``instrument_files.explain``; a reason it has no
wording for is shown in English on the Danish page. Each case below is a file the loader
refuses for one reason, so the wording is checked against the loader's real sentence.

Which reason a case triggers is the loader's own ``fail``/``raise`` it stopped at (read
from the traceback). ``test_every_reason_of_the_loader_has_a_case`` finds every such call
in the parser classes an upload goes through (``_Parser`` and ``_InstrumentParser``) and
fails when one has no case here: a new reason needs a case, and with it a Danish wording.
The templates file and the built-in set (``_TemplateParser``, ``_load_set``,
``load_instrument``) are not read from an upload and are left out.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django.utils import translation

from tryghed.core import instruments
from tryghed.core.instruments import MAX_FILE_CHARS, InstrumentError, parse_instrument
from tryghed.surveys.instrument_files import Problem, explain

HEAD = """\
format: 1
id: egen
version: 1
name: {da: Egen, en: Own}
description: {da: Om os, en: About us}
source: {reference: HR}
authored_by: organisation
"""
OPTS = """\
options:
  - {code: 1, label: {da: Nej, en: No}, points: 0}
  - {code: 2, label: {da: Ja, en: Yes}, points: 100}
"""
ITEMS = """\
items:
  - number: 1
    text: {da: Et, en: One}
  - number: 2
    text: {da: To, en: Two}
"""
SCALES = """\
scales:
  - id: s
    name: {da: S, en: S}
    items: [1, 2]
    score: {min: 0, max: 100}
"""
LABEL = "{da: x, en: x}"
KF = f"""\
key_figures:
  - id: k
    label: {LABEL}
    items: [1]
    codes: [2]
"""
# Item 3, a text item, after the two choice items.
TEXT3 = "  - number: 3\n    text: {da: Tre, en: Three}\n    type: text\n"
TEXT_ONLY = "items:\n  - number: 1\n    text: {da: Et, en: One}\n    type: text\n"


def doc(
    head: str = HEAD, opts: str = OPTS, items: str = ITEMS, scales: str = SCALES, tail: str = ""
) -> str:
    return head + opts + items + scales + tail


def item2(extra: str) -> str:
    """ITEMS with ``extra`` (indented keys) added to item 2."""
    return ITEMS + extra


def options(*entries: str) -> str:
    return "options:\n" + "".join(f"  - {{{e}, label: {LABEL}}}\n" for e in entries)


def scale(body: str, score: str = "{min: 0, max: 100}") -> str:
    return f"scales:\n  - id: s\n    name: {LABEL}\n    items: [1, 2]\n    score: {score}\n{body}"


def figure(body: str, items: str = "[1]", codes: str = "[2]") -> str:
    return (
        f"key_figures:\n  - id: k\n    label: {LABEL}\n    items: {items}\n    codes: {codes}\n"
        + body
    )


def staircase(levels: str, score: str) -> str:
    return doc(scales=scale(f"    levels: {levels}\n", score), tail="display:\n  kind: staircase\n")


ALIAS_BOMB = "\n".join(
    ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)]
)

# name -> a file the loader refuses for that one reason.
CASES: dict[str, str] = {
    # reading the file
    "too large": "a: " + "x" * MAX_FILE_CHARS,
    "not valid YAML": "a: [1, 2\n",
    "not valid YAML, unmarked": "a: \x07\n",
    "nested too deeply": "[" * 5000,
    "empty": "# intet\n",
    "alias bomb": ALIAS_BOMB,
    "alias inside itself": "a: &a [*a]\n",
    # the general checks
    "not a mapping": "- a\n",
    "key not a plain name": "? [a]\n: b\n",
    "key twice": "format: 1\nformat: 1\n",
    "unknown key": doc(tail="colour: red\n"),
    "key required": "format: 1\n",
    "not a list": doc(items="items: 5\n", scales=""),
    "empty list": doc(items="items: []\n", scales=""),
    "not a single value": doc(head=HEAD.replace("format: 1", "format: [1]")),
    "not an integer": doc(head=HEAD.replace("format: 1", "format: one")),
    "integer too large": doc(head=HEAD.replace("format: 1", "format: 10000000000")),
    "not a number": doc(scales=SCALES.replace("min: 0,", "min: x,")),
    "not a finite number": doc(scales=SCALES.replace("min: 0,", "min: .nan,")),
    "number too large": doc(scales=SCALES.replace("min: 0,", "min: 1.0e+12,")),
    "code out of range": doc(opts=OPTS.replace("code: 2,", "code: 200,")),
    "not true or false": doc(items=item2("    reverse: maybe\n")),
    "text null": doc(head=HEAD.replace("{da: Egen,", "{da: ,")),
    "text with a tag": doc(head=HEAD.replace("{da: Egen,", "{da: 2020-01-01,")),
    "text blank": doc(head=HEAD.replace("{da: Egen,", '{da: " ",')),
    "not one of": doc(head=HEAD.replace("authored_by: organisation", "authored_by: hr")),
    "not a valid id": doc(head=HEAD.replace("id: egen", "id: Egen")),
    # the top of the file
    "format unsupported": doc(head=HEAD.replace("format: 1", "format: 2")),
    "version below 1": doc(head=HEAD.replace("version: 1", "version: 0")),
    "variant of itself": doc(tail="variant_of: egen\n"),
    "source both": doc(
        head=HEAD.replace("{reference: HR}", "{reference: HR, seed: a, section: b}")
    ),
    "source neither": doc(head=HEAD.replace("{reference: HR}", "{seed: a}")),
    # options
    "too many options": doc(
        opts=options(*(f"code: {c}, points: {c}" for c in range(1, 103))), scales=""
    ),
    "option code twice": doc(opts=OPTS.replace("code: 2,", "code: 1,")),
    "points on some options": doc(opts=options("code: 1, points: 0", "code: 2")),
    "two don't-know options": doc(
        opts=options("code: 1, points: 0", "code: 2, points: null", "code: 3, points: null")
    ),
    "don't-know with points_reversed": doc(
        opts=options("code: 1, points: 0", "code: 2, points: null, points_reversed: 1")
    ),
    "unscored codes not consecutive": doc(opts=options("code: 1", "code: 3"), scales=""),
    "no option with points": doc(opts=options("code: 1, points: null"), scales=""),
    "scored codes not consecutive": doc(opts=options("code: 1, points: 0", "code: 3, points: 1")),
    "points_reversed on some": doc(
        opts=options("code: 1, points: 0, points_reversed: 1", "code: 2, points: 1")
    ),
    "rating max not above min": doc(opts="options: {scale: {min: 5, max: 1}}\n"),
    "rating too many options": doc(opts="options: {scale: {min: -100, max: 100}}\n"),
    "anchors not a mapping": doc(opts="options: {scale: {min: 1, max: 5, anchors: [a]}}\n"),
    "anchor twice": doc(
        opts=f"options: {{scale: {{min: 1, max: 5, anchors: {{1: {LABEL}, 1: {LABEL}}}}}}}\n"
    ),
    "anchor outside": doc(
        opts=f"options: {{scale: {{min: 1, max: 5, anchors: {{9: {LABEL}}}}}}}\n"
    ),
    # items
    "item not a mapping": doc(items="items:\n  - 5\n", scales=""),
    "item without number": doc(items="items:\n  - text: {da: Et, en: One}\n", scales=""),
    "item numbers out of order": doc(
        items="items:\n  - number: 2\n    text: {da: Et, en: One}\n", scales=""
    ),
    "text item with options": doc(
        items=ITEMS + TEXT3 + "    options: [{code: 1, label: {da: a, en: a}}]\n"
    ),
    "item without options": doc(opts=""),
    "text item scored": doc(items=ITEMS + TEXT3 + "    scored: true\n"),
    "scored item without points": doc(opts=options("code: 1", "code: 2")),
    "reverse on unscored": doc(items=item2("    scored: false\n    reverse: true\n"), scales=""),
    "project without measures": doc(
        head=HEAD.replace("authored_by: organisation", "authored_by: project")
    ),
    "reference on a text item": doc(items=ITEMS + TEXT3 + "    reference: {shares: {1: 0.5}}\n"),
    "shares not a mapping": doc(items=item2("    reference: {shares: [1]}\n")),
    "share of no option": doc(items=item2("    reference: {shares: {7: 0.5}}\n")),
    "share code twice": doc(items=item2("    reference: {shares: {1: 0.2, 1: 0.3}}\n")),
    "share above 1": doc(items=item2("    reference: {shares: {1: 2}}\n")),
    "shares above 1 in all": doc(items=item2("    reference: {shares: {1: 0.7, 2: 0.7}}\n")),
    # show_if
    "show_if item missing": doc(items=item2("    show_if: {item: 9, codes: [1]}\n")),
    "show_if itself": doc(items=item2("    show_if: {item: 2, codes: [1]}\n")),
    "show_if later item": doc(
        items=ITEMS.replace(
            "    text: {da: Et, en: One}\n",
            "    text: {da: Et, en: One}\n    show_if: {item: 2, codes: [1]}\n",
        )
    ),
    "show_if on a text item": doc(
        items=ITEMS + TEXT3 + "  - number: 4\n    text: {da: Fire, en: Four}\n"
        "    show_if: {item: 3, codes: [1]}\n"
    ),
    "show_if on a sensitive item": doc(
        items=ITEMS.replace(
            "    text: {da: Et, en: One}\n", "    text: {da: Et, en: One}\n    sensitive: true\n"
        )
        + "    show_if: {item: 1, codes: [1]}\n"
    ),
    "show_if code missing": doc(items=item2("    show_if: {item: 1, codes: [9]}\n")),
    "show_if code twice": doc(items=item2("    show_if: {item: 1, codes: [1, 1]}\n")),
    # scales
    "scale id twice": doc(scales=SCALES + SCALES.removeprefix("scales:\n")),
    "scale item missing": doc(scales=SCALES.replace("[1, 2]", "[1, 9]")),
    "scale item twice": doc(scales=SCALES.replace("[1, 2]", "[1, 1]")),
    "scale item unscored": doc(items=item2("    scored: false\n")),
    "scale of same points": doc(opts=options("code: 1, points: 50", "code: 2, points: 50")),
    "scales overlap": doc(
        items=ITEMS + "  - number: 3\n    text: {da: Tre, en: Three}\n",
        scales=SCALES
        + f"  - id: t\n    name: {LABEL}\n    items: [2, 3]\n    score: {{min: 0, max: 100}}\n",
    ),
    "scale inside a scale": doc(
        scales=SCALES
        + f"  - id: t\n    name: {LABEL}\n    items: [1]\n    score: {{min: 0, max: 100}}\n"
    ),
    "score max not above min": doc(scales=SCALES.replace("{min: 0, max: 100}", "{min: 9, max: 1}")),
    "levels not increasing": doc(
        scales=scale(f"    levels: [{{value: 2, label: {LABEL}}}, {{value: 1, label: {LABEL}}}]\n")
    ),
    "band id twice": doc(
        scales=scale(
            f"    bands: [{{id: b, codes: [1], label: {LABEL}}}, {{id: b, codes: [2], label: {LABEL}}}]\n"
        )
    ),
    "band code not scored": doc(scales=scale(f"    bands: [{{codes: [9], label: {LABEL}}}]\n")),
    "band code twice": doc(
        scales=scale(
            f"    bands: [{{codes: [1], label: {LABEL}}}, {{codes: [1], label: {LABEL}}}]\n"
        )
    ),
    "consequences not a mapping": doc(scales=scale("    consequences: [a]\n")),
    "consequence of nothing": doc(scales=scale(f"    consequences: {{zz: {LABEL}}}\n")),
    "consequence twice": doc(
        scales=scale(
            f"    bands: [{{id: b, codes: [1], label: {LABEL}}}]\n"
            f"    consequences: {{b: {LABEL}, b: {LABEL}}}\n"
        )
    ),
    # key figures
    "key figure id twice": doc(tail=KF + KF.removeprefix("key_figures:\n")),
    "key figure item missing": doc(tail=figure("", items="[9]")),
    "key figure item twice": doc(tail=figure("", items="[1, 1]")),
    "key figure on a text item": doc(items=ITEMS + TEXT3, tail=figure("", items="[3]")),
    "key figure across scales": doc(
        scales=SCALES.replace("[1, 2]", "[1]"), tail=figure("", items="[1, 2]")
    ),
    "key figure code missing": doc(tail=figure("", codes="[9]")),
    "key figure code twice": doc(tail=figure("", codes="[2, 2]")),
    "reference_range reversed": doc(tail=figure("    reference_range: [0.5, 0.2]\n")),
    "reference value and range": doc(
        tail=figure("    reference: {value: 0.3}\n    reference_range: [0.1, 0.2]\n")
    ),
    "reference without value": doc(tail=figure(f"    reference: {{label: {LABEL}}}\n")),
    "reference value above 1": doc(tail=figure("    reference: {value: 2}\n")),
    # zones
    "zones safety twice": doc(tail="zones: {safety: [egen, egen], focus: ps7}\n"),
    "zones focus also safety": doc(tail="zones: {safety: [egen], focus: egen}\n"),
    "zones without this instrument": doc(tail="zones: {safety: [ps7], focus: other}\n"),
    "zones without a scale": doc(
        items=TEXT_ONLY, scales="", tail="zones: {safety: [ps7], focus: egen}\n"
    ),
    "zones split outside": doc(tail="zones: {safety: [ps7], focus: egen, split: 1.5}\n"),
    # display
    "note without key figures": doc(tail=f"display: {{note: {LABEL}}}\n"),
    "driver without a scale": doc(items=TEXT_ONLY, scales="", tail="display: {driver: outcome}\n"),
    "lead below 1": doc(tail="display: {lead: 0}\n"),
    "risk factors not a mapping": doc(tail="display: {risk_factors: [a]}\n"),
    "risk factor of no key figure": doc(tail="display: {risk_factors: {workload: nope}}\n"),
    "risk factor twice": doc(tail=KF + "display: {risk_factors: {workload: k, workload: k}}\n"),
    "exercise without a choice item": doc(
        items=TEXT_ONLY, scales="", tail="display: {exercise: horseshoe}\n"
    ),
    "key_figure_reading without key figures": doc(tail="display: {kind: key_figure_reading}\n"),
    "kind without a scale": doc(items=TEXT_ONLY, scales="", tail="display: {kind: nuggets}\n"),
    "staircase without levels": staircase("[]", "{min: 1, max: 2}").replace("    levels: []\n", ""),
    "staircase not scored 1..k": staircase(
        f"[{{value: 1, label: {LABEL}}}, {{value: 2, label: {LABEL}}}]", "{min: 0, max: 100}"
    ),
    "support_chart without bands": doc(tail="display: {kind: support_chart}\n"),
}


def refusal(text: str) -> InstrumentError:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, file="egen.yaml")
    return caught.value


def site(error: InstrumentError) -> int:
    """The line of the loader's ``fail`` or ``raise`` that refused the file."""
    source = inspect.getsourcefile(instruments)
    lines = []
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == source and code.co_name != "fail":
            lines.append(tb.tb_lineno)
        tb = tb.tb_next
    return lines[-1]


def reason_sites() -> dict[tuple[int, int], str]:
    """Every ``self.fail(...)`` and ``InstrumentError(...)`` in the classes an upload goes
    through, as (first line, last line) -> its source."""
    path = Path(inspect.getsourcefile(instruments) or "")
    text = path.read_text(encoding="utf-8")
    sites = {}
    for cls in ast.parse(text).body:
        if not isinstance(cls, ast.ClassDef) or cls.name not in ("_Parser", "_InstrumentParser"):
            continue
        for node in ast.walk(cls):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            failing = isinstance(func, ast.Attribute) and func.attr == "fail"
            raising = isinstance(func, ast.Name) and func.id == "InstrumentError"
            if failing or raising:
                assert node.end_lineno is not None
                sites[(node.lineno, node.end_lineno)] = ast.get_source_segment(text, node) or ""
    # ``fail`` itself raises InstrumentError for every call above.
    return {k: v for k, v in sites.items() if "node.start_mark.line" not in v}


def in_danish(error: InstrumentError) -> Problem:
    with translation.override("da"):
        return explain(error.line, error.reason)


@pytest.mark.parametrize("name", CASES)
def test_the_reason_has_a_danish_wording(name: str) -> None:
    error = refusal(CASES[name])
    problem = in_danish(error)
    assert problem.lang == "da", f"no Danish wording for the loader's reason: {error.reason!r}"
    assert problem.line == error.line
    assert error.reason not in problem.reason


@pytest.mark.parametrize("name", CASES)
def test_an_english_page_keeps_the_loaders_reason(name: str) -> None:
    error = refusal(CASES[name])
    with translation.override("en"):
        assert explain(error.line, error.reason) == Problem(error.line, error.reason, "en")


def test_every_reason_of_the_loader_has_a_case() -> None:
    hit = {site(refusal(text)) for text in CASES.values()}
    missing = [
        f"line {first}: {source}"
        for (first, last), source in reason_sites().items()
        if not any(first <= line <= last for line in hit)
    ]
    assert not missing, "reasons without a case here (and maybe a Danish wording):\n" + "\n".join(
        missing
    )


def test_each_case_is_refused_for_its_own_reason() -> None:
    """No two cases stop at the same reason (a case that missed its reason hides one)."""
    by_site: dict[int, list[str]] = {}
    for name, text in CASES.items():
        by_site.setdefault(site(refusal(text)), []).append(name)
    assert [names for names in by_site.values() if len(names) > 1] == []


def test_a_part_of_the_file_is_named_in_danish() -> None:
    error = refusal(doc(scales=scale(f"    bands: [{{codes: [9], label: {LABEL}}}]\n")))
    assert in_danish(error).reason == (
        "skala s: bands: svarkoden 9 er ikke en svarmulighed med point i alle skalaens spørgsmål."
    )
    error = refusal(doc(opts=options("code: 1, points: 0", "code: 2")))
    assert in_danish(error).reason == (
        "options: svarmulighed 2: giv point på alle svarmuligheder eller på ingen "
        "(svarmuligheder uden point er til spørgsmål, der ikke tæller med i en score)."
    )
