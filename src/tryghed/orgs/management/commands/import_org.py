from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tryghed.orgs import importing
from tryghed.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Import units or people from a CSV file. Without --apply it is a dry run that "
        "prints what would change; with --apply everything is imported or nothing is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", help="the organisation's slug (needed when there are several)")
        parser.add_argument("--apply", action="store_true", help="write the changes")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="people files: deactivate people not in the file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        organisations = Organisation.objects.all()
        if options["org"]:
            organisations = organisations.filter(slug=options["org"])
        found = list(organisations[:2])
        if not found:
            raise CommandError(
                "No such organisation" if options["org"] else "There is no organisation yet"
            )
        if len(found) > 1:
            slugs = ", ".join(Organisation.objects.values_list("slug", flat=True))
            raise CommandError(f"Several organisations; choose one with --org ({slugs})")
        organisation = found[0]
        content = importing.decode(path.read_bytes())
        deactivate = options["deactivate_missing"]
        if options["apply"]:
            try:
                plan = importing.apply_import(
                    organisation=organisation,
                    content=content,
                    actor=None,
                    deactivate_missing=deactivate,
                )
            except importing.ImportRefused as refused:
                plan = refused.plan
        else:
            plan = importing.plan_import(organisation, content, deactivate_missing=deactivate)
        for error in plan.errors:
            self.stderr.write(
                f"{path}:{error.line}: {error.column + ': ' if error.column else ''}{error.message}"
            )
        if plan.errors:
            raise CommandError(f"{len(plan.errors)} error(s); nothing was imported.")
        s = plan.summary()
        verb = "Imported" if options["apply"] else "Dry run (use --apply to import)"
        self.stdout.write(
            f"{verb}: {s['rows']} rows into {organisation.slug} ({plan.kind}): {s['created']} new, "
            f"{s['updated']} changed, {s['moved']} moved, {s['unchanged']} unchanged"
            + (f", {s['deactivated']} deactivated" if deactivate else "")
            + "."
        )
