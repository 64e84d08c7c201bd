"""Reads for the meeting kits ("mødekit"), scoped to what the reader may see.

A meeting kit is built from the unit report's own context (``presenters.unit_report_context``
over the publication, as the leader reads the report): its areas, key figures, weakest
areas, zone and prompts. Nothing here reads the publication's figures itself, so a figure
the report hides is hidden in the kit, on the screen and in the PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from tryghed.kits import content
from tryghed.kits.readiness import Readiness
from tryghed.orgs.models import Unit
from tryghed.orgs.selectors import OrgAccess
from tryghed.results import selectors as results_selectors
from tryghed.results.aggregates import is_published, publication
from tryghed.results.presenters import AreaRow, ChartView, Overview, unit_report_context
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import measurement_instruments

# The meeting: one hour; the areas share what the fixed points leave.
MEETING_MINUTES = 60
AREAS_MINUTES = 25
SESSION_KEY = "kits.readiness"


@dataclass(frozen=True)
class KitArea:
    """An area to talk about: one of the weakest readings, with the topic that fits it."""

    row: AreaRow
    topic: content.Topic
    minutes: int


@dataclass(frozen=True)
class AgendaItem:
    minutes: int
    title: str
    text: str


@dataclass
class MeetingKit:
    measurement: Measurement
    unit_name: str
    unit_pk: int
    group_hidden: str
    overview: Overview | None
    zone: ChartView | None
    prompts: list[str]
    areas: list[KitArea] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    general_topics: list[content.Topic] = field(default_factory=list)
    support: bool = False

    @property
    def topic_keys(self) -> set[str]:
        return {a.topic.key for a in self.areas} | {t.key for t in self.general_topics}


def get_kit_report(
    access: OrgAccess, measurement_id: int, unit_id: int
) -> tuple[Measurement, Unit]:
    """The closed measurement and unit whose report the reader may open; else a 404."""
    measurement, unit = results_selectors.get_unit_report(access, measurement_id, unit_id)
    if not is_published(measurement):
        raise Http404  # no kit from figures that do not exist yet
    return measurement, unit


def kit_measurements(access: OrgAccess, unit: Unit) -> list[Measurement]:
    """The closed measurements with a report of the unit the reader may open, newest first."""
    return [
        entry.measurement
        for entry in results_selectors.report_list(access)
        if is_published(entry.measurement) and any(u.pk == unit.pk for u in entry.units)
    ]


def _pick_topics(rows: list[AreaRow], roles: Mapping[str, str]) -> list[content.Topic]:
    """One topic per area, the best fitting one not taken by an earlier area."""
    taken: set[str] = set()
    picked = []
    for row in rows:
        keys = content.TOPICS_BY_ROLE.get(roles.get(row.instrument_id, "default"), ())
        keys = keys or content.TOPICS_BY_ROLE["default"]
        key = next((k for k in keys if k not in taken), keys[0])
        taken.add(key)
        picked.append(content.TOPICS[key])
    return picked


def _agenda(areas: list[KitArea]) -> list[AgendaItem]:
    items = [
        AgendaItem(
            5,
            _("Sæt scenen"),
            _("Sig, hvorfor I holder mødet: at lære af jeres egne svar. Gennemgå mødets regler."),
        ),
        AgendaItem(
            10,
            _("Jeres nøgletal"),
            _(
                "Se nøgletallene sammen. Bordet rundt: ét ord eller én sætning om, hvad du "
                "lægger mærke til."
            ),
        ),
    ]
    for area in areas:
        items.append(
            AgendaItem(
                area.minutes,
                area.row.name,
                _("Tal først to og to ud fra spørgsmålene, derefter i fællesskab.")
                if area.minutes >= 10
                else _("Tal i fællesskab ud fra spørgsmålene."),
            )
        )
    if not areas:
        items.append(
            AgendaItem(
                AREAS_MINUTES,
                _("Hvordan styrker vi trygheden?"),
                _("Tal først to og to ud fra spørgsmålene, derefter i fællesskab."),
            )
        )
    items += [
        AgendaItem(
            15,
            _("Aftaler"),
            _(
                "Vælg ét eller to områder, I vil arbejde videre med. Skriv, hvad I gør, hvem "
                "der har bolden, og hvornår I følger op."
            ),
        ),
        AgendaItem(5, _("Bordet rundt"), _("Hvad tager du med fra mødet?")),
    ]
    return items


def meeting_kit(measurement: Measurement, unit: Unit, lang: str) -> MeetingKit:
    """The kit of one closed measurement for one unit, as the unit report shows it to a
    leader (the unit and everything under it): where it hides an area, the units below
    put together, as on the page.

    The kit is the hand-out of the unit's team meeting, whoever prepared it: an AMO, or a
    leader who also leads where a unit below has moved since closing, hands it to the
    unit's leader and team. So, like a shared unit PDF, it puts together only the units
    below that every reader of the unit's report may open (those still under it today),
    never those of the one who asked: else the meeting would take a moved unit's figures
    out of it by subtraction."""
    data = publication(measurement, units=[unit.pk])
    if not data.has_unit(unit.pk):
        raise Http404  # a unit that was not in the measurement when it closed
    shared = results_selectors.children_every_reader_opens(measurement, data, unit)
    report: dict[str, Any] = unit_report_context(
        data=data,
        measurement=measurement,
        unit=unit,
        scope="subtree",
        lang=lang,
        below=results_selectors.units_below(measurement, data, unit, shared, "subtree"),
    )
    overview: Overview | None = report["overview"]
    instruments = measurement_instruments(measurement)
    roles = {i.id: content.instrument_role(i, instruments) for i in instruments}
    kit = MeetingKit(
        measurement=measurement,
        unit_name=report["unit"].name,
        unit_pk=unit.pk,
        group_hidden=report["group_hidden"],
        overview=overview,
        zone=report["zone"],
        prompts=list(report["prompts"]),
    )
    rows = list(overview.weakest) if overview is not None else []
    if rows:
        share, rest = divmod(AREAS_MINUTES, len(rows))
        kit.areas = [
            KitArea(row, topic, share + (1 if index < rest else 0))
            for index, (row, topic) in enumerate(zip(rows, _pick_topics(rows, roles), strict=True))
        ]
    else:
        # Nothing to rank (too few answered, or no directed scale): the three levers.
        kit.general_topics = [content.FRAME, content.INVITE, content.RESPOND]
    kit.support = "support" in kit.topic_keys or "support_chart" in roles.values()
    kit.agenda = _agenda(kit.areas)
    return kit


# --------------------------------------------------------------------------- readiness


def readiness_acknowledged(session: Mapping[str, Any], result: Readiness) -> bool:
    """Whether the reader has gone on knowingly past exactly these findings (this session)."""
    if result.ready:
        return True
    done = session.get(SESSION_KEY) or {}
    return bool(done.get(str(result.unit.pk)) == result.fingerprint)
