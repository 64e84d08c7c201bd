"""Every benchmark under bench/ runs from a fresh clone (issue 14: `make bench` must work).

Each script is run once, as `make bench` runs it but at a small size, in a process of its
own, and must finish with exit status 0 and print its figures. The figures themselves are
not checked: timings belong in the benchmarks, not in tests. The scripts that need
PostgreSQL get databases of their own (``tryghed_smoke_*``) so a developer's benchmark on
the same server is not dropped under them.

These runs are the same on both backends (the scripts make their own databases), so the
PostgreSQL pass of `make test` leaves them out (marker ``bench_smoke``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("TRYGHED_BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")

pytestmark = pytest.mark.bench_smoke

# (script, arguments for a small run, a line its output must hold, needs PostgreSQL)
RUNS = [
    ("bench_score.py", ["--repeat", "1"], "peak resident memory", False),
    ("bench_suppression.py", ["--units", "50", "--repeat", "1"], "hidden:", False),
    ("bench_utility.py", ["--units", "50"], "0 leaks", False),
    (
        "bench_dialogue.py",
        ["--sessions", "2", "--phones", "3", "--duration", "2", "--clients", "4"],
        "database check (answers counted = phones that answered): OK",
        False,
    ),
    ("bench_voice_inbox.py", ["--cases", "10", "--runs", "3"], "cases to the AMO/HR", False),
    ("bench_walk.py", ["--walks", "5"], "bare requests", False),
    (
        "bench_submit.py",
        [
            *("--respondents", "20", "--time-limit", "10", "--baseline-time", "1"),
            *("--duplicates", "3", "--races", "2", "--pg-database", "tryghed_smoke_submit"),
            *("--postgres-url", PG_ADMIN),
        ],
        "subm/s of bare",
        False,  # runs SQLite alone and says so when PostgreSQL does not answer
    ),
    (
        "bench_report.py",
        [
            *("--units", "150", "--responses", "1500", "--previous", "500"),
            *("--cold", "1", "--warm", "1", "--database", "tryghed_smoke_report"),
            *("--postgres-url", PG_ADMIN),
        ],
        "peak memory",
        True,
    ),
    (
        "bench_pages.py",
        [
            *("--units", "150", "--responses", "1500", "--previous", "500", "--runs", "1"),
            *("--database", "tryghed_smoke_pages", "--postgres-url", PG_ADMIN),
        ],
        "baseline again",
        True,
    ),
    (
        "bench_load_answers.py",
        [
            *("--units", "150", "--responses", "1500", "--runs", "1"),
            *("--database", "tryghed_smoke_load", "--postgres-url", PG_ADMIN),
        ],
        "same answers both ways: True",
        True,
    ),
]


def _postgres_answers() -> bool:
    ready = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "scripts" / "pg_ready.py"), PG_ADMIN],
        capture_output=True,
        check=False,
    )
    return ready.returncode == 0


@pytest.fixture(scope="module")
def started() -> Iterator[dict[str, subprocess.Popen[str] | str]]:
    """Every script started at once (the machine's cores share them; a test waits for its
    own), or the reason it is skipped."""
    postgres = _postgres_answers()
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    runs: dict[str, subprocess.Popen[str] | str] = {}
    for script, arguments, _expected, needs_postgres in RUNS:
        if needs_postgres and not postgres:
            runs[script] = f"{script} needs PostgreSQL, and none answers at {PG_ADMIN}"
            continue
        runs[script] = subprocess.Popen(  # noqa: S603 - our own interpreter, bench scripts
            [sys.executable, str(ROOT / "bench" / script), *arguments],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    yield runs
    for run in runs.values():
        if isinstance(run, subprocess.Popen) and run.poll() is None:
            run.kill()
            run.wait()


def test_every_bench_script_is_run_here() -> None:
    scripts = sorted(path.name for path in (ROOT / "bench").glob("bench_*.py"))
    assert scripts == sorted(run[0] for run in RUNS)


@pytest.mark.parametrize(("script", "arguments", "expected", "needs_postgres"), RUNS)
def test_the_bench_script_runs(
    started: dict[str, subprocess.Popen[str] | str],
    script: str,
    arguments: list[str],
    expected: str,
    needs_postgres: bool,
) -> None:
    run = started[script]
    if isinstance(run, str):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{run}, and CI=true requires it")
        pytest.skip(run)
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 0, output[-3000:]
    assert expected in output, output[-3000:]
    assert not (needs_postgres and "SKIPPED" in output), output[-3000:]
