"""``tryghed instruments [ID] [--lang en]``: list the built-in instruments or show one.

Reading an instrument on the command line is how a work-environment organisation checks
the exact wording and points before a measurement, so the detail view prints every item,
its options and their points (reverse keying included).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from tryghed.core.instruments import Instrument, InstrumentError, Item, load_builtin


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", help="show this instrument with its items and options")
    parser.add_argument("--lang", choices=("da", "en"), default="da", help="language (da)")


def run(args: argparse.Namespace) -> int:
    try:
        instruments = load_builtin()
    except InstrumentError as exc:
        print(f"error: a built-in instrument is invalid: {exc}", file=sys.stderr)
        return 1
    if args.id is None:
        _list(instruments, args.lang, sys.stdout)
        return 0
    instrument = instruments.get(args.id)
    if instrument is None:
        known = ", ".join(sorted(instruments))
        print(f"error: unknown instrument '{args.id}' (known: {known})", file=sys.stderr)
        return 2
    _show(instrument, args.lang, sys.stdout)
    return 0


def _list(instruments: dict[str, Instrument], lang: str, out: TextIO) -> None:
    rows = [
        (i.id, str(i.version), i.name.get(lang), str(len(i.items)), i.authored_by)
        for i in sorted(instruments.values(), key=lambda i: i.id)
    ]
    header = ("id", "version", "name", "items", "authored_by")
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    for row in [header, *rows]:
        cells = [
            cell.rjust(w) if c in (1, 3) else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip(), file=out)


def _points(item: Item, points: float | None) -> str:
    return "ved ikke / don't know" if points is None else f"{points:g}"


def _show(instrument: Instrument, lang: str, out: TextIO) -> None:
    def line(text: str = "") -> None:
        print(text, file=out)

    line(f"{instrument.name.get(lang)}")
    line(f"id {instrument.id}, version {instrument.version} ({instrument.fingerprint})")
    kind = {
        "seed": "items verbatim from the source (a validated scale)",
        "project": "items written by Tryghed from a definition (a screening, not a validated scale)",
        "organisation": "items from the organisation",
    }[instrument.authored_by]
    line(f"authored by: {instrument.authored_by}: {kind}")
    source = instrument.source
    if source.reference is not None:
        line(f"source: {source.reference}")
    else:
        line(f"source: seed {source.seed}, {source.section}")
    if instrument.variant_of:
        line(f"variant of: {instrument.variant_of} (never compared with it)")
    line()
    line(instrument.description.get(lang))
    line()
    for item in instrument.items:
        flags = [
            flag
            for flag, on in (
                ("R", item.reverse),
                ("sensitive", item.sensitive),
                ("not scored", item.type == "choice" and not item.scored),
                (item.type, item.type != "choice"),
            )
            if on
        ]
        mark = f" ({', '.join(flags)})" if flags else ""
        line(f"{item.id}{mark}: {item.text.get(lang)}")
        if item.show_if is not None:
            codes = ", ".join(str(code) for code in item.show_if.codes)
            line(f"    asked when item {item.show_if.item} is {codes}")
        if item.rating:
            scored = item.scored_options
            anchors = "; ".join(
                f"{o.code} {o.label.get(lang)}" for o in item.options if o.label is not None
            )
            line(f"    {scored[0].code}..{scored[-1].code}, points = code; {anchors}")
        else:
            for option in item.options:
                label = option.label.get(lang) if option.label is not None else ""
                points = (
                    f" -> {_points(item, item.points(option.code))}"
                    if item.scored or option.dont_know
                    else ""
                )
                line(f"    {option.code} {label}{points}")
    if instrument.scales:
        line()
        for scale in instrument.scales:
            numbers = ", ".join(str(n) for n in scale.items)
            rng = f"{scale.score.min:g}-{scale.score.max:g}"
            also = f" (also {scale.also.min:g}-{scale.also.max:g})" if scale.also else ""
            line(
                f"scale {scale.id}: {scale.name.get(lang)}: items {numbers}; score {rng}{also}; "
                f"{scale.aggregate}, {scale.polarity}"
            )
    for figure in instrument.key_figures:
        codes = ", ".join(str(c) for c in figure.codes)
        line(
            f"key figure {figure.id}: {figure.label.get(lang)} (codes {codes}, rule {figure.rule})"
        )
