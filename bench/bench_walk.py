"""Benchmark: the respondent's walk in one process, request by request, beside a bare view.

Run: ``python bench/bench_walk.py`` (flags: ``--help``). It migrates a throwaway SQLite
database in WAL mode (the product's settings; or ``--postgres-url``: a database of its own
on that server), makes bench_submit's organisation and open ps7 + hesteskoen measurement,
and then calls Django's WSGI handler directly, without a server or a network: per token
the link (GET) and «Send svar» (POST, every choice answered), then as many POSTs to
bench_submit's bare insert view (``bench/bare_urls.py``) as there were walks. It prints
the mean and median of each kind of request, the walk's cost in bare requests and the load
average; ``--profile KEY`` adds a cProfile of the walks sorted by KEY (e.g. ``cumtime``).

One process and one thread: this is what a request costs in CPU, without the queueing
that bench_submit's 16 clients add. No assertions: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WARM = 20  # walks before the timed ones: imports, the kept pages, the instruments


@contextlib.contextmanager
def _postgres(url: str, name: str) -> Iterator[str]:
    """A database of its own on the server at ``url`` (an administrative connection)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _settings(directory: Path) -> None:
    """The product's settings and URLs, with the bare insert view beside them."""
    (directory / "walk_bench_settings.py").write_text(
        "from tryghed.settings import *  # noqa: F403\nROOT_URLCONF = 'walk_bench_urls'\n"
    )
    (directory / "walk_bench_urls.py").write_text(
        "from django.urls import path\n"
        "import bare_urls\n"
        "from tryghed.urls import urlpatterns as product\n"
        "urlpatterns = [path('bare/', bare_urls.insert), *product]\n"
    )


def run(args: argparse.Namespace, directory: Path) -> None:
    sys.path[:0] = [str(directory), str(ROOT / "src"), str(ROOT / "bench")]
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    import bench_submit

    call_command("migrate", verbosity=0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        bench_submit.child_setup(args.walks + WARM, 0)
    tokens: list[str] = json.loads(printed.getvalue().split(bench_submit.MARKER)[1])["tokens"]
    app = WSGIHandler()

    def call(method: str, path: str, body: bytes = b"") -> str:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        status: list[str] = []

        def start_response(
            line: str, _headers: list[tuple[str, str]], _exc_info: object = None, /
        ) -> Callable[[bytes], object]:
            status.append(line)
            return lambda _data: None

        response = app(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()  # request_finished, as a server sends it: old connections close
        if not status[0].startswith("200"):
            raise RuntimeError(f"{method} {path}: {status[0]}")
        return content.decode()

    answer = reverse("surveys:answer")
    times: dict[str, list[float]] = {"link (GET)": [], "final submit (POST)": [], "bare": []}
    body = b""

    def walk(token: str) -> None:
        nonlocal body
        start = time.perf_counter()
        page = call("GET", reverse("surveys:start", args=[token]))
        middle = time.perf_counter()
        form: dict[str, str] = {"token": token, "lang": "da", "action": "submit"}
        for name, pattern in (("state", bench_submit.STATE), ("step", bench_submit.STEP)):
            found = pattern.search(page)
            if found is None:
                raise RuntimeError(f"the link's page has no {name} field")
            form[name] = found.group(1)
        for name, value in bench_submit.RADIO.findall(page):
            form.setdefault(name, value)
        body = urlencode(form).encode()
        sent_at = time.perf_counter()
        thanks = call("POST", answer, body)
        end = time.perf_counter()
        if bench_submit.THANKS not in thanks:
            raise RuntimeError("the final submit did not thank")
        times["link (GET)"].append(middle - start)
        times["final submit (POST)"].append(end - sent_at)

    for token in tokens[:WARM]:
        walk(token)
    for values in times.values():
        values.clear()
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    for token in tokens[WARM:]:
        walk(token)
    if profile:
        profile.disable()
    for _ in range(args.walks):
        start = time.perf_counter()
        call("POST", "/bare/", body)
        times["bare"].append(time.perf_counter() - start)

    print(f"bench_walk: {connection.vendor}, {args.walks} walks after {WARM} to warm up")
    for label, values in times.items():
        mean, median = statistics.mean(values), statistics.median(values)
        print(f"{label:<22} mean {1000 * mean:7.2f} ms  median {1000 * median:7.2f} ms")
    bare = statistics.mean(times["bare"])
    walk_mean = statistics.mean(times["link (GET)"]) + statistics.mean(times["final submit (POST)"])
    print(
        f"a walk costs {walk_mean / bare:.1f} bare requests: {bare / walk_mean:.1%} of the bare "
        f"view's rate per submission, in one thread"
    )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if profile:
        pstats.Stats(profile).sort_stats(args.profile).print_stats(40)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--walks", type=int, default=400, help="timed walks [400]")
    parser.add_argument(
        "--postgres-url",
        default="",
        help="an administrative connection: run on PostgreSQL (database tryghed_bench_walk)",
    )
    parser.add_argument("--profile", default="", help="cProfile the walks, sorted by this key")
    args = parser.parse_args(argv)
    if args.walks < 1:
        parser.error("--walks must be at least 1")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="walk_bench_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    for name in ("DATABASE_URL", "TRYGHED_DATA_DIR", "TRYGHED_ENV"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory(prefix="bench-walk-") as tmp:
        directory = Path(tmp)
        _settings(directory)
        database: contextlib.AbstractContextManager[str | None] = (
            _postgres(args.postgres_url, "tryghed_bench_walk")
            if args.postgres_url
            else contextlib.nullcontext(None)
        )
        with database as url:
            if url:
                os.environ["DATABASE_URL"] = url
            else:
                os.environ["TRYGHED_DATA_DIR"] = str(directory)
            run(args, directory)
            from django.db import connections

            connections.close_all()  # before the database is dropped
    return 0


if __name__ == "__main__":
    sys.exit(main())
