"""Chart labels wrap inside the drawing in the widest font a browser or WeasyPrint falls
back to on Linux (DejaVu Sans): measured with the font itself, no line runs past the edge
(before, "…mine evner og bidrag" was cut to "evner o")."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import ImageFont

from tryghed.core.instruments import load_builtin
from tryghed.results import charts

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
LINE = charts.WIDTH - 2 * charts._PAD


def labels() -> list[str]:
    out: list[str] = []
    for instrument in load_builtin().values():
        out += [item.text.da for item in instrument.items] + [
            item.text.en for item in instrument.items
        ]
        out += [scale.name.da for scale in instrument.scales]
        out += [figure.label.da for figure in instrument.key_figures]
    return out


@pytest.mark.parametrize(
    ("face", "bold"), [("DejaVuSans.ttf", False), ("DejaVuSans-Bold.ttf", True)]
)
def test_every_wrapped_label_fits_the_chart_in_dejavu_sans(face: str, bold: bool) -> None:
    path = DEJAVU / face
    if not path.exists():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{path} is needed in CI (.ci/run installs fonts-dejavu-core)")
        pytest.skip(f"{path} is not installed (Debian: fonts-dejavu-core)")
    font = ImageFont.truetype(str(path), size=int(charts._FONT))
    too_wide = [
        (line, round(font.getlength(line), 1))
        for text in labels()
        for line in charts._wrap(text, LINE, bold=bold)
        if font.getlength(line) > LINE
    ]
    assert too_wide == []
