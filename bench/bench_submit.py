"""Benchmark: concurrent survey submissions over loopback, on SQLite and on PostgreSQL.

Run: ``python bench/bench_submit.py`` (flags: ``--help``). For each backend it migrates a
throwaway database, creates an organisation with N people and an open ps7 + hesteskoen
measurement, mints one link token per invitation (kept in memory only), starts gunicorn
on 127.0.0.1 and lets C clients walk the respondent's way through, each token once,
following the pages as they come: for ps7 + hesteskoen (one page since issue 14) the link
(GET: the privacy notice above all the questions) and the final submit (POST); it counts the
requests. A submission counts when the thank-you page arrives; the load stops when
every token is used or at --time-limit (40 s, so that the default run of both backends
stays under 2 minutes on 2 cores; 120 lets 2,000 finish there). Then it replays used
tokens and races two final submits of the same token against each other, and checks in
the database that every thank-you page stored exactly one response and that no
invitation was used twice. Before and after the walk, the same clients load a bare Django
view that stores the same form as one row (bench/bare_urls.py, --baseline-time seconds
each), and the walk's rate is printed as a share of that baseline's, per submission and
per request.

No assertions: timings belong here, not in tests. The load generator runs on the same
machine as the server, so on a small machine the figures include its CPU share.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_DATABASE = "tryghed_bench"
TEAMS = 20
HTTP_TIMEOUT = 30.0  # above SQLite's 20 s busy timeout, so a lock wait shows as a slow answer
STATE = re.compile(r'name="state" value="([^"]*)"')
STEP = re.compile(r'name="step" value="(-?\d+)"')
RADIO = re.compile(r'type="radio" id="[^"]*" name="(q-[^"]+)" value="(\d+)"')
TEXTAREA = re.compile(r'<textarea id="[^"]*" name="(q-[^"]+)"')
SUBMIT = 'name="action" value="submit"'

THANKS = "Tak for dine svar"
ALREADY = "allerede svaret"
MARKER = "BENCH-JSON "  # prefixes the one line a child process reports on stdout
COMMENTS = (
    "Vi hjælper hinanden",
    "Gode kolleger",
    "En leder, der lytter",
    "Mere tid til opgaverne",
)


# --- Child processes: Django is set up there, with the backend's environment -------------


def child_setup(respondents: int, races: int) -> None:
    """Organisation, people, an open measurement and one token per invitation."""
    import django

    django.setup()
    from django.utils import timezone

    from tryghed.orgs import services as org_services
    from tryghed.orgs.models import Person, Unit, UnitKind
    from tryghed.surveys import services
    from tryghed.surveys.models import Invitation, InvitationToken

    organisation = org_services.organisation_create(
        name="Benchkommune", slug="benchkommune", actor=None
    )
    root = Unit.objects.get(organisation=organisation, parent__isnull=True)
    teams = [
        org_services.unit_create(
            organisation=organisation,
            actor=None,
            parent=root,
            name=f"Team {n}",
            kind=UnitKind.TEAM,
            external_id=f"t{n}",
        )
        for n in range(TEAMS)
    ]
    Person.objects.bulk_create(
        (
            Person(
                organisation=organisation,
                unit=teams[n % TEAMS],
                employee_id=f"e{n}",
                name=f"Person {n}",
                email=f"p{n}@example.test",
                job_group=("SSA", "Pædagog", "Administration")[n % 3],
            )
            for n in range(respondents + races)
        ),
        batch_size=1000,
    )
    today = timezone.localdate()
    measurement = services.measurement_create(
        organisation=organisation,
        actor=None,
        name="Bench",
        instrument_ids=["ps7", "hesteskoen"],
        scope=[services.ScopeEntry(root)],
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        languages=["da"],
    )
    # TASKS_BACKEND is the dummy backend: the invitation e-mails are queued, never sent.
    services.measurement_open(measurement=measurement, actor=None)
    tokens: list[str] = []
    rows: list[InvitationToken] = []
    invitation_ids = Invitation.objects.filter(measurement=measurement).order_by("pk")
    for invitation_id in invitation_ids.values_list("pk", flat=True):
        token, token_hash = services.new_token()
        tokens.append(token)
        rows.append(InvitationToken(invitation_id=invitation_id, token_hash=token_hash))
    InvitationToken.objects.bulk_create(rows, batch_size=1000)
    from bare_urls import create_table  # the baseline's table, in the same database

    create_table()
    print(MARKER + json.dumps({"measurement": measurement.pk, "tokens": tokens}), flush=True)


def child_verify(measurement_id: int) -> None:
    """Counts from the database after the run."""
    import django

    django.setup()
    from django.db.models import Count

    from tryghed.surveys.models import (
        Invitation,
        InvitationToken,
        Measurement,
        Response,
        SubmissionMark,
    )
    from tryghed.surveys.services import measurement_close

    # Closing releases the answers still held back in the sealed pending pool.
    measurement_close(measurement=Measurement.objects.get(pk=measurement_id), actor=None)
    responses = Response.objects.filter(measurement_id=measurement_id)
    answers = list(responses.values_list("answers", flat=True))
    invitations = Invitation.objects.filter(measurement_id=measurement_id)
    tokens_per_invitation = (
        InvitationToken.objects.filter(invitation__measurement_id=measurement_id)
        .values("invitation")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    report = {
        "responses": len(answers),
        "complete_answers": sum(1 for a in answers if isinstance(a, dict) and len(a) == 8),
        "invitations": invitations.count(),
        "used": SubmissionMark.objects.filter(measurement_id=measurement_id).count(),
        "invitations_with_several_tokens": tokens_per_invitation,
    }
    print(MARKER + json.dumps(report), flush=True)


# --- The parent: databases, server, load ------------------------------------------------


def base_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"TRYGHED_ENV", "DATABASE_URL", "TRYGHED_DATA_DIR", "DB_CONN_MAX_AGE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tryghed.settings",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p),
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


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
    raise RuntimeError(f"{args[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tryghed.manage", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def postgres_reachable(admin_url: str) -> str:
    """An empty string if PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(admin_url, connect_timeout=3):
            return ""
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def postgres_recreate(admin_url: str, database: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        name = sql.Identifier(database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int, log_path: Path) -> Iterator[int]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "tryghed.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "5",
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "--no-control-socket",
    ]  # no --access-logfile: no access log
    with log_path.open("wb") as log:
        # Its own session: a Ctrl+C in the terminal reaches us, and we stop it in order.
        process = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        try:
            wait_until_healthy(port, process)
        except RuntimeError as exc:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{exc}; its log ends:\n{tail}") from exc
        yield port
    finally:
        stop(process)


