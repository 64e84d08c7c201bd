"""Is the team ready to work on psychological safety? ("parathed")

Seed 000, "Der skal være styr på arbejdsmiljøet": psychological safety is built "i
fredstid". Where there are many conflicts or offensive behaviour, the problems in the work
environment are solved first. ``readiness(unit)`` gathers what the product knows:

- the screening's shares exposed to offensive behaviour and to violence, as the unit's
  latest published screening shows them (``apv.selectors.screening_figures``: the report
  data, suppression applied, over the unit and its subtree as the team report reads it),
  at the share the team report puts first (``presenters.SENSITIVE_ALERT_SHARE``);
- unclear or conflicting demands at a high share: the nearest the screening comes to
  "mange konflikter" (conflicts between people show in offensive behaviour above);
- open cases in the voice channel about offensive behaviour or violence, as yes or no and
  only among the cases the reader may see (a leader never learns of a case the reporter
  sent to the AMO/HR: it may be about them);
- an APV that is overdue for its revision or has changes in the work waiting
  (``apv.selectors.revision_state``).

What it cannot know (no screening, hidden figures, no APV kept here) it says, without
stopping anyone.

A finding never carries a count of people or of cases; a hidden figure is no finding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tryghed.apv.selectors import (
    Revision,
    ScreeningFigure,
    latest_screening,
    revision_state,
    screening_figures,
)
from tryghed.orgs.models import Unit
from tryghed.results.charts import format_percent
from tryghed.results.presenters import SENSITIVE_ALERT_SHARE
from tryghed.surveys.models import Measurement
from tryghed.voice.models import Case

# The risk factors (apv.models.RiskFactor values) behind the findings.
OFFENSIVE = "offensive"
VIOLENCE = "violence"
DEMANDS = "demands"
# At least half the team often or always meets unclear or conflicting demands: the basic
# planning and organisation of the work is not in place (seed 000 names that too).
CONFLICT_SHARE = 0.50
# The voice channel's kinds (voice.models.Kind values) that are about the same.
VOICE_KINDS = {OFFENSIVE: "offensive", VIOLENCE: "violence"}


@dataclass(frozen=True)
class Finding:
    """One thing that points to problems in the work environment, and what to do."""

    key: str
    title: str
    text: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Readiness:
    unit: Unit
    measurement: Measurement | None
    findings: tuple[Finding, ...]
    # What the product does not know (no screening shown, no APV here): said, not blocking.
    unknowns: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.findings

    @property
    def fingerprint(self) -> str:
        """Which findings there are: going on knowingly holds until they change."""
        keys = ",".join(sorted(f.key for f in self.findings))
        return hashlib.sha256(f"{self.unit.pk}:{keys}".encode()).hexdigest()[:16]


def _lang() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


def _steps_for_factor(factor: Promise) -> tuple[str, ...]:
    return (
        str(_("Lav en risikovurdering af %(factor)s for enheden i APV’en.") % {"factor": factor}),
        str(_("Inddrag arbejdsmiljørepræsentanten og arbejdsmiljøorganisationen (AMO).")),
        str(
            _(
                "Følg organisationens procedure for krænkende handlinger og vold. Kender I den "
                "ikke, så spørg AMO eller HR."
            )
        ),
    )


def _screening_findings(figures: list[ScreeningFigure]) -> list[Finding]:
    findings: list[Finding] = []
    shown = {f.factor: f for f in figures if f.share is not None}
    threshold = format_percent(SENSITIVE_ALERT_SHARE, _lang(), 0)
    for factor, title, named in (
        (
            OFFENSIVE,
            _("Krænkende handlinger i screeningen"),
            _("krænkende handlinger"),
        ),
        (VIOLENCE, _("Vold eller trusler i screeningen"), _("vold og trusler")),
    ):
        figure = shown.get(factor)
        if figure is None or figure.share is None or figure.share < SENSITIVE_ALERT_SHARE:
            continue
        findings.append(
            Finding(
                key=f"screening:{factor}",
                title=str(title),
                text=str(
                    _(
                        "%(share)s af jer har været udsat for %(what)s inden for det seneste "
                        "halve år (vises, når det er mindst %(threshold)s)."
                    )
                    % {
                        "share": format_percent(figure.share, _lang(), 0),
                        "what": named,
                        "threshold": threshold,
                    }
                ),
                steps=_steps_for_factor(named),
            )
        )
    demands = shown.get(DEMANDS)
    if demands is not None and demands.share is not None and demands.share >= CONFLICT_SHARE:
        findings.append(
            Finding(
                key=f"screening:{DEMANDS}",
                title=str(_("Mange oplever uklare eller modstridende krav")),
                text=str(
                    _(
                        "%(share)s af jer møder ofte eller altid uklare eller modstridende krav. "
                        "Er der ikke styr på den grundlæggende planlægning og organisering af "
                        "arbejdet, svækker det trygheden."
                    )
                    % {"share": format_percent(demands.share, _lang(), 0)}
                ),
                steps=(
                    str(
                        _(
                            "Lav en risikovurdering af uklare og modstridende krav for enheden i "
                            "APV’en."
                        )
                    ),
                    str(
                        _(
                            "Afklar sammen med arbejdsmiljørepræsentanten, hvem der prioriterer "
                            "opgaverne, og hvad der kan vælges fra."
                        )
                    ),
                ),
            )
        )
    return findings


def _case_findings(unit: Unit, cases: Iterable[Case] | None) -> list[Finding]:
    if cases is None:
        return []
    # Yes or no per kind, never how many: one case is one person.
    open_kinds = {
        c.kind
        for c in cases
        if c.organisation_id == unit.organisation_id
        and c.unit is not None
        and c.unit.path.startswith(unit.path)
        and c.closed_on is None
    }
    findings = []
    for factor, kind in VOICE_KINDS.items():
        if kind not in open_kinds:
            continue
        title = (
            _("Åbne sager om krænkende handlinger i »Sig det«")
            if factor == OFFENSIVE
            else _("Åbne sager om vold eller trusler i »Sig det«")
        )
        findings.append(
            Finding(
                key=f"voice:{factor}",
                title=str(title),
                text=str(
                    _(
                        "Der er åbne sager om det i »Sig det« for enheden. Få dem behandlet, "
                        "før I tager fat på trygheden i teamet."
                    )
                ),
                steps=(
                    str(_("Besvar og følg op på sagerne i »Sig det« inden for fristerne.")),
                    str(
                        _("Inddrag arbejdsmiljørepræsentanten og arbejdsmiljøorganisationen (AMO).")
                    ),
                    str(_("Følg organisationens procedure for krænkende handlinger og vold.")),
                ),
            )
        )
    return findings


def _apv_findings(revision: Revision) -> list[Finding]:
    if revision.due is None:
        return []  # not known here: a note, not a finding (``_unknowns``)
    if revision.overdue:
        return [
            Finding(
                key="apv:overdue",
                title=str(_("APV’en er forældet")),
                text=str(
                    _("APV’en skulle være revideret senest %(due)s (mindst hvert tredje år).")
                    % {"due": date_format(revision.due)}
                ),
                steps=(
                    str(_("Få arbejdsmiljøorganisationen (AMO) til at revidere APV’en.")),
                    str(_("Lav risikovurderingen af de fem risikofaktorer for enheden.")),
                ),
            )
        ]
    if revision.changes:
        return [
            Finding(
                key="apv:changes",
                title=str(_("APV’en skal revideres")),
                text=str(
                    _(
                        "Arbejdet er ændret, siden APV’en blev vedtaget. Ændringer i arbejdet "
                        "kræver, at APV’en revideres."
                    )
                ),
                steps=(str(_("Få arbejdsmiljøorganisationen (AMO) til at revidere APV’en.")),),
            )
        ]
    return []


def readiness(
    unit: Unit, *, cases: Iterable[Case] | None = None, today: dt.date | None = None
) -> Readiness:
    """What points to problems in the unit's work environment.

    ``cases`` are the voice channel's cases the reader may see, with their units
    (``voice.selectors.visible_cases(access)``, a list: who may read a case to the AMO/HR
    is decided in Python from its sealed set); without them no case is looked at.
    """
    measurement = latest_screening(unit)
    figures = screening_figures(measurement, unit)
    revision = revision_state(unit.organisation, today)
    findings = [
        *_screening_findings(figures),
        *_case_findings(unit, cases),
        *_apv_findings(revision),
    ]
    return Readiness(
        unit=unit,
        measurement=measurement,
        findings=tuple(findings),
        unknowns=_unknowns(measurement, figures, revision),
    )


def _unknowns(
    measurement: Measurement | None, shown: list[ScreeningFigure], revision: Revision
) -> tuple[str, ...]:
    out = []
    figures = {f.factor: f for f in shown}
    if measurement is None:
        out.append(
            str(
                _(
                    "Enheden har ikke været med i en lukket screening for krænkende handlinger "
                    "og vold, så Tryghed kender ikke tallene."
                )
            )
        )
    elif any(figures.get(k) is None or figures[k].share is None for k in (OFFENSIVE, VIOLENCE)):
        out.append(
            str(
                _(
                    "Screeningens tal for krænkende handlinger eller vold er skjult for enheden "
                    "(for få svar), så Tryghed kan ikke sige noget om dem."
                )
            )
        )
    if revision.due is None:
        out.append(
            str(
                _(
                    "Tryghed kender ikke jeres APV. Har I den et andet sted, så tjek, at den er "
                    "under tre år gammel og dækker det psykiske arbejdsmiljø."
                )
            )
        )
    return tuple(out)
