"""Run by test_redteam_walk_cache in a child process: people answer over HTTP through the
WSGI handler, as a threaded server runs it (three worker threads, each keeping its SQLite
connection open between requests: CONN_MAX_AGE), on a file database in WAL mode. For a
while a reader holds a read transaction open (a streaming export, a backup tool), so a
release's checkpoint cannot empty the WAL. The operator copies the database file and its
-wal file after every request. Prints what the test needs, as JSON.

Usage: python -m tests.privacy.wal_threads_scenario <directory>  (TRYGHED_DATA_DIR=<directory>)
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def main(directory: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django

    django.setup()
    from django.conf import settings

    database_settings: dict[str, Any] = settings.DATABASES["default"]
    assert int(database_settings.get("CONN_MAX_AGE", 0)) > 0, "connections are not kept"
    # A release's checkpoint waits this long for a reader before it gives up (20 s in
    # production; the same outcome, sooner).
    database_settings["OPTIONS"]["timeout"] = 2
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import RequestFactory
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ).enable()
    call_command("migrate", verbosity=0)

    from tests.privacy import attack
    from tryghed.surveys.models import Invitation, PendingAnswer, Response

    place = attack.build_workplace({"Team": (None, 16)})
    launched = attack.launch(place)
    minimum = max(1, launched.measurement.min_group_score)
    connection.close()  # the set-up's own connection: only the workers' remain
    database = str(database_settings["NAME"])
    handler = WSGIHandler()
    factory = RequestFactory()

    def call(request: Any) -> str:
        status: list[str] = []

        def start_response(line: str, headers: Any, *info: Any) -> Any:
            status.append(line)

        body = handler(request.environ, start_response)
        text = b"".join(body).decode()
        if hasattr(body, "close"):
            body.close()  # request_finished: the connection stays open (CONN_MAX_AGE)
        assert status and status[0].startswith("200"), (status, text[:500])
        return text

    def respond(token: str, code: int, secret: str) -> None:
        page = call(factory.get(f"/s/{token}/"))
        fields = {k: html.unescape(v) for k, v in _HIDDEN.findall(page)}
        answers: dict[str, object] = {f"q-{k}": v for k, v in attack.ps7([code]).items()}
        answers["q-hesteskoen.2"] = secret
        thanks = call(factory.post("/s/svar/", {**fields, **answers, "action": "submit"}))
        assert 'name="state"' not in thanks, "not the thank-you page"

    steps: list[dict[str, Any]] = []

    def copy(name: str, reader: bool) -> None:
        for suffix in ("", "-wal"):
            if os.path.exists(database + suffix):
                shutil.copyfile(database + suffix, os.path.join(directory, name + suffix))
        wal = database + "-wal"
        steps.append(
            {
                "copy": name,
                "reader": reader,
                "wal_bytes": os.path.getsize(wal) if os.path.exists(wal) else 0,
                "responses": Response.objects.count(),
                "pending": PendingAnswer.objects.count(),
            }
        )
        connection.close()

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    people = place.people["Team"]
    secret_of: dict[int, str] = {}
    hold, holding = threading.Event(), threading.Event()

    def reader() -> None:
        # A read transaction: a streaming export reading one row at a time.
        rows = Invitation.objects.all().iterator(chunk_size=1)
        next(rows)
        holding.set()
        hold.wait(120)
        rows.close()  # type: ignore[attr-defined]  # a generator
        connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as workers, ThreadPoolExecutor(1) as side:
        held = None
        for number, person in enumerate(people, start=1):
            if number == 8:  # from the 8th answer to the 13th a reader holds on
                held = side.submit(reader)
                assert holding.wait(30)
            if number == 14 and held is not None:
                hold.set()
                held.result()
                held = None
            secret_of[person.pk] = attack.secret_comment()
            workers.submit(
                respond, launched.tokens[person.pk], 1 + number % 5, secret_of[person.pk]
            ).result()
            copy(f"copy-{number:02d}.sqlite3", reader=held is not None)

        # Closing, by a request of its own in a worker thread, as the admin would.
        def closing() -> None:
            attack.close(place, launched.measurement)
            connections.close_all()

        workers.submit(closing).result()
        copy("copy-closed.sqlite3", reader=False)
        workers.submit(connections.close_all).result()
    invitations = dict(
        Invitation.objects.filter(measurement=launched.measurement).values_list("pk", "person_id")
    )
    print(
        json.dumps(
            {
                "secret_of": secret_of,
                "invitation_person": invitations,
                "minimum": minimum,
                "steps": steps,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
