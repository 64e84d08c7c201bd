"""Benchmark: 50 live dialogue sessions of 30 phones each, with the big screens polling.

Run: ``python bench/bench_dialogue.py`` (flags: ``--help``). It migrates a throwaway
SQLite database (``TRYGHED_DATA_DIR`` in a temp directory, so the settings' WAL,
``IMMEDIATE`` transactions and busy timeout apply), creates an organisation with one
team and one leader per session, starts the sessions through the service, signs each
leader in by writing a Django session (the cookie is handed to that screen's poller),
and serves the product with gunicorn on 127.0.0.1 (bench/dialogue_settings.py adds a
bare view). Then, for ``--duration`` seconds:

- every big screen asks its status every ``--screen-poll`` s (1.5, as static/dialogue/live.js);
- every phone opens the session page with the code (GET, which sets its cookie), answers
  Hesteskoen at a random moment (POST, then the redirect's GET), a third of them change
  their answer later, and each asks the phone status every ``--phone-poll`` s (8, as the
  phone page's live.js); phones join over the first quarter of the run;
- one client asks the bare view 10 times a second: the baseline of the same run.

It prints p50/p95/p99 per kind of request, each p50/p95 as a ratio to the bare view's,
how long an answer took to show on its big screen (from the answer's response to the
first status response that counts it), errors, and the load average; then it checks in
the database that every session counts exactly the phones that answered. No
assertions: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench_submit import HOST, ROOT, base_env, gunicorn, migrate, percentile

MARKER = "BENCH-JSON "
HTTP_TIMEOUT = 30.0
COOKIE = re.compile(r"tryghed_dialog=([^;]+)")
EXERCISE = re.compile(r'name="exercise" value="([^"]+)"')


# --- Child processes: Django set up with the bench's environment -------------------------


def child_setup(sessions: int) -> None:
    import django

    django.setup()
    from django.test import Client

    from tryghed.accounts.models import User
    from tryghed.dialogue import services
    from tryghed.orgs import services as org_services
    from tryghed.orgs.models import Membership, Role, Unit, UnitKind

    organisation = org_services.organisation_create(
        name="Benchkommune", slug="benchkommune", actor=None
    )
    root = Unit.objects.get(organisation=organisation, parent__isnull=True)
    screens = []
    for n in range(sessions):
        team = org_services.unit_create(
            organisation=organisation,
            actor=None,
            parent=root,
            name=f"Team {n}",
            kind=UnitKind.TEAM,
            external_id=f"t{n}",
        )
        leader = User.objects.create_user(email=f"leder{n}@example.test", password=None)
        Membership.objects.create(
            organisation=organisation, user=leader, role=Role.LEADER, unit=team
        )
        session = services.session_start(unit=team, actor=leader)
        browser = Client()
        browser.force_login(leader)  # as a sign-in would: the login signals run too
        screens.append(
            {
                "code": session.code,
                "status": f"/o/{organisation.slug}/dialog/{session.pk}/status/",
                "cookie": "; ".join(f"{k}={v.value}" for k, v in browser.cookies.items()),
            }
        )
    print(MARKER + json.dumps({"screens": screens}), flush=True)


def child_check() -> None:
    import django

    django.setup()
    from tryghed.dialogue.models import Session
    from tryghed.dialogue.selectors import answer_count

    counts = {}
    for session in Session.objects.select_related("current"):
        assert session.current is not None
        counts[session.code] = answer_count(session.current)
    print(MARKER + json.dumps({"counts": counts}), flush=True)


def run_child(args: Sequence[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARKER) and done.returncode == 0:
            report: dict[str, object] = json.loads(line[len(MARKER) :])
            return report
    raise RuntimeError(f"{args[1]} failed ({done.returncode}):\n{done.stderr[-3000:]}")


# --- The load ------------------------------------------------------------------------------


class Connection:
    """A keep-alive connection, reopened when the server closed an idle one."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, *, cookie: str = "", form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Accept-Language": "da"}
        if cookie:
            headers["Cookie"] = cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if not reused or attempt:
                    raise
                continue
            if response.will_close:
                self.conn.close()
                self.conn = None
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        raise RuntimeError("unreachable")


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Per session: when each answer's response arrived, and (time, count) of each status.
    answered_at: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seen: dict[str, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))

    def timed(
        self,
        kind: str,
        call: Callable[[], tuple[int, dict[str, str], str]],
        expect: int = 200,
    ) -> tuple[int, dict[str, str], str] | None:
        began = time.perf_counter()
        try:
            status, headers, text = call()
        except (OSError, http.client.HTTPException) as exc:
            with self.lock:
                self.errors[f"{kind}: {type(exc).__name__}"] += 1
            return None
        with self.lock:
            self.latency[kind].append((time.perf_counter() - began) * 1000)
            if status != expect:
                self.errors[f"{kind}: HTTP {status}"] += 1
        return status, headers, text


