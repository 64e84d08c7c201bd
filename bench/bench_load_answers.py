"""Benchmark: ``load_answers`` of a closed measurement, from the responses' bytes of codes
and from their JSON, next to one SQL GROUP BY, on PostgreSQL (issue 14).

Run: ``python bench/bench_load_answers.py`` (flags: ``--help``). It drops and creates the
database ``tryghed_bench_load``, migrates it and builds bench_report's organisation and
measurement of ``--responses`` responses, written with their codes as the release writes
them. A second measurement of the same instruments gets a copy of every response without
codes (in random order, new random ids), as responses stored before migration 0007 were
read. It then runs, ``--runs`` times in turn: the GROUP BY baseline, ``load_answers`` of
the first (the bytes) and of the second (the JSON path), and, with ``--before REV``, the
``load_answers`` of results/answers.py as it was at that git revision on the first, and
prints p50/min and the ratios with the load average. The two results must hold the same answers, or it says so and
exits 1. The database is dropped at the end; if PostgreSQL does not answer, it says so
and exits 0.

No assertions in tests: timings belong here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

import bench_report
from bench_report import ROOT, admin_connect, percentile, recreate, sql_group_by


def _sorted_rows(atom: np.ndarray, codes: dict[str, np.ndarray]) -> np.ndarray:
    """The responses as rows (atom, then every code), in a canonical order: the two
    measurements hold the same answers under different random ids."""
    rows = np.column_stack([atom, *(codes[k] for k in sorted(codes))])
    rows = np.where(np.isnan(rows), -1e9, rows)
    return rows[np.lexsort(rows.T[::-1])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--before", metavar="REV", help="also time results/answers.py as at this git revision"
    )
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="an administrative connection (the bench database is created through it)",
    )
    parser.add_argument(
        "--database",
        default="tryghed_bench_load",
        help="the bench database, dropped and made again [tryghed_bench_load]",
    )
    args = parser.parse_args()

    bench_report.PG_DATABASE = args.database
    admin = admin_connect(args.postgres_url)
    if admin is None:
        print(f"SKIPPED: PostgreSQL does not answer at {args.postgres_url}.")
        return 0
    recreate(admin)
    parts = urlsplit(args.postgres_url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{bench_report.PG_DATABASE}"))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    sys.path.insert(0, str(ROOT / "src"))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from tryghed.core.publication import build_tree, report_units
        from tryghed.results.answers import load_answers
        from tryghed.surveys import services
        from tryghed.surveys.models import Measurement, Response
        from tryghed.surveys.selectors import measurement_instruments, unit_tree_now

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        measurement_id, _ = bench_report.build(args.units, args.responses, 0, args.seed)
        typed = Measurement.objects.get(pk=measurement_id)
        root = typed.scope.get().unit
        untyped = services.measurement_create(
            organisation=typed.organisation,
            actor=None,
            name="Uden koder",
            instrument_ids=bench_report.INSTRUMENTS,
            scope=[services.ScopeEntry(root)],
            opens_on=typed.opens_on,
            closes_on=typed.closes_on,
        )
        table = Response._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (id, measurement_id, unit_id, week, answers, texts, codes) "  # noqa: S608
                "SELECT gen_random_uuid(), %s, unit_id, week, answers, texts, NULL "
                f"FROM {table} WHERE measurement_id = %s ORDER BY random()",
                [untyped.pk, typed.pk],
            )
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(
                f"SELECT count(*) FILTER (WHERE codes IS NOT NULL), count(*) FROM {table} "  # noqa: S608
                "WHERE measurement_id = %s",
                [typed.pk],
            )
            with_codes, total = cursor.fetchone()
        print(
            f"built {args.units:,} units, {total:,} responses ({with_codes:,} with codes) and "
            f"their copy without in {time.perf_counter() - start:.0f} s "
            f"(PostgreSQL {admin.info.server_version})"
        )
        instruments = measurement_instruments(typed)
        assert [i.id for i in measurement_instruments(untyped)] == [i.id for i in instruments]
        tree = build_tree(report_units(unit_tree_now(typed)))

        results: dict[str, Any] = {}
        before: Any = None
        if args.before:
            source = subprocess.run(  # noqa: S603 - git, with the revision the user named
                ["git", "show", f"{args.before}:src/tryghed/results/answers.py"],  # noqa: S607
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            before = types.ModuleType("answers_before")
            exec(compile(source, f"answers.py@{args.before}", "exec"), before.__dict__)  # noqa: S102
        calls: dict[str, Callable[[], object]] = {
            "baseline: one SQL GROUP BY per unit (all)": lambda: sql_group_by(
                connection, typed.pk, None
            ),
            "load_answers, codes from the bytes": lambda: results.__setitem__(
                "typed", load_answers(typed, instruments, tree, with_texts=True)
            ),
            "load_answers, codes from the JSON": lambda: results.__setitem__(
                "json", load_answers(untyped, instruments, tree, with_texts=True)
            ),
        }
        if before is not None:
            calls[f"load_answers at {args.before} (before)"] = lambda: results.__setitem__(
                "before", before.load_answers(typed, instruments, tree, with_texts=True)
            )
        seconds: dict[str, list[float]] = {label: [] for label in calls}
        loads = [os.getloadavg()[0]]
        for _ in range(args.runs):
            for label, call in calls.items():
                begun = time.perf_counter()
                call()
                seconds[label].append(time.perf_counter() - begun)
            loads.append(os.getloadavg()[0])
        base = percentile(next(iter(seconds.values())), 0.5)
        for label, values in seconds.items():
            p50 = percentile(values, 0.5)
            print(
                f"{label:<44} runs {len(values):>2}  p50 {p50 * 1000:8.1f} ms  "
                f"min {min(values) * 1000:8.1f} ms  p50 / GROUP BY {p50 / base:6.1f} x"
            )
        bytes_p50 = percentile(seconds["load_answers, codes from the bytes"], 0.5)
        json_p50 = percentile(seconds["load_answers, codes from the JSON"], 0.5)
        print(
            f"JSON / bytes: {json_p50 / bytes_p50:.1f} x; load average (1 min) during the runs "
            f"{min(loads):.2f}-{max(loads):.2f}"
        )
        typed_answers, json_answers = results["typed"], results["json"]
        same = np.array_equal(
            _sorted_rows(typed_answers.atom, typed_answers.codes),
            _sorted_rows(json_answers.atom, json_answers.codes),
        ) and all(
            np.array_equal(typed_answers.multi_counts[k], json_answers.multi_counts[k])
            for k in typed_answers.multi_counts
        )
        if before is not None:
            same = same and all(
                np.array_equal(results["before"].codes[k], typed_answers.codes[k], equal_nan=True)
                for k in typed_answers.codes
            )
            same = same and results["before"].texts == typed_answers.texts
        print(f"same answers both ways: {same}")
        connection.close()
    finally:
        recreate(admin, drop_only=True)
        admin.close()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
