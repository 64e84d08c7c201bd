"""``audit_anonymity``: can anyone derive a group below the minimum from what is shown?

Runs the subtraction solver (core.disclosure) over every closed measurement's stored
publication as each reader sees it, alone and together with the earlier wave, and
prints what an attacker could derive: nothing, or the exact leak (which shown figures
were combined, the size and mean of the group they isolate). Exit code 1 on a leak, so
an AMO, a data-protection officer or a scheduled job can check it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tryghed.core.disclosure import Derived, Term
from tryghed.orgs.models import Organisation
from tryghed.results.audit import Finding, audit_organisation


class Command(BaseCommand):
    help = "Anonymitetsrevision: kan nogen udlede en gruppe under mindstegrænsen af det, der vises?"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisationens kortnavn (slug)")
        parser.add_argument("--measurement", type=int, help="kun denne måling (id)")
        parser.add_argument(
            "--role",
            help=(
                "kun denne læser: admin, amo, top_management, leader:<e-mail> eller "
                "employee:<e-mail>"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(_("Organisationen %(slug)s findes ikke.") % {"slug": options["org"]})
        try:
            findings = audit_organisation(
                organisation, measurement_id=options["measurement"], role=options["role"]
            )
        except LookupError:
            raise CommandError(
                _("Ingen med rollen %(role)s i organisationen.") % {"role": options["role"]}
            ) from None
        self.stdout.write(_("Anonymitetsrevision af %(name)s") % {"name": organisation.name})
        if not findings:
            self.stdout.write(_("Ingen lukkede målinger at revidere."))
            return
        failed = 0
        reader = None
        for finding in findings:
            if finding.reader != reader:
                reader = finding.reader
                self.stdout.write("")
                self.stdout.write(_("Som %(reader)s ser det:") % {"reader": _reader(reader)})
            failed += self._report(finding)
        self.stdout.write("")
        if failed:
            self.stdout.write(
                ngettext(
                    "Revisionen fandt %(count)d problem. Ret det, før resultaterne deles.",
                    "Revisionen fandt %(count)d problemer. Ret dem, før resultaterne deles.",
                    failed,
                )
                % {"count": failed}
            )
            raise SystemExit(1)
        self.stdout.write(
            _("Ingen kan udlede svar fra en gruppe under mindstegrænsen af det, der vises.")
        )

    def _report(self, finding: Finding) -> int:
        result = finding.result
        checked = len(result.derived)
        if result.ok:
            self.stdout.write(
                "  "
                + _(
                    "%(title)s: 0 afledte grupper under mindstegrænsen "
                    "(%(checked)s afledte grupper kontrolleret)"
                )
                % {"title": finding.title, "checked": number_format(checked, force_grouping=True)}
            )
            return 0
        self.stdout.write(
            "  "
            + ngettext(
                "%(title)s: %(count)d afledt gruppe under mindstegrænsen",
                "%(title)s: %(count)d afledte grupper under mindstegrænsen",
                len(result.leaks),
            )
            % {"title": finding.title, "count": len(result.leaks)}
        )
        for leak in result.leaks:
            self._leak(leak)
        for bad in result.inconsistent:
            self.stdout.write(
                "    "
                + _(
                    "Uoverensstemmelse: tallene for %(subject)s passer ikke sammen "
                    "(de bygger ikke på de samme personer):"
                )
                % {"subject": _subject(bad.population)}
            )
            self._terms(bad.terms)
        for undecided in result.undecided:
            self.stdout.write(
                "    "
                + _(
                    "Kunne ikke afgøres: %(subject)s har for mange overlappende grupper "
                    "(%(units)d enheder) til at blive gennemregnet. Betragt det som en lækage."
                )
                % {"subject": _subject(undecided.population), "units": len(undecided.atoms)}
            )
        return len(result.leaks) + len(result.inconsistent) + len(result.undecided)

    def _leak(self, leak: Derived) -> None:
        self.stdout.write(
            "    "
            + ngettext(
                "Lækage: en gruppe på %(n)d person kan udledes (mindstegrænse %(minimum)d) "
                "for %(subject)s, ved at regne:",
                "Lækage: en gruppe på %(n)d personer kan udledes (mindstegrænse %(minimum)d) "
                "for %(subject)s, ved at regne:",
                leak.n,
            )
            % {"n": leak.n, "minimum": leak.minimum, "subject": _subject(leak.population)}
        )
        self._terms(leak.terms)
        if leak.kind == "different_people":
            self.stdout.write(
                "      " + _("(to tal om det samme i samme gruppe bygger på forskellige personer)")
            )
        if leak.mean is not None:
            self.stdout.write(
                "      "
                + _("Gruppens gennemsnit kan dermed udregnes: %(mean)s")
                % {"mean": number_format(leak.mean, 2)}
            )

    def _terms(self, terms: Iterable[Term]) -> None:
        for term in terms:
            sign = "+" if term.coefficient > 0 else "−"
            size = abs(term.coefficient)
            factor = "" if size == 1 else f"{size} × "
            people = ngettext("%(n)d person", "%(n)d personer", term.n) % {"n": term.n}
            about = f" ({_subject(term.population)})" if term.population else ""
            self.stdout.write(f"      {sign} {factor}{term.label}{about}: {people}")


def _reader(label: str) -> str:
    kind, _sep, email = label.partition(":")
    names = {
        "admin": _("administrator"),
        "amo": _("arbejdsmiljøorganisationen (AMO)"),
        "top_management": _("topledelsen"),
        "leader": _("leder"),
        "employee": _("medarbejder"),
    }
    name = names.get(kind, kind)
    return f"{name} {email}".strip()


def _subject(population: str) -> str:
    """'m12/ps7/scale/S1' as words: 'måling 12, ps7, skala S1'."""
    parts = population.split("/")
    if len(parts) < 2 or not parts[0].startswith("m"):
        return population
    words = [_("måling %(id)s") % {"id": parts[0][1:]}]
    kinds = {
        "scale": _("skala"),
        "item": _("spørgsmål"),
        "key": _("nøgletal"),
        "text": _("fritekstsvar til"),
    }
    rest = parts[1:]
    if rest and rest[0] == "text":
        words.append(f"{kinds['text']} {'/'.join(rest[1:])}")
    elif len(rest) >= 3:
        words.append(f"{rest[0]}, {kinds.get(rest[1], rest[1])} {'/'.join(rest[2:])}")
    else:
        words.append("/".join(rest))
    return ", ".join(words)