@dataclass
class Phone:
    code: str
    cookie: str = ""
    exercise: str = ""
    answered: bool = False
    changes_left: int = 0


Task = tuple[float, int, Callable[[Connection], None]]


class Scheduler:
    """Timed tasks for many simulated clients, run by a small pool of threads."""

    def __init__(self, end: float) -> None:
        self.end = end
        self.queue: list[Task] = []
        self.cv = threading.Condition()
        self.counter = 0
        # How late each task started: the load generator's own backlog when it lags.
        self.lag: list[float] = []

    def at(self, when: float, task: Callable[[Connection], None]) -> None:
        if when >= self.end:
            return
        with self.cv:
            self.counter += 1
            heapq.heappush(self.queue, (when, self.counter, task))
            self.cv.notify()

    def worker(self, port: int) -> None:
        conn = Connection(port)
        while True:
            with self.cv:
                while True:
                    now = time.monotonic()
                    if now >= self.end:
                        return
                    if self.queue and self.queue[0][0] <= now:
                        when, _n, task = heapq.heappop(self.queue)
                        self.lag.append(now - when)
                        break
                    wait = (self.queue[0][0] - now) if self.queue else 0.2
                    self.cv.wait(min(wait, 0.2))
            task(conn)


def run_load(port: int, screens: list[dict[str, str]], args: argparse.Namespace) -> Results:
    results = Results()
    start = time.monotonic()
    scheduler = Scheduler(start + args.duration)
    rng = random.Random(12)

    def poll_screen(screen: dict[str, str]) -> Callable[[Connection], None]:
        def task(conn: Connection) -> None:
            got = results.timed(
                "screen status (JSON)",
                lambda: conn.request("GET", screen["status"], cookie=screen["cookie"]),
            )
            if got is not None and got[0] == 200:
                with results.lock:
                    results.seen[screen["code"]].append(
                        (time.monotonic(), json.loads(got[2])["count"])
                    )
            scheduler.at(time.monotonic() + args.screen_poll, task)

        return task

    def phone_task(phone: Phone) -> Callable[[Connection], None]:
        def poll(conn: Connection) -> None:
            results.timed(
                "phone status (JSON)",
                lambda: conn.request("GET", f"/d/{phone.code}/status/", cookie=phone.cookie),
            )
            scheduler.at(time.monotonic() + args.phone_poll, poll)

        def answer(conn: Connection) -> None:
            value = str(rng.randint(1, 10))
            got = results.timed(
                "phone answer (POST)",
                lambda: conn.request(
                    "POST",
                    f"/d/{phone.code}/",
                    cookie=phone.cookie,
                    form={"exercise": phone.exercise, "a-": value},
                ),
                expect=302,
            )
            if got is None or got[0] != 302:
                return
            if not phone.answered:
                phone.answered = True
                with results.lock:
                    results.answered_at[phone.code].append(time.monotonic())
            results.timed(
                "phone page (GET)",
                lambda: conn.request("GET", got[1]["location"], cookie=phone.cookie),
            )
            if phone.changes_left:
                phone.changes_left -= 1
                scheduler.at(time.monotonic() + rng.uniform(2, 10), answer)

        def join(conn: Connection) -> None:
            got = results.timed(
                "phone page (GET)", lambda: conn.request("GET", f"/d/{phone.code}/")
            )
            if got is None or got[0] != 200:
                return
            cookie = COOKIE.search(got[1].get("set-cookie", ""))
            exercise = EXERCISE.search(got[2])
            if cookie is None or exercise is None:
                with results.lock:
                    results.errors["phone page: no cookie or form"] += 1
                return
            phone.cookie = f"tryghed_dialog={cookie.group(1)}"
            phone.exercise = exercise.group(1)
            now = time.monotonic()
            scheduler.at(now + rng.uniform(2, args.duration * 0.6), answer)
            if args.phone_poll > 0:
                scheduler.at(now + rng.uniform(0, args.phone_poll), poll)

        return join

    warm = Connection(port)
    for _ in range(args.workers * args.threads):
        # Each worker parses the instrument files and compiles the templates once.
        warm.request("GET", f"/d/{screens[0]['code']}/")
        warm.request("GET", screens[0]["status"], cookie=screens[0]["cookie"])
    start = time.monotonic()
    scheduler = Scheduler(start + args.duration)
    for screen in screens:
        scheduler.at(start + rng.uniform(0, args.screen_poll), poll_screen(screen))
        for _ in range(args.phones):
            phone = Phone(code=screen["code"], changes_left=1 if rng.random() < 1 / 3 else 0)
            scheduler.at(start + rng.uniform(0, args.duration / 4), phone_task(phone))

    def bare() -> None:
        # Its own thread, not the shared queue: the server's latency, never the backlog's.
        conn = Connection(port)
        while time.monotonic() < scheduler.end:
            results.timed("baseline: bare Django view", lambda: conn.request("GET", "/bench/bare/"))
            time.sleep(0.1)

    threads = [
        threading.Thread(target=scheduler.worker, args=(port,), daemon=True)
        for _ in range(args.clients)
    ]
    threads.append(threading.Thread(target=bare, daemon=True))
    for thread in threads:
        thread.start()
    load_samples: list[float] = []
    while any(t.is_alive() for t in threads):
        load_samples.append(os.getloadavg()[0])
        time.sleep(1)
    results.latency["_load"] = load_samples
    results.latency["_lag"] = [x * 1000 for x in scheduler.lag]
    return results


