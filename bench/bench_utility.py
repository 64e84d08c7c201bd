"""Benchmark: how much the suppression shows, next to what an attacker could derive.

Run: ``python bench/bench_utility.py``. On a fresh SQLite database in a temporary folder
it loads the demo organisation, and generates an organisation of ``--units`` units with
two closed ps7 waves (0-12 answers per unit, as tests/privacy does). For every closed
measurement it prints the *utility*: of the (group, scale) pairs whose group has at least
the scale's minimum of people with a score, the share the publication shows (issue 14:
hiding a whole mid-size team to protect a small one costs utility, never safety), and
the same for (group, item) and (group, key figure) pairs. Next to it, the anonymity
audit's result over every reader (``tryghed audit-anonymity``): derived groups checked
and leaks, which must stay 0. No timings, no assertions: a figure for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000, help="generated units [2000]")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="tryghed-bench-utility-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["TRYGHED_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    sys.path.insert(0, str(ROOT))  # the generator below lives with the privacy tests
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from tests.privacy.test_publication_audit import _generated_organisation, _generated_wave

    from tryghed.orgs.demo import load_demo
    from tryghed.results.audit import audit_organisation, audited_measurements
    from tryghed.surveys.demo import load_demo_measurements

    demo, _ = load_demo()
    load_demo_measurements(demo)
    report(demo, "demo", audited_measurements, audit_organisation)

    organisation, units = _generated_organisation(args.units)
    rng = random.Random(15)
    first = _generated_wave(organisation, units, name="Trivsel 2025", previous=None, rng=rng)
    _generated_wave(organisation, units, name="Trivsel 2026", previous=first, rng=rng)
    report(organisation, f"{args.units} units", audited_measurements, audit_organisation)
    return 0


def report(organisation: Any, label: str, measurements: Any, audit_organisation: Any) -> None:
    from tryghed.results.aggregates import publication_builder, report_data

    for measurement in measurements(organisation):
        data = report_data(measurement)
        built = publication_builder(measurement)
        built.build()  # the decisions as published: the builder may hide more on its last pass
        scales = [0, 0]
        for instrument in built.instruments:
            figures = built.figures[instrument.id]
            for scale in instrument.scales:
                minimum = int(data["instruments"][instrument.id]["scales"][scale.id]["minimum"])
                table = figures.scales[scale.id]
                for g, decision in enumerate(figures.scale_decisions[scale.id]):
                    if int(table.n[g]) >= minimum:
                        scales[0] += 1
                        scales[1] += int(decision.shown)
        items, keys = _shown_shares(data)
        print(
            f"{label} / {measurement.name}: scales shown {_share(scales)} of the "
            f"(group, scale) pairs at or above the minimum; items {items}, key figures "
            f"{keys} of the pairs whose group is shown; {_teams_dark(built)}; "
            f"{_per_reader(built)}"
        )
    findings = audit_organisation(organisation)
    derived = sum(len(f.result.derived) for f in findings)
    leaks = sum(len(f.result.leaks) for f in findings)
    print(
        f"{label}: audit over {len(findings)} reader views: {derived} derived groups, {leaks} leaks"
    )


def _teams_dark(built: Any) -> str:
    """Teams (units without units below them in the report): of their (team, scale) pairs
    with at least the scale's minimum of scores, the share shown, and the teams where
    every such scale is hidden (a team whose own page shows next to nothing). A team is
    what its leader and its employees read; a parent's subtree is an aggregate above
    teams its leader also sees one by one."""
    tree = built.tree
    dark = enough = shown_pairs = pairs = 0
    for unit in tree.units:
        if tree.children[unit]:
            continue
        g = tree.slot[("unit", unit)]
        shown = [
            figures.scale_decisions[scale.id][g].shown
            for instrument in built.instruments
            for figures in (built.figures[instrument.id],)
            for scale in instrument.scales
            if int(figures.scales[scale.id].n[g]) >= figures.scale_decisions[scale.id][g].n > 0
            and figures.scale_decisions[scale.id][g].reason != "below_minimum"
        ]
        if shown:
            enough += 1
            dark += not any(shown)
            pairs += len(shown)
            shown_pairs += sum(shown)
    return (
        f"teams' own scales shown {_share([pairs, shown_pairs])}, "
        f"teams with every scale hidden {dark} of {enough}"
    )


def _per_reader(built: Any) -> str:
    """Of the (group, scale) pairs a kind of reader would look at (groups at or above the
    minimum only), the share shown, averaged over readers: employees weighted by the
    answers from their unit (their feedback page: their unit), a leader of every team (the
    team and the subtree above it), a leader of every unit with units below it (its
    subtree, every unit and subtree below, the subtree above), and the aggregates above
    teams (the subtrees of units with units below them: the heatmap's rows). Which hides
    the engine prefers moves these against each other (docs/benchmarks.md)."""
    tree = built.tree
    answers = built.answers.responses.tolist()

    def below(unit: str) -> list[str]:
        found = [unit]
        for child in tree.children[unit]:
            found += below(child)
        return found

    def share(keys: list[Any]) -> tuple[int, int]:
        shown = total = 0
        for instrument in built.instruments:
            figures = built.figures[instrument.id]
            for scale in instrument.scales:
                for key in keys:
                    decision = figures.scale_decisions[scale.id][tree.slot[key]]
                    if decision.reason != "below_minimum":
                        total += 1
                        shown += decision.shown
        return shown, total

    def mean(views: list[tuple[list[Any], int]]) -> str:
        weighted = weights = 0.0
        for keys, weight in views:
            shown, total = share(keys)
            if total and weight:
                weighted += weight * shown / total
                weights += weight
        return f"{100 * weighted / weights:.1f} %" if weights else "-"

    teams = [u for u in tree.units if not tree.children[u]]
    above = [u for u in tree.units if tree.children[u]]

    def with_parent(unit: str) -> list[Any]:
        parent = tree.parent[unit]
        return [("subtree", parent)] if parent is not None else []

    employees = mean([([("unit", u)], answers[tree.index[u]]) for u in tree.units])
    team_leaders = mean([([("unit", u), *with_parent(u)], 1) for u in teams])
    leaders = mean(
        [
            ([(scope, v) for v in below(u) for scope in ("unit", "subtree")] + with_parent(u), 1)
            for u in above
            if tree.parent[u] is not None
        ]
    )
    aggregates = mean([([("subtree", u) for u in above], 1)])
    return (
        f"per reader: employees {employees}, team leaders {team_leaders}, "
        f"leaders above teams {leaders}, aggregates above teams {aggregates}"
    )


def _shown_shares(data: Any) -> tuple[str, str]:
    """Among shown groups, the share of item and key-figure blocks that are shown."""
    counts = {"items": [0, 0], "key_figures": [0, 0]}
    for block in data["groups"]:
        if block.get("suppressed", True):
            continue
        for figures in block["instruments"].values():
            for section, tally in counts.items():
                for figure in figures[section].values():
                    tally[0] += 1
                    tally[1] += int(not figure.get("suppressed", True))
    return _share(counts["items"]), _share(counts["key_figures"])


def _share(tally: list[int]) -> str:
    total, shown = tally
    return f"{shown}/{total} ({100 * shown / total:.1f} %)" if total else "0/0"


if __name__ == "__main__":
    sys.exit(main())