def wait_until_healthy(port: int, process: subprocess.Popen[bytes], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            conn.request("GET", "/sundhed/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /sundhed/ within {limit:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # the master stops its workers gracefully
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the session we started for it, nothing else
        process.wait(timeout=5)


class Client:
    """One respondent's browser: a keep-alive connection, reopened when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0
        self.requests = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Accept-Language": "da"}
        self.requests += 1
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        while True:
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if not reused:
                    raise
                # An idle keep-alive connection the server had closed: send again, once.
                self.reconnects += 1
                continue
            except BaseException:
                self.close()
                raise
            if response.will_close:
                self.close()
            return response.status, text


@dataclass
class Walk:
    ok: bool
    outcome: str  # "thanks", or what went wrong
    submit_ms: float = 0.0
    walk_ms: float = 0.0
    requests: int = 0


def _state(page: str) -> str | None:
    found = STATE.search(page)
    return found.group(1) if found else None


def _answers(page: str, rng: random.Random) -> dict[str, str]:
    """An answer to every choice question on the page; a comment in 40 % of text fields."""
    options: dict[str, list[str]] = {}
    for name, value in RADIO.findall(page):
        options.setdefault(name, []).append(value)
    form = {name: rng.choice(values) for name, values in options.items()}
    for name in TEXTAREA.findall(page):
        form[name] = rng.choice(COMMENTS) if rng.random() < 0.4 else ""
    return form


def prepare(client: Client, token: str, rng: random.Random) -> dict[str, str] | str:
    """From the link to the last page, answering every page on the way: the final form
    (the last page's answers, action submit), or what went wrong. Follows the pages as they
    come (one page per instrument or all on one, with or without a notice page of its own
    before them), so the same bench measures any such flow."""
    status, page = client.request("GET", f"/s/{token}/")
    if status != 200 or 'name="token"' not in page:
        return f"start: HTTP {status}" + (" allerede svaret" if ALREADY in page else "")
    for _ in range(20):
        step = STEP.search(page)
        if step is None:
            return "a page without a step field"
        form = {"token": token, "lang": "da", "step": step.group(1)}
        state = _state(page)
        if state is not None:
            form["state"] = state
        form.update(_answers(page, rng))
        if SUBMIT in page:
            form["action"] = "submit"
            return form
        form["action"] = "next"
        status, page = client.request("POST", "/s/svar/", form)
        if status != 200:
            return f"step {step.group(1)}: HTTP {status}"
    return "no last page after 20 steps"


def walk(client: Client, token: str, rng: random.Random) -> Walk:
    """One respondent's requests, from the link to the thank-you page."""
    began, requests = time.perf_counter(), client.requests
    final = prepare(client, token, rng)
    if isinstance(final, str):
        return Walk(False, final)
    submitted = time.perf_counter()
    status, page = client.request("POST", "/s/svar/", final)
    ended = time.perf_counter()
    if status == 200 and THANKS in page:
        return Walk(
            True,
            "thanks",
            (ended - submitted) * 1000,
            (ended - began) * 1000,
            client.requests - requests,
        )
    return Walk(False, "submit: " + ("allerede svaret" if ALREADY in page else f"HTTP {status}"))


@dataclass
class Load:
    completed: list[str] = field(default_factory=list)  # tokens that reached the thank-you page
    submit_ms: list[float] = field(default_factory=list)
    walk_ms: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)  # per completed walk
    errors: Counter[str] = field(default_factory=Counter)
    not_started: int = 0
    reconnects: int = 0
    wall: float = 0.0
    client_cpu: float = 0.0  # CPU seconds of this process (the clients) during the load
    timed_out: bool = False


def run_threads(count: int, target: Callable[[int], None], stop_event: threading.Event) -> None:
    threads = [threading.Thread(target=target, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    except BaseException:
        stop_event.set()  # Ctrl+C: clients finish their current request and stop
        raise


def load(port: int, tokens: Sequence[str], concurrency: int, time_limit: float) -> Load:
    result = Load()
    lock = threading.Lock()
    pending = iter(tokens)
    stop_event = threading.Event()
    deadline = time.monotonic() + time_limit

    def client_loop(n: int) -> None:
        client, rng = Client(port), random.Random(n)
        try:
            while not stop_event.is_set():
                if time.monotonic() >= deadline:
                    result.timed_out = True
                    return
                with lock:
                    token = next(pending, None)
                if token is None:
                    return
                try:
                    done = walk(client, token, rng)
                except (OSError, http.client.HTTPException) as exc:
                    done = Walk(False, f"{type(exc).__name__}")
                with lock:
                    if done.ok:
                        result.completed.append(token)
                        result.submit_ms.append(done.submit_ms)
                        result.walk_ms.append(done.walk_ms)
                        result.requests.append(done.requests)
                    else:
                        result.errors[done.outcome] += 1
        finally:
            client.close()
            with lock:
                result.reconnects += client.reconnects

    began, cpu = time.perf_counter(), time.process_time()
    run_threads(concurrency, client_loop, stop_event)
    result.wall = time.perf_counter() - began
    result.client_cpu = time.process_time() - cpu
    result.not_started = sum(1 for _ in pending)
    return result


@dataclass
class Bare:
    inserts: int
    wall: float
    latency_ms: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.inserts / self.wall if self.wall else 0.0


def bare_load(port: int, concurrency: int, seconds: float) -> Bare:
    """The baseline: C clients POST a form like the final submit to the bare insert view."""
    lock = threading.Lock()
    latency: list[float] = []
    errors = [0]
    stop_event = threading.Event()
    deadline = time.monotonic() + seconds

    def client_loop(n: int) -> None:
        client, rng = Client(port), random.Random(1000 + n)
        try:
            while not stop_event.is_set() and time.monotonic() < deadline:
                form = {
                    "token": secrets.token_urlsafe(32),
                    "lang": "da",
                    "step": "1",
                    "action": "submit",
                    **{f"q-ps7.{i}": str(rng.randint(1, 5)) for i in range(1, 8)},
                    "q-hesteskoen.1": str(rng.randint(1, 10)),
                    "q-hesteskoen.2": rng.choice(COMMENTS) if rng.random() < 0.4 else "",
                }
                began = time.perf_counter()
                try:
                    status, text = client.request("POST", "/bare/", form)
                    ok = status == 200 and text == "ok"
                except (OSError, http.client.HTTPException):
                    ok = False
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    if ok:
                        latency.append(elapsed)
                    else:
                        errors[0] += 1
        finally:
            client.close()

    began = time.perf_counter()
    run_threads(concurrency, client_loop, stop_event)
    return Bare(len(latency), time.perf_counter() - began, latency, errors[0])


def run_baseline(env: dict[str, str], args: argparse.Namespace, log_path: Path) -> Bare:
    bare_env = dict(env)
    bare_env["DJANGO_SETTINGS_MODULE"] = "bare_settings"
    bare_env["PYTHONPATH"] = os.pathsep.join(
        (str(Path(__file__).resolve().parent), env["PYTHONPATH"])
    )
    with gunicorn(bare_env, args.workers, args.threads, log_path) as port:
        bare = bare_load(port, args.concurrency, args.baseline_time)
    p50, p95, p99 = (percentile(bare.latency_ms, p) for p in (50, 95, 99))
    print(
        f"baseline: bare insert view {bare.inserts:,} inserts in {bare.wall:.1f} s = "
        f"{bare.rate:.1f}/s, p50 {p50:.0f}  p95 {p95:.0f}  p99 {p99:.0f} ms, {bare.errors} errors "
        "(load average {:.1f})".format(os.getloadavg()[0])
    )
    return bare


def replay(port: int, used: Sequence[str], concurrency: int, deadline: float) -> Counter[str]:
    """Used tokens again: the link and the final submit must both say "allerede svaret"."""
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    pending = iter(used)
    stop_event = threading.Event()

    def client_loop(_n: int) -> None:
        client = Client(port)
        try:
            while not stop_event.is_set() and time.monotonic() < deadline:
                with lock:
                    token = next(pending, None)
                if token is None:
                    return
                for method, path, form in (
                    ("GET", f"/s/{token}/", None),
                    ("POST", "/s/svar/", {"token": token, "step": "1", "action": "submit"}),
                ):
                    try:
                        status, page = client.request(method, path, form)
                        seen = (
                            "allerede svaret"
                            if ALREADY in page
                            else "THANK-YOU"
                            if THANKS in page
                            else f"HTTP {status}"
                        )
                    except (OSError, http.client.HTTPException) as exc:
                        seen = type(exc).__name__
                    with lock:
                        outcomes[seen] += 1
        finally:
            client.close()

    run_threads(concurrency, client_loop, stop_event)
    return outcomes


def _fire(
    client: Client, final: dict[str, str], barrier: threading.Barrier, seen: list[str]
) -> None:
    """One of two final submits sent at the same moment."""
    barrier.wait(timeout=10)
    try:
        status, page = client.request("POST", "/s/svar/", final)
        seen.append(
            "thanks"
            if THANKS in page
            else "allerede svaret"
            if ALREADY in page
            else f"HTTP {status}"
        )
    except (OSError, http.client.HTTPException) as exc:
        seen.append(type(exc).__name__)


def race(port: int, tokens: Sequence[str], deadline: float) -> tuple[Counter[str], int]:
    """Per fresh token: walk to the last page, then send the final submit twice at once.

    Returns the outcome of each pair and the number of thank-you pages seen."""
    outcomes: Counter[str] = Counter()
    thanked = 0
    first, second = Client(port), Client(port)
    rng = random.Random(7)
    try:
        for token in tokens:
            if time.monotonic() >= deadline:
                outcomes["not raced: time limit"] += 1
                continue
            try:
                final = prepare(first, token, rng)
            except (OSError, http.client.HTTPException) as exc:
                final = type(exc).__name__
            if isinstance(final, str):
                outcomes[f"not raced, walk failed: {final}"] += 1
                continue
            barrier, seen = threading.Barrier(2), list[str]()
            pair = [
                threading.Thread(target=_fire, args=(c, final, barrier, seen), daemon=True)
                for c in (first, second)
            ]
            for thread in pair:
                thread.start()
            for thread in pair:
                thread.join(HTTP_TIMEOUT + 5)
            thanked += seen.count("thanks")
            outcomes[" + ".join(sorted(seen))] += 1
    finally:
        first.close()
        second.close()
    return outcomes, thanked


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def scan_server_log(path: Path) -> tuple[int, int, Counter[str]]:
    """Lines at ERROR or worse, how many mention a locked database, and the exceptions."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    errors = sum(1 for line in lines if line.startswith(("ERROR", "CRITICAL", "[CRITICAL")))
    locked = sum(1 for line in lines if "database is locked" in line)
    # A traceback ends with its first unindented line: "TypeError: ...".
    exceptions: Counter[str] = Counter()
    in_traceback = False
    for line in lines:
        if line.startswith("Traceback"):
            in_traceback = True
        elif in_traceback and line and not line[0].isspace():
            exceptions[line[:160]] += 1
            in_traceback = False
    return errors, locked, exceptions


@dataclass
class Figures:
    backend: str
    completed: int
    errors: int
    wall: float
    rate: float
    submit: tuple[float, float, float]
    whole: tuple[float, float, float]
    verified: bool
    bare_rate: float = math.nan
    requests: float = math.nan  # per submission
    bare_p99: float = math.nan  # ms, both baselines' requests together


def bench_backend(name: str, env: dict[str, str], args: argparse.Namespace, tmp: Path) -> Figures:
    print(
        f"\n== {name}: {args.respondents:,} respondents, {args.concurrency} clients, "
        f"gunicorn {args.workers} workers x {args.threads} threads (gthread)"
    )
    began = time.perf_counter()
    migrate(env)
    migrated = time.perf_counter()
    setup = run_child(
        ["--phase", "setup", "--respondents", str(args.respondents), "--races", str(args.races)],
        env,
    )
    measurement = int(str(setup["measurement"]))
    all_tokens = [str(t) for t in setup["tokens"]] if isinstance(setup["tokens"], list) else []
    tokens, race_tokens = all_tokens[: args.respondents], all_tokens[args.respondents :]
    print(
        f"setup: migrate {migrated - began:.1f} s, organisation + measurement + "
        f"{len(all_tokens):,} tokens {time.perf_counter() - migrated:.1f} s"
    )

    # The baseline before and after the walk (the machine is shared: load drifts); the mean
    # of the two is the rate the walk is compared with.
    bare_before = run_baseline(env, args, tmp / f"gunicorn-{name}-bare.log")
    log_path = tmp / f"gunicorn-{name}.log"
    with gunicorn(env, args.workers, args.threads, log_path) as port:
        result = load(port, tokens, args.concurrency, args.time_limit)
        used = result.completed[: args.duplicates]
        # Replays and races are quick; the deadline only stops them on a stuck server.
        deadline = time.monotonic() + 60
        replayed = replay(port, used, args.concurrency, deadline)
        raced, race_thanks = race(port, race_tokens, deadline)
    server_errors, locked, exceptions = scan_server_log(log_path)
    bare_after = run_baseline(env, args, tmp / f"gunicorn-{name}-bare.log")
    bare_rate = (bare_before.rate + bare_after.rate) / 2

    completed, errors = len(result.completed), sum(result.errors.values())
    rate = completed / result.wall if result.wall else 0.0
    submit = tuple(percentile(result.submit_ms, p) for p in (50, 95, 99))
    whole = tuple(percentile(result.walk_ms, p) for p in (50, 95, 99))
    print(
        f"submissions completed    {completed:,} of {len(tokens):,}"
        + (
            f" (time limit of {args.time_limit:.0f} s reached; {result.not_started:,} not started)"
            if result.timed_out
            else ""
        )
    )
    print(
        f"errors                   {errors}"
        + (
            "  (" + ", ".join(f"{k}: {v}" for k, v in result.errors.most_common()) + ")"
            if errors
            else ""
        )
    )
    print(f"wall time                {result.wall:.1f} s")
    print(f"submissions per second   {rate:.1f}")
    print("final submit POST (ms)   p50 {:.0f}  p95 {:.0f}  p99 {:.0f}".format(*submit))
    per_walk = sum(result.requests) / len(result.requests) if result.requests else math.nan
    print(f"requests per submission  {per_walk:.1f}")
    print("whole walk (ms)          p50 {:.0f}  p95 {:.0f}  p99 {:.0f}".format(*whole))
    print(
        f"ratio to the bare insert view: {rate / bare_rate:.1%} of its rate per submission "
        f"(aim >= 50 %), {rate * per_walk / bare_rate:.1%} per request "
        f"(bare {bare_before.rate:.1f} and {bare_after.rate:.1f}/s before and after)"
    )
    # The final submit's tail next to the bare view's at the same concurrency on the same
    # machine: the aim (p99 <= 100 ms at 16 clients) only means something beside this.
    bare_p99 = percentile(bare_before.latency_ms + bare_after.latency_ms, 99)
    print(
        f"final submit p99 {submit[2]:.0f} ms (aim <= 100 ms) against the bare view's p99 "
        f"{bare_p99:.0f} ms at the same {args.concurrency} clients ({submit[2] / bare_p99:.1f} x)"
    )
    print(
        f"load generator CPU       {result.client_cpu:.1f} s "
        f"({result.client_cpu / result.wall:.0%} of one core; it shares the machine)"
    )
    print(f"keep-alive reconnects    {result.reconnects}")
    print(
        f"replays of used tokens   {len(used)} tokens x (link GET + final POST): "
        + ", ".join(f"{k}: {v}" for k, v in replayed.most_common())
    )
    print(
        f"racing final submits     {len(race_tokens)} tokens, two at once: "
        + ", ".join(f"[{k}]: {v}" for k, v in raced.most_common())
    )
    print(f"server log               {server_errors} error lines, {locked} 'database is locked'")
    for line, count in exceptions.most_common(3):
        print(f"  {count} x {line}")

    db = run_child(["--phase", "verify", "--measurement", str(measurement)], env)
    thanked = completed + race_thanks + replayed["THANK-YOU"]
    checks = [
        (
            f"responses in the database {db['responses']} = thank-you pages {thanked}",
            db["responses"] == thanked,
        ),
        (
            f"used invitations {db['used']} = responses {db['responses']} "
            "(no invitation used twice)",
            db["used"] == db["responses"],
        ),
        (
            f"responses with all 8 answers {db['complete_answers']} = responses {db['responses']}",
            db["complete_answers"] == db["responses"],
        ),
        (
            f"invitations with more than one token {db['invitations_with_several_tokens']}",
            db["invitations_with_several_tokens"] == 0,
        ),
    ]
    for text, ok in checks:
        print(f"verify: {text}: {'OK' if ok else 'MISMATCH'}")
    return Figures(
        name,
        completed,
        errors,
        result.wall,
        rate,
        (submit[0], submit[1], submit[2]),
        (whole[0], whole[1], whole[2]),
        all(ok for _, ok in checks),
        bare_rate,
        per_walk,
        bare_p99,
    )


def print_summary(figures: Sequence[Figures]) -> None:
    print(
        "\nbackend   completed  errors  wall s  subm/s  submit p50/p95/p99 ms  walk p50/p95/p99 ms  db"
        "  requests  bare/s  subm/s of bare  bare p99 ms"
    )
    for f in figures:
        submit = "{:.0f}/{:.0f}/{:.0f}".format(*f.submit)
        whole = "{:.0f}/{:.0f}/{:.0f}".format(*f.whole)
        print(
            f"{f.backend:<9} {f.completed:>9,} {f.errors:>7} {f.wall:>7.1f} {f.rate:>7.1f}  "
            f"{submit:>21}  {whole:>19}  {'OK' if f.verified else 'MISMATCH':<8}"
            f"  {f.requests:>8.1f}  {f.bare_rate:>6.1f}  {f.rate / f.bare_rate:>14.1%}"
            f"  {f.bare_p99:>11.0f}"
        )


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # runs the finally blocks: gunicorn stopped, database dropped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--respondents", type=int, default=2000, help="people invited [2000]")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients [16]")
    parser.add_argument("--backends", default="sqlite,postgres", help="[sqlite,postgres]")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers [2]")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker [4]")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=40,
        help="hard limit of each backend's load, in seconds; 40 keeps the default run of both "
        "backends under 2 minutes on 2 cores, 120 lets 2,000 finish there [40]",
    )
    parser.add_argument(
        "--baseline-time",
        type=float,
        default=10,
        help="seconds of the bare insert view's load, before and after the walk [10]",
    )
    parser.add_argument("--duplicates", type=int, default=100, help="used tokens replayed [100]")
    parser.add_argument("--races", type=int, default=20, help="tokens submitted twice at once")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="an administrative connection; the bench database is made beside it",
    )
    parser.add_argument(
        "--pg-database",
        default=PG_DATABASE,
        help=f"the bench database, dropped and made again, and dropped at the end [{PG_DATABASE}]",
    )
    parser.add_argument(
        "--phase", choices=["run", "setup", "verify"], default="run", help=argparse.SUPPRESS
    )
    parser.add_argument("--measurement", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase == "setup":
        child_setup(args.respondents, args.races)
        return 0
    if args.phase == "verify":
        child_verify(args.measurement)
        return 0

    backends = list(dict.fromkeys(b.strip() for b in args.backends.split(",") if b.strip()))
    unknown = set(backends) - {"sqlite", "postgres"}
    if unknown or args.respondents < 1 or args.concurrency < 1:
        parser.error(
            f"unknown backend {', '.join(sorted(unknown))}"
            if unknown
            else "--respondents and --concurrency must be at least 1"
        )
    signal.signal(signal.SIGTERM, _terminate)
    # Even when started in the background with SIGINT ignored, Ctrl+C / kill -INT cleans up.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print(
        f"bench_submit: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, loopback {HOST}, "
        "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    )
    figures: list[Figures] = []
    tmp = Path(tempfile.mkdtemp(prefix="tryghed-bench-"))
    try:
        for backend in backends:
            env = base_env()
            if backend == "sqlite":
                # TRYGHED_DATA_DIR, not DATABASE_URL: keeps the settings' WAL, IMMEDIATE, timeout.
                env["TRYGHED_DATA_DIR"] = str(tmp / "data")
                (tmp / "data").mkdir()
                figures.append(bench_backend("sqlite", env, args, tmp))
            else:
                why = postgres_reachable(args.postgres_url)
                if why:
                    print(
                        f"\n== postgres: SKIPPED, PostgreSQL does not answer at {args.postgres_url}: {why}"
                    )
                    continue
                postgres_recreate(args.postgres_url, args.pg_database, create=True)
                try:
                    env["DATABASE_URL"] = with_database(args.postgres_url, args.pg_database)
                    figures.append(bench_backend("postgres", env, args, tmp))
                finally:
                    postgres_recreate(args.postgres_url, args.pg_database, create=False)
    except KeyboardInterrupt:
        print(
            "\ninterrupted: gunicorn stopped, bench database and temp files removed",
            file=sys.stderr,
        )
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if figures:
        print_summary(figures)
    print("load average at the end {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
