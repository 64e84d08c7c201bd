"""Run by test_sqlite_wal_attack in a child process: a file-based SQLite database in WAL
mode, as production runs it, where people answer; then the operator copies the database
file and its -wal file. Prints what the test needs to judge the attack, as JSON.

Usage: python -m tests.privacy.wal_scenario <directory>  (TRYGHED_DATA_DIR=<directory>)
"""

from __future__ import annotations

import json
import os
import shutil
import sys


def main(directory: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # e-mails go to mail.outbox, where launch() reads the links
    override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ).enable()
    call_command("migrate", verbosity=0)

    from tests.privacy import attack
    from tryghed.surveys.models import Invitation

    place = attack.build_workplace({"Team": (None, 8)})
    launched = attack.launch(place)
    with connection.cursor() as cursor:  # the attacker's copy shows what came after this
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    secret_of: dict[int, str] = {}
    for code, person in zip([1, 2, 3, 4, 5, 1, 2, 3], place.people["Team"][::-1], strict=True):
        secret_of[person.pk] = attack.secret_comment()
        attack.submit(
            launched.tokens[person.pk], attack.ps7([code]), {"hesteskoen.2": secret_of[person.pk]}
        )
    database = str(settings.DATABASES["default"]["NAME"])

    def copy(name: str) -> None:
        # The operator's copy, taken while the application runs (connection still open).
        for suffix in ("", "-wal"):
            if os.path.exists(database + suffix):
                shutil.copyfile(database + suffix, os.path.join(directory, name + suffix))

    copy("open.sqlite3")
    attack.close(place, launched.measurement)  # releases whatever is still held back
    copy("closed.sqlite3")
    invitations = dict(
        Invitation.objects.filter(measurement=launched.measurement).values_list("pk", "person_id")
    )
    print(json.dumps({"secret_of": secret_of, "invitation_person": invitations}))


if __name__ == "__main__":
    main(sys.argv[1])
