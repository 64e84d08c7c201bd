"""Benchmark: the Sig det inbox of an AMO member with many cases to the AMO/HR, on SQLite.

Run: ``python bench/bench_voice_inbox.py`` (flags: ``--help``). It migrates a throwaway
SQLite database (``TRYGHED_DATA_DIR`` in a temp directory), raises ``--cases`` cases to
the AMO/HR through ``voice.services.case_raise`` (each with its sealed set of who may not
be told, ``Case.withheld``), spread over the units and days, and times the AMO member's
inbox page and one case page through Django's test client, signed in, ``--runs`` times
each, warm.

Each page is timed two ways, alternately in the same run: as it is (every case to the
AMO/HR has its set opened, ``selectors.readable``), and as the baseline, with
``selectors.readable`` replaced by the roles-only rule it adds to (the page as it was
before the sets were read). It prints p50/p95, the ratio to the baseline, the number of
SQL queries of each, the time to open one set, and the load average.

No assertions: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build(cases: int) -> tuple[Any, Any, Any]:
    from tests.factories import grant, make_org, make_unit, make_user

    from tryghed.orgs.models import Role
    from tryghed.voice import services

    org = make_org("Benchkommune", slug="benchkommune")
    area = make_unit(org, name="Område", kind="omraade", external_id="AREA")
    teams = [make_unit(org, parent=area, name=f"Team {i}", external_id=f"T{i}") for i in range(10)]
    amo = make_user("amo@example.test")
    grant(amo, org, Role.AMO)
    for i, team in enumerate(teams):
        grant(make_user(f"leader{i}@example.test"), org, Role.LEADER, team)
    today = dt.date.today()
    first = None
    for i in range(cases):
        case, _code = services.case_raise(
            organisation=org,
            unit=teams[i % len(teams)],
            receiver="amo",
            kind="concern",
            text=f"Sag nummer {i} om arbejdsmiljøet.",
            today=today - dt.timedelta(days=i // 50),
        )
        first = first or case
    return org, amo, first


def timed(get: Callable[[], Any], runs: int) -> tuple[list[float], int]:
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        response = get()
    assert response.status_code == 200, response.status_code
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        get()
        seconds.append(time.perf_counter() - start)
    return seconds, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200, help="cases to the AMO/HR [200]")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page [30]")
    args = parser.parse_args()
    if args.runs < 3:
        parser.error("--runs must be at least 3 (a third of them per round)")
    with tempfile.TemporaryDirectory(prefix="tryghed-bench-voice-") as data_dir:
        for name in ("DATABASE_URL", "TRYGHED_ENV", "DB_CONN_MAX_AGE"):
            os.environ.pop(name, None)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="tryghed.settings",
            TRYGHED_DATA_DIR=data_dir,
            DEBUG="false",
            ALLOWED_HOSTS="testserver",
            LOG_LEVEL="WARNING",
        )
        sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from tryghed.voice import selectors
        from tryghed.voice.withheld import Opener

        call_command("migrate", verbosity=0)
        org, amo, case = build(args.cases)
        client = Client()
        client.force_login(amo)
        pages = {
            "inbox": reverse("voice:inbox", kwargs={"org": org.slug}),
            "case page": reverse("voice:case_detail", kwargs={"org": org.slug, "case_id": case.pk}),
        }
        readable = selectors.readable

        def roles_only(access: Any, cases: Any) -> list[Any]:
            return list(cases)

        print(f"{args.cases} cases to the AMO/HR, {args.runs} runs per page and way")
        for label, url in pages.items():
            now: list[float] = []
            before: list[float] = []
            queries = {}
            for _ in range(3):  # alternately, so a change in the machine's load hits both
                selectors.readable = roles_only
                seconds, queries["before"] = timed(partial(client.get, url), args.runs // 3)
                before += seconds
                selectors.readable = readable
                seconds, queries["now"] = timed(partial(client.get, url), args.runs // 3)
                now += seconds
            p50, p95 = percentile(now, 0.5), percentile(now, 0.95)
            b50, b95 = percentile(before, 0.5), percentile(before, 0.95)
            print(
                f"{label:<10} p50 {p50 * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  "
                f"x {p50 / b50:4.2f} / {p95 / b95:4.2f} of roles only "
                f"({b50 * 1000:.1f} / {b95 * 1000:.1f} ms)  "
                f"queries {queries['now']} (roles only {queries['before']})  "
                f"load {os.getloadavg()[0]:.2f}"
            )
        from tryghed.voice.models import Case

        sets = list(Case.objects.filter(organisation=org).values_list("pk", "withheld"))
        start = time.perf_counter()
        opener = Opener()
        for pk, sealed in sets:
            opener.open(pk, sealed)
        each = (time.perf_counter() - start) / len(sets)
        print(
            f"opening one set: {each * 1e6:.0f} us, all {len(sets)}: "
            f"{each * len(sets) * 1000:.1f} ms  load {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
