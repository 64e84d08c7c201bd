"""Benchmark: a measurement's report data for 2,000 units and 200,000 responses, on PostgreSQL.

Run: ``python bench/bench_report.py`` (flags: ``--help``). It drops and creates the
database ``tryghed_bench_report``, migrates it and bulk-inserts an organisation of
``--units`` units (10 areas, 10 departments each, teams below; about one response in
eight lands on a department, the rest on teams of very unequal size, so some teams are
below the minimum), a closed measurement with ps7, opgavefokus, stress, tavshed, guldkorn
and hesteskoen (free text) of ``--responses`` synthetic responses (surveys.demo's latent
model), and an earlier wave of ``--previous`` responses that it is compared with.

It then times ``compute_report_data`` (cold: everything computed) ``--cold`` times, core's
own build of the same figures from the answers already in memory as often (the second
baseline of the publication at closing: issue 14 asks for at most 3 times it), the
publication at closing once as the closing task makes it (``fingerprint``: build, name,
store) and once as a first ``report_data`` does, and ``report_data`` (warm: fingerprint,
then the stored JSON) ``--warm`` times, and prints p50/p95, the fingerprint alone, the stored size, and the process's peak memory. The
database (``--database``) is dropped at the end, unless ``--keep``: then it stays, and a
later run with ``--keep`` reuses it without building again (``--cold 0`` skips the cold
runs too), so before and after can be timed alternately on the same data. If PostgreSQL
does not answer, it says so and exits 0.

The pages are compared with two baselines of the same run: the SQL of their slice, and a
bare signed-in Django view (registered in this process only, never a product route) that
renders a minimal template through the same test client, middleware and session: what any
signed-in page costs before it does anything of its own.

No assertions: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PG_DATABASE = "tryghed_bench_report"
INSTRUMENTS = ["ps7", "opgavefokus", "stress", "tavshed", "guldkorn", "hesteskoen"]
AREAS = 10
DEPARTMENTS_PER_AREA = 10
MIN_UNITS = 1 + AREAS + AREAS * DEPARTMENTS_PER_AREA + 1  # the root, areas, departments, a team


def admin_connect(url: str) -> psycopg.Connection[Any] | None:
    parts = urlsplit(url)
    try:
        return psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
            connect_timeout=3,
            autocommit=True,
        )
    except psycopg.Error:
        return None


def recreate(
    admin: psycopg.Connection[Any], database: str | None = None, *, drop_only: bool = False
) -> None:
    database = database or PG_DATABASE
    name = sql.Identifier(database)
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
        (database,),
    )
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
    if not drop_only:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def exists(admin: psycopg.Connection[Any], database: str) -> bool:
    found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
    return found.fetchone() is not None


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timed(label: str, runs: int, call: Callable[[], object]) -> list[float]:
    seconds: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    # This process's own CPU time beside the wall time: on a shared machine the wall time
    # also counts waiting for a core (the database's work is in another process).
    print(
        f"{label:<44} runs {runs:>2}  p50 {_time(percentile(seconds, 0.5))}  "
        f"p95 {_time(percentile(seconds, 0.95))}  min {_time(min(seconds))}  "
        f"CPU p50 {_time(percentile(cpu, 0.5))}"
    )
    return seconds


def _time(seconds: float) -> str:
    return f"{seconds:7.2f} s " if seconds >= 1 else f"{seconds * 1000:7.1f} ms"


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(units: int, responses: int, previous_responses: int, seed: int) -> tuple[int, int]:
    """The organisation and the two waves; returns (measurement id, previous id)."""
    if units < MIN_UNITS:
        raise SystemExit(
            f"--units must be at least {MIN_UNITS} (the root, areas, departments, a team)"
        )
    from django.db import transaction

    from tryghed.core.answer_codes import choice_item_ids, encode
    from tryghed.orgs import services as org_services
    from tryghed.orgs.models import Unit, UnitKind
    from tryghed.surveys import selectors as survey_selectors
    from tryghed.surveys import services
    from tryghed.surveys.demo import synthetic_answers
    from tryghed.surveys.models import Measurement, Response, Status

    rng = random.Random(seed)
    organisation = org_services.organisation_create(
        name="Benchkommune", slug="benchkommune", actor=None
    )
    root = Unit.objects.get(organisation=organisation, parent__isnull=True)

    def add_level(parents: Sequence[Unit], count: int, kind: str, prefix: str) -> list[Unit]:
        rows = [
            Unit(
                organisation=organisation,
                parent=parents[i % len(parents)],
                name=f"{prefix} {i}",
                kind=kind,
                external_id=f"{prefix}{i}",
                path="/",
                depth=parents[i % len(parents)].depth + 1,
            )
            for i in range(count)
        ]
        created = Unit.objects.bulk_create(rows, batch_size=1000)
        for unit in created:
            assert unit.parent is not None
            unit.path = f"{unit.parent.path}{unit.pk}/"
        Unit.objects.bulk_update(created, ["path"], batch_size=1000)
        return created

    with transaction.atomic():
        areas = add_level([root], AREAS, UnitKind.AREA, "A")
        departments = add_level(areas, AREAS * DEPARTMENTS_PER_AREA, UnitKind.DEPARTMENT, "D")
        teams = add_level(
            departments, units - 1 - len(areas) - len(departments), UnitKind.TEAM, "T"
        )
    # Very unequal sizes: a few large teams, many ordinary ones, some below the minimum.
    effect = {u.pk: rng.gauss(0, 0.55) for u in [*areas, *departments, *teams]}
    weights = [rng.lognormvariate(0, 0.9) for _ in teams]

    def wave(name: str, count: int, previous: Measurement | None, opens: dt.date) -> Measurement:
        measurement = services.measurement_create(
            organisation=organisation,
            actor=None,
            name=name,
            instrument_ids=INSTRUMENTS,
            scope=[services.ScopeEntry(root)],
            opens_on=opens,
            closes_on=opens + dt.timedelta(days=14),
            previous=previous,
        )
        instruments = survey_selectors.measurement_instruments(measurement)
        item_ids = choice_item_ids(instruments)
        week = services.iso_week(opens)
        chosen = rng.choices(teams, weights=weights, k=count)
        batch: list[Response] = []
        for i, team in enumerate(chosen):
            unit = team if rng.random() >= 0.125 else team.parent
            assert unit is not None
            answers, texts = synthetic_answers(rng, instruments, effect[unit.pk] + rng.gauss(0, 1))
            batch.append(
                Response(
                    measurement=measurement,
                    unit_id=unit.pk,
                    week=week,
                    answers=answers,
                    texts=texts,
                    codes=encode(answers, item_ids),  # as the release writes them
                )
            )
            if len(batch) == 5000 or i == count - 1:
                Response.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
        return Measurement.objects.get(pk=measurement.pk)

    first = wave("Forår", previous_responses, None, dt.date(2026, 4, 13))
    second = wave("Efterår", responses, first, dt.date(2026, 10, 5))
    return second.pk, first.pk


def sql_group_by(connection: Any, measurement_id: int, unit_id: int | None) -> None:
    """The baseline: n and the mean of one item per unit in one SQL query (the whole
    measurement, or one unit's slice), decoded by the database, not by Python."""
    query = (
        "SELECT unit_id, count(*), avg((answers->>'ps7.1')::float) FROM surveys_response "
        "WHERE measurement_id = %s AND (%s::bigint IS NULL OR unit_id = %s) GROUP BY unit_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [measurement_id, unit_id, unit_id])
        cursor.fetchall()


def ratio(label: str, seconds: Sequence[float], baseline: Sequence[float]) -> None:
    p50, base = percentile(seconds, 0.5), percentile(baseline, 0.5)
    p95 = percentile(seconds, 0.95)
    print(
        f"{'  ratio ' + label:<44} p50 {p50 / base:7.1f} x  p95 {p95 / base:7.1f} x  "
        f"(load average {os.getloadavg()[0]:.2f})"
    )


BARE_PATH = "/bench-bare-signed-in/"


def add_bare_view() -> None:
    """The second baseline: a view that needs a signed-in user and renders a minimal
    template, added to this process's URLconf only (at the front, so nothing shadows it)."""
    from django.http import HttpRequest, HttpResponse
    from django.shortcuts import redirect
    from django.template import engines
    from django.urls import clear_url_caches, path

    from tryghed import urls

    template = engines["django"].from_string(
        '<!doctype html><html lang="da"><head><title>Bench</title></head>'
        "<body><p>{{ request.user.email }}</p></body></html>"
    )

    def bare(request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("/konto/login/")
        return HttpResponse(template.render({}, request))

    patterns: list[Any] = urls.urlpatterns
    if not any(getattr(p, "name", None) == "bench_bare" for p in patterns):
        patterns.insert(0, path(BARE_PATH.lstrip("/"), bare, name="bench_bare"))
        clear_url_caches()


def pages(measurement: Any, runs: int, connection: Any) -> None:
    """The pages as a signed-in AMO member asks for them (middleware, templates, the cached
    report data read back each time), through Django's test client in this process."""
    from django.test import Client

    from tryghed.accounts.models import User
    from tryghed.orgs.models import Membership, Role, Unit, UnitKind

    organisation = measurement.organisation
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from tryghed.accounts.services import totp_activate

    user = User.objects.filter(email="amo@bench.test").first()  # kept from a run before
    if user is None:
        user = User.objects.create_user(email="amo@bench.test", password=None)
        Membership.objects.create(organisation=organisation, user=user, role=Role.AMO)
        totp_activate(user=user, secret=generate_totp_secret())  # the AMO must have two steps
    add_bare_view()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    base = f"/o/{organisation.slug}/rapporter/maaling/{measurement.pk}"
    team = Unit.objects.filter(organisation=organisation, kind=UnitKind.TEAM).order_by("pk").first()
    department = (
        Unit.objects.filter(organisation=organisation, kind=UnitKind.DEPARTMENT)
        .order_by("pk")
        .first()
    )
    assert team is not None and department is not None

    def get(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    whole = timed(
        "baseline: SQL GROUP BY, all units",
        runs,
        lambda: sql_group_by(connection, measurement.pk, None),
    )
    slice_ = timed(
        "baseline: SQL for one team's slice",
        runs,
        lambda: sql_group_by(connection, measurement.pk, team.pk),
    )
    get(BARE_PATH)  # the first request of the session (and of the template) aside
    bare = timed("baseline: bare signed-in view + template", runs, lambda: get(BARE_PATH))
    from tryghed.results import aggregates

    # First reads in a process: a unit page loads the header and its slice's rows only.
    aggregates._typed.clear()
    page = timed(
        "team page, first read (header + its slice)",
        1,
        lambda: get(f"{base}/enhed/{team.pk}/"),
    )
    ratio("team page, first read / SQL one team", page, slice_)
    aggregates._typed.clear()
    page = timed(
        "organisation page, first read (all groups)",
        1,
        lambda: get(f"{base}/organisation/"),
    )
    ratio("organisation page, first read / SQL all units", page, whole)
    page = timed(
        "organisation report page (heatmap etc.)", runs, lambda: get(f"{base}/organisation/")
    )
    ratio("organisation page / SQL all units", page, whole)
    ratio("organisation page / bare signed-in view", page, bare)
    page = timed(
        "organisation report, all units, sorted",
        runs,
        lambda: get(f"{base}/organisation/?niveau=alle&sort=ps7.total&dir=asc"),
    )
    ratio("all units, sorted / SQL all units", page, whole)
    page = timed(
        "unit report page, a department", runs, lambda: get(f"{base}/enhed/{department.pk}/")
    )
    ratio("department page / SQL one team", page, slice_)
    ratio("department page / bare signed-in view", page, bare)
    page = timed("unit report page, a team", runs, lambda: get(f"{base}/enhed/{team.pk}/"))
    ratio("team page / SQL one team", page, slice_)
    ratio("team page / bare signed-in view", page, bare)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--previous", type=int, default=100_000, help="responses, earlier wave")
    parser.add_argument("--cold", type=int, default=5, help="runs of compute_report_data")
    parser.add_argument("--warm", type=int, default=10, help="runs of report_data, cached")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=PG_DATABASE, help=f"[{PG_DATABASE}]")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database at the end, and reuse it if it is there (no new build)",
    )
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="an administrative connection (the bench database is created through it)",
    )
    args = parser.parse_args()
    if args.units < MIN_UNITS:
        parser.error(f"--units must be at least {MIN_UNITS} (the root, areas, departments, a team)")

    admin = admin_connect(args.postgres_url)
    if admin is None:
        print(f"SKIPPED: PostgreSQL does not answer at {args.postgres_url}.")
        return 0
    reuse = args.keep and exists(admin, args.database)
    if not reuse:
        recreate(admin, args.database)
    parts = urlsplit(args.postgres_url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{args.database}"))
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    sys.path.insert(0, str(ROOT / "src"))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from tryghed.core.publication import Report, no_cycle_collection
        from tryghed.results import aggregates
        from tryghed.results.models import PublishedGroup, PublishedText, ReportCache
        from tryghed.surveys.models import Measurement

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        kept = Measurement.objects.filter(previous__isnull=False).order_by("-pk").first()
        if reuse and kept is not None:
            measurement_id = kept.pk
            print(
                f"reused the database {args.database} (measurement {measurement_id}, "
                f"{kept.responses.count():,} responses; PostgreSQL {admin.info.server_version})"
            )
        else:
            measurement_id, _ = build(args.units, args.responses, args.previous, args.seed)
            # What autovacuum does after bulk inserts, long before a measurement closes
            # (as bench_pages): planner statistics and the visibility map. Without them
            # the planner took the 200,000 rows for 7,000 and read them in one process.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(
                f"built {args.units:,} units, {args.responses:,} + {args.previous:,} responses "
                f"in {time.perf_counter() - start:.0f} s (PostgreSQL {admin.info.server_version})"
            )
        measurement = Measurement.objects.get(pk=measurement_id)
        baseline = peak_rss_mb()

        data: dict[str, Any] = {}
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        group_by = timed(
            "baseline: one SQL GROUP BY per unit (all)",
            args.warm,
            lambda: sql_group_by(connection, measurement.pk, None),
        )

        def cold() -> None:
            nonlocal data
            data = aggregates.compute_report_data(measurement)

        core_runs: list[float] = []
        if args.cold > 0:
            cold_runs = timed("compute_report_data (cold)", args.cold, cold)
            ratio("cold build / SQL GROUP BY", cold_runs, group_by)
        after_cold = peak_rss_mb()
        if args.cold > 0:
            data = {}  # not kept beside core's builds
            # core's own time for the same figures: scoring, deciding and building from the
            # answers, tree and earlier wave already in memory (no database), as
            # compute_report_data runs it (the cycle collector paused).
            loaded = aggregates.publication_builder(measurement)
            seen = aggregates._answered_counts_seen(measurement)

            def core() -> None:
                with no_cycle_collection():
                    Report(
                        loaded.measured,
                        loaded.instruments,
                        loaded.tree,
                        loaded.names,
                        loaded.answers,
                        loaded.minimums,
                        seen=seen,
                    ).build()

            core_runs = timed("core: the same figures, answers in memory", args.cold, core)
            ratio("core / SQL GROUP BY", core_runs, group_by)
            ratio("cold build / core", cold_runs, core_runs)
            del loaded

        def forget() -> None:
            # The stored publication (header, groups, texts) goes, so the next call computes
            # it (a kept database holds the one stored by the earlier run).
            ReportCache.objects.filter(measurement=measurement).delete()
            PublishedGroup.objects.filter(measurement=measurement).delete()
            PublishedText.objects.filter(measurement=measurement).delete()

        forget()
        # The publication at closing as the closing task makes it (surveys.tasks.
        # prepare_report: build, name, store), and as the first reader of the whole JSON
        # does (the same, then parsed and kept in the process).
        at_closing = timed(
            "fingerprint, first call (closing: computes, stores)",
            1,
            lambda: aggregates.fingerprint(measurement),
        )
        ratio("closing / SQL GROUP BY", at_closing, group_by)
        if core_runs:
            ratio("closing / core", at_closing, core_runs)
        forget()
        first_read = timed(
            "report_data, first call (computes, stores)",
            1,
            lambda: aggregates.report_data(measurement),
        )
        ratio("report_data first call / SQL GROUP BY", first_read, group_by)
        if core_runs:
            ratio("report_data first call / core", first_read, core_runs)
        data = aggregates.report_data(measurement)
        timed("report_data (warm, cached)", args.warm, lambda: aggregates.report_data(measurement))
        timed("fingerprint alone", args.warm, lambda: aggregates.fingerprint(measurement))
        pages(measurement, args.warm, connection)
        size = len(json.dumps(data, separators=(",", ":")))
        groups = data["groups"]
        hidden = sum(1 for g in groups if g.get("suppressed"))
        ps7 = [g["instruments"]["ps7"]["scales"]["total"] for g in groups if not g["suppressed"]]
        print(
            f"report data: {size / 1e6:.1f} MB as compact JSON, {len(data['units']):,} units, "
            f"{len(groups):,} distinct groups ({hidden:,} with under the minimum of responses), "
            f"ps7 hidden in {sum(1 for s in ps7 if s['suppressed']):,} of the others "
            f"({sum(1 for s in ps7 if s.get('reason') == 'complementary'):,} complementary), "
            f"{len(data['texts']):,} texts"
        )
        print(
            f"peak memory (max RSS): {baseline:,.0f} MB before, {after_cold:,.0f} MB after the "
            f"cold runs, {peak_rss_mb():,.0f} MB at the end"
        )
        connection.close()
    finally:
        if not args.keep:
            recreate(admin, args.database, drop_only=True)
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
