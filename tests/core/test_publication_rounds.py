"""The builder's rounds (``Report.build``) against the plain loop they replaced.

``_Decider.joint_hides`` hides groups that figures decided apart give away together, and
the publication is then decided again. The builder asks for every decision before it
builds (``Report._decide_the_rest``) and hides before building, and it works out what
depends on the answers alone once for all rounds (``Report._once``). Neither may change a
figure: on random organisations, the publication must equal the one the plain loop makes
(build everything, check what was built, decide again, build everything again).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tryghed.core.publication import JsonDict, Report, no_cycle_collection

from .test_publication_fast_paths import random_report


class PlainReport(Report):
    """Every round builds the whole publication and computes every figure anew."""

    def _once(
        self,
        key: tuple[object, ...],
        compute: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        return compute(*args, **kwargs)

    def build(self) -> JsonDict:
        with no_cycle_collection():
            while True:
                data = self._build()
                if not self.decider.joint_hides(data):
                    return data
                self.figures = self._decided_figures(self.figures)


def plain(report: Report) -> PlainReport:
    return PlainReport(
        report.measured,
        report.instruments,
        report.tree,
        report.names,
        report.answers,
        report.minimums,
    )


def dump(data: JsonDict) -> str:
    return json.dumps(data, sort_keys=True)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_rounds_give_the_publication_of_the_plain_loop(seed: int) -> None:
    report = random_report(seed)
    expected = dump(plain(report).build())
    assert dump(report.build()) == expected


def test_the_random_reports_make_the_builder_hide_and_build_again() -> None:
    """The property above is only as good as its data: in some organisations the joint
    rule hides (more than one round), in some the measurement-level figures are shown."""
    hid = drivers = 0
    for seed in range(60):
        report = random_report(seed)
        data = report.build()
        hid += bool(report.decider._blocked)
        drivers += any(
            d is not None and not d.get("suppressed", True)
            for d in data["measurement_level"]["drivers"].values()
        )
    assert hid >= 5
    assert drivers >= 1
