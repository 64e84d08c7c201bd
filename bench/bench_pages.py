"""Benchmark: the APV and plan pages of one team in an organisation of 2,000 units, on PostgreSQL.

Run: ``python bench/bench_pages.py`` (flags: ``--help``). It builds the organisation and
the two closed waves with bench_report's builder (the same tree and synthetic answers, with
the APV screening risk5 added to the instruments) in the throwaway database
``tryghed_bench_pages``, publishes them, and then, as the AMO would, gives the team with
the most answers a focus area on ps7 with an action plan and three actions, and a risk
assessment whose workload factor is assessed and linked to the plan (through the actions
and APV services).

It times each APV and plan page ``--runs`` times warm, as a signed-in AMO member with two
steps asks for them, through Django's test client in this process (middleware, templates,
the publication's slice read from what this process has loaded), and prints p50/p95 next
to two baselines measured in the same run: one SQL query of the team's slice (bench_report's
``sql_group_by``) and a bare Django view through the same middleware (bench/dialogue_urls.py).
Each line has its ratios and the load average. The database is dropped at the end. If
PostgreSQL does not answer, it says so and exits 0.

No assertions: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import bench_report as report

ROOT = Path(__file__).resolve().parent.parent
# Its own database, so it never drops bench_report's in a run beside it.
report.PG_DATABASE = "tryghed_bench_pages"
# The APV screening, so the risk assessment shows the team's key figure per factor.
report.INSTRUMENTS = [*report.INSTRUMENTS, "risk5"]


def line(
    label: str, seconds: Sequence[float], slice_: Sequence[float], bare: Sequence[float]
) -> None:
    p50, p95 = report.percentile(seconds, 0.5), report.percentile(seconds, 0.95)
    sql50, bare50 = report.percentile(slice_, 0.5), report.percentile(bare, 0.5)
    print(
        f"{label:<40} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
        f"SQL x {p50 / sql50:6.0f} / {p95 / sql50:6.0f}  "
        f"bare x {p50 / bare50:5.1f} / {p95 / bare50:5.1f}  "
        f"load {os.getloadavg()[0]:.2f}"
    )


def busiest_team(measurement: Any) -> Any:
    """The team with the most answers whose ps7 is shown, as an APV team's would be: the
    largest can be hidden to protect a small group elsewhere (the joint rule)."""
    from django.db.models import Count

    from tryghed.actions import selectors as action_selectors
    from tryghed.orgs.models import Unit, UnitKind
    from tryghed.surveys.models import Response

    by_size = (
        Response.objects.filter(measurement=measurement, unit__kind=UnitKind.TEAM)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n", "unit")
    )
    for row in by_size[:50]:
        team = Unit.objects.get(pk=row["unit"])
        if action_selectors.find_figure(measurement, team, "scale:ps7:total", "da") is not None:
            return team
    raise SystemExit("no team among the 50 largest shows ps7: choose a larger --responses")


def plan_and_assessment(measurement: Any, team: Any, amo: Any) -> tuple[Any, Any]:
    """A focus area on the team's ps7 with a plan and three actions, and a risk assessment
    whose workload factor is linked to the plan, as the AMO makes them on the pages."""
    from tryghed.actions import selectors as action_selectors
    from tryghed.actions import services as actions
    from tryghed.apv import services as apv
    from tryghed.apv.models import RiskFactor

    figure = action_selectors.find_figure(measurement, team, "scale:ps7:total", "da")
    assert figure is not None, "the team's ps7 is hidden: choose a larger --responses"
    focus = actions.focus_area_create(
        unit=team,
        measurement=measurement,
        actor=amo,
        kind=figure.kind,
        instrument_id=figure.instrument_id,
        figure_id=figure.figure_id,
        title="Tryghed i teamet",
        baseline=figure.baseline(),
    )
    plan = actions.plan_create(
        focus=focus,
        actor=amo,
        problem="Vi taler sjældent om fejl.",
        goal="Fejl bliver taget op på teammødet.",
        level="gruppe",
        prevention="primaer",
        evaluation_criteria="Næste måling.",
        evaluation_date=dt.date(2027, 3, 1),
    )
    for weeks, what in enumerate(["Fast punkt på teammødet", "Fælles spilleregler", "Opfølgning"]):
        actions.action_add(
            plan=plan,
            actor=amo,
            what=what,
            owner_name="Teamlederen",
            deadline=dt.date(2026, 12, 1) + dt.timedelta(weeks=weeks * 4),
            status="in_progress",
        )
    assessment = apv.risk_assessment_start(organisation=team.organisation, unit=team, actor=amo)
    apv.factor_assessment_update(
        factor=assessment.factors.get(factor=RiskFactor.WORKLOAD),
        actor=amo,
        extent="Halvdelen af teamet oplever ofte tidspres.",
        duration="Siden sommeren.",
        character="Pauser springes over.",
        measures=["planning", "support"],
        measures_other="",
        combination="",
        fully_sound="no",
        actions="Ny prioriteringsmodel.",
        action_plan_id=plan.pk,
    )
    return plan, assessment


def signed_in_amo(organisation: Any) -> tuple[Any, Any]:
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.test import Client

    from tryghed.accounts.models import User
    from tryghed.accounts.services import totp_activate
    from tryghed.orgs.models import Membership, Role

    user = User.objects.create_user(email="amo@bench.test", password=None)
    Membership.objects.create(organisation=organisation, user=user, role=Role.AMO)
    totp_activate(user=user, secret=generate_totp_secret())  # the AMO must have two steps
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return user, client


def pages(measurement: Any, runs: int, connection: Any) -> None:
    from django.urls import reverse

    from tryghed.apv.models import RiskFactor
    from tryghed.results import aggregates

    team = busiest_team(measurement)
    organisation = measurement.organisation
    amo, client = signed_in_amo(organisation)
    plan, assessment = plan_and_assessment(measurement, team, amo)
    org = organisation.slug
    print(f"the team: {team.name} (unit {team.pk}), plan {plan.pk}, assessment {assessment.pk}")

    def get(path: str) -> Callable[[], None]:
        def call() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return call

    urls = {
        "APV, the team's document": reverse("apv:unit_document", args=[org, team.pk]),
        "APV, the organisation's document": reverse("apv:document", args=[org]),
        "APV, the risk assessment": reverse("apv:assessment", args=[org, assessment.pk]),
        "APV, a factor's form": reverse(
            "apv:factor_edit", args=[org, assessment.pk, RiskFactor.WORKLOAD.value]
        ),
        "APV, the indicators dashboard": reverse("apv:dashboard", args=[org]),
        "APV, the assessments (every unit)": reverse("apv:assessments", args=[org]),
        "plans, the index": reverse("actions:index", args=[org]),
        "plans, the plan": reverse("actions:plan_detail", args=[org, plan.pk]),
        "plans, the focus area": reverse("actions:focus_detail", args=[org, plan.focus_area_id]),
        "plans, choosing a focus area": reverse(
            "actions:focus_choose", args=[org, team.pk, measurement.pk]
        ),
        "plans, I sagde - vi gjorde": reverse("actions:vi_gjorde", args=[org, team.pk]),
        # The front page with "Det venter på dig": every plan, case and the APV's revision.
        "the organisation's front page": reverse("orgs:dashboard", args=[org]),
    }

    # The first page in a process loads the publication's header and the team's slice.
    aggregates._typed.clear()
    report.timed("first read: the risk assessment", 1, get(urls["APV, the risk assessment"]))
    for url in urls.values():  # each page once, so every timed run below is warm
        get(url)()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    slice_ = report.timed(
        "baseline: SQL for the team's slice",
        runs,
        lambda: report.sql_group_by(connection, measurement.pk, team.pk),
    )
    bare = report.timed("baseline: bare Django view", runs, get("/bench/bare/"))
    print(f"{'page (warm)':<40} {'p50':>11} {'p95':>13}  ratio p50 / p95")
    for label, url in urls.items():
        seconds = [_once(get(url)) for _ in range(runs)]
        line(label, seconds, slice_, bare)
    # The baselines once more: the load moves during a run.
    report.timed(
        "baseline again: SQL for the team's slice",
        runs,
        lambda: report.sql_group_by(connection, measurement.pk, team.pk),
    )
    report.timed("baseline again: bare Django view", runs, get("/bench/bare/"))


def _once(call: Callable[[], None]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2_000)
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--previous", type=int, default=25_000, help="responses, earlier wave")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="an administrative connection (the bench database is created through it)",
    )
    parser.add_argument(
        "--database",
        default=report.PG_DATABASE,
        help=f"the bench database, dropped and made again [{report.PG_DATABASE}]",
    )
    args = parser.parse_args()
    report.PG_DATABASE = args.database

    admin = report.admin_connect(args.postgres_url)
    if admin is None:
        print(f"SKIPPED: PostgreSQL does not answer at {args.postgres_url}.")
        return 0
    report.recreate(admin)
    parts = urlsplit(args.postgres_url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{report.PG_DATABASE}"))
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    # The product's settings and URLs with one bare view beside them (bench_dialogue's).
    os.environ["DJANGO_SETTINGS_MODULE"] = "dialogue_settings"
    sys.path.insert(0, str(ROOT / "src"))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from tryghed.results import aggregates
        from tryghed.surveys.models import Measurement

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        measurement_id, _ = report.build(args.units, args.responses, args.previous, args.seed)
        measurement = Measurement.objects.get(pk=measurement_id)
        aggregates.fingerprint(measurement)  # published at closing, both waves
        # What autovacuum does after bulk inserts, long before anyone reads a closed
        # measurement's pages: planner statistics and the visibility map (index-only scans).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"built and published {args.units:,} units, {args.responses:,} + {args.previous:,} "
            f"responses in {time.perf_counter() - start:.0f} s "
            f"(PostgreSQL {admin.info.server_version})"
        )
        pages(measurement, args.runs, connection)
        connection.close()
    finally:
        report.recreate(admin, drop_only=True)
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