def visible_delays(results: Results) -> list[float]:
    """Per answer, seconds from its response to the first screen status that counts it."""
    delays: list[float] = []
    for code, answers in results.answered_at.items():
        seen = sorted(results.seen.get(code, []))
        for k, when in enumerate(sorted(answers), start=1):
            shown = next((t for t, count in seen if t >= when and count >= k), None)
            if shown is not None:
                delays.append(shown - when)
    return delays


def report(results: Results, screens: int, phones: int) -> None:
    bare = results.latency.get("baseline: bare Django view", [])
    b50, b95 = percentile(bare, 50), percentile(bare, 95)
    print(
        f"\n{'request':<30} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   ratio to bare p50 / p95"
    )
    for kind in sorted(k for k in results.latency if not k.startswith("_")):
        values = results.latency[kind]
        p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
        ratio = "" if kind.startswith("baseline") else f"{p50 / b50:6.1f} x / {p95 / b95:6.1f} x"
        print(f"{kind:<30} {len(values):>7} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}   {ratio}")
    delays = visible_delays(results)
    answers = sum(len(a) for a in results.answered_at.values())
    print(
        f"\nanswers on the big screen: {len(delays)} of {answers} seen; delay from the answer "
        f"to its screen p50 {percentile(delays, 50):.2f} s, p95 {percentile(delays, 95):.2f} s, "
        f"max {max(delays, default=math.nan):.2f} s"
    )
    lag = results.latency["_lag"]
    print(
        f"load generator backlog (task start after its planned time): p50 "
        f"{percentile(lag, 50):.0f} ms, p95 {percentile(lag, 95):.0f} ms"
    )
    print(f"sessions {screens}, phones {screens * phones}")
    print("errors: " + (", ".join(f"{k} {v}" for k, v in sorted(results.errors.items())) or "none"))
    load = results.latency["_load"]
    print(
        f"load average (1 min) during the run: min {min(load):.2f}, max {max(load):.2f}; "
        "at the end {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="sessions [50]")
    parser.add_argument("--phones", type=int, default=30, help="phones per session [30]")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load [60]")
    parser.add_argument("--screen-poll", type=float, default=1.5, help="big screen poll, s [1.5]")
    parser.add_argument("--phone-poll", type=float, default=8.0, help="phone poll, s; 0: none [8]")
    parser.add_argument("--clients", type=int, default=48, help="client threads [48]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers [2]")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads [8]")
    parser.add_argument("--child", choices=["setup", "check"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        child_setup(args.sessions)
        return
    if args.child == "check":
        child_check()
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-dialogue-"))
    try:
        env = base_env()
        env["TRYGHED_DATA_DIR"] = str(tmp / "data")
        env["DJANGO_SETTINGS_MODULE"] = "dialogue_settings"
        env["PYTHONPATH"] = os.pathsep.join(
            (str(Path(__file__).resolve().parent), env["PYTHONPATH"])
        )
        migrate(env)
        setup = run_child(["--child", "setup", "--sessions", str(args.sessions)], env)
        screens = list(setup["screens"])  # type: ignore[call-overload]
        print(
            f"{args.sessions} sessions x {args.phones} phones, {args.duration:.0f} s, SQLite, "
            f"gunicorn {args.workers} workers x {args.threads} threads, {args.clients} client "
            "threads; load average before {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        )
        with gunicorn(env, args.workers, args.threads, tmp / "gunicorn.log") as port:
            results = run_load(port, screens, args)
        report(results, args.sessions, args.phones)
        counts = run_child(["--child", "check"], env)["counts"]
        expected = {code: len(a) for code, a in results.answered_at.items()}
        stored = {code: n for code, n in dict(counts).items() if n}  # type: ignore[call-overload]
        print(
            "database check (answers counted = phones that answered): "
            + ("OK" if stored == expected else f"MISMATCH {stored} != {expected}")
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
