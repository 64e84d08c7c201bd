"""Run by test_redteam_operator_2 in a child process: a file-based SQLite database as
production runs it, where a team writes learning-log entries, named and anonymous, and Sig
det cases are raised, one after another on the same day; then the WAL is checkpointed (as
the next release of answers, a closing or the nightly purge does) and the operator copies
the database file. Prints, as JSON, the ids in the order they were written.

Usage: python -m tests.privacy.operator2_scenario <directory>  (TRYGHED_DATA_DIR=<directory>)
"""

from __future__ import annotations

import json
import os
import shutil
import sys

COUNT = 10  # entries and cases each: a page that shows their order by chance, 1 in 10!


def main(directory: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
    call_command("migrate", verbosity=0)

    from tests.factories import grant, make_org, make_unit, make_user, root_of
    from tryghed.learning import services as learning
    from tryghed.orgs.models import Role
    from tryghed.voice import services as voice

    org = make_org("Skrivekommune", slug="skrivekommune")
    team = make_unit(org, parent=root_of(org), name="Team", external_id="T")
    writers = [make_user() for _ in range(4)]
    for writer in writers:
        grant(writer, org, Role.EMPLOYEE, team)
    amo = make_user()
    grant(amo, org, Role.AMO)
    entries = []
    for i in range(COUNT):
        writer = writers[i % len(writers)]
        entry = learning.entry_write(
            unit=team,
            writer=writer,
            what_happened=f"Situation {i}: vagtplanen kom for sent ud",
            author_name=writer.full_name if i % 2 == 0 else "",  # every other one anonymous
        )
        entries.append(entry.pk.hex)
    cases = []
    for i in range(COUNT):
        case, _code = voice.case_raise(
            organisation=org, unit=team, receiver="amo", kind="concern", text=f"Sag {i}"
        )
        cases.append(case.pk.hex)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database = str(settings.DATABASES["default"]["NAME"])
    shutil.copyfile(database, os.path.join(directory, "copy.sqlite3"))
    print(json.dumps({"entries": entries, "cases": cases}))


if __name__ == "__main__":
    main(sys.argv[1])
