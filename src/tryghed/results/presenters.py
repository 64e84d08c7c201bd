"""What a unit report shows, built from the report data alone ("rapportdata").

``unit_report_context`` turns one group of ``aggregates.report_data`` into plain values
for the templates: formatted numbers, the reasons a figure is hidden, and the charts of
``charts``. It never reads responses, so the one suppression decision of the report data
is the only one (a hidden figure has no number here to leak). The page, the feedback page
and the PDF export all render from this context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tryghed.core import statistics
from tryghed.core.figures import (
    Change,
    Group,
    Hidden,
    InstrumentFigures,
    ItemFigure,
    KeyShare,
    Publication,
    ScaleFigure,
    ScaleMeta,
    shown,
)
from tryghed.core.figures import load as load_publication
from tryghed.core.instruments import DisplayKind, Instrument, Item, Scale
from tryghed.orgs.models import Unit
from tryghed.results import charts, readings
from tryghed.results.readings import Reading
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import measurement_instruments

Audience = Literal["leader", "employee"]
Scope = Literal["unit", "subtree"]
JsonDict = Mapping[str, Any]
# A group's record for one figure: shown, hidden with its reason, or (a group) hidden whole.
Record = ScaleFigure | ItemFigure | KeyShare | Group | Hidden | None

# rwg(j) below this reads as disagreement (statistics.md); above the second, as unity.
AGREEMENT_LOW = 0.70
AGREEMENT_HIGH = 0.90
PROMPT_COUNT = 3
TOPICS_BEHIND = 3
WEAKEST_COUNT = 3
# Harassment and violence first (seed 000, "Der skal være styr på arbejdsmiljøet": with
# offensive behaviour or violence, fix the work environment before building psychological
# safety). A shown key figure over sensitive items only (exposure to offensive behaviour,
# to violence or threats) at or above this share puts that first on the report: at least
# one in five exposed is about twice what Danish surveys find for bullying in a year, and
# far beyond what a team can talk through as a matter of climate. Below it the figure is
# shown in the details as before.
SENSITIVE_ALERT_SHARE = 0.20


# --------------------------------------------------------------------------- view objects


@dataclass(frozen=True)
class ChartView:
    """A chart with its heading and the table that states its numbers."""

    id: str
    heading: str
    chart: charts.Chart
    note: str = ""

    @property
    def svg(self) -> SafeString:
        # The charts module escapes every text it draws and writes no script or style.
        return mark_safe(self.chart.svg)  # noqa: S308

    @property
    def header(self) -> list[str]:
        return self.chart.table[0] if self.chart.table else []

    @property
    def rows(self) -> list[list[str]]:
        return self.chart.table[1:]


@dataclass(frozen=True)
class Cell:
    """One figure in a table: its text, or why it is hidden."""

    text: str = ""
    hidden: str = ""


@dataclass(frozen=True)
class Together:
    """Afdelingens teams samlet: a scale hidden for a unit and everything under it, shown
    instead for the units directly below it put together, from their own shown
    figures (the unit's own respondents not among them). It is a function of figures the
    same leader sees on those units' reports, so it tells nothing new; its n, mean and SD
    are exactly those of the people of the units it names (``statistics.combined_summary``).
    """

    label: str
    value: str  # on the 0–100 reading
    native: str  # the mean on the questionnaire's own scale
    ci: str
    n: str
    units: str  # which units it is made of
    summary: statistics.Summary


@dataclass(frozen=True)
class ScaleRow:
    name: str
    value: Cell
    native: str
    ci: str
    n: str
    agreement: str
    disagrees: bool
    parent: Cell | None
    organisation: Cell | None
    change: str
    change_reading: str  # "real", "indicative", "unchanged" or ""
    together: Together | None = None


@dataclass(frozen=True)
class Headline:
    """The instrument's one number: the main scale's mean with its interval and n."""

    name: str
    value: str
    range: str
    ci: str
    n: str
    agreement: str
    disagrees: bool
    hidden: str
    direction: str
    native: str = ""
    reading: bool = False
    together: Together | None = None


@dataclass(frozen=True)
class NuggetRow:
    """One golden nugget: its band shares and the possible consequence (seed 003)."""

    name: str
    bands: list[tuple[str, str]]
    dominant: str
    consequence: str
    hidden: str


@dataclass(frozen=True)
class CommentView:
    question: str
    texts: list[str]
    hidden: str


@dataclass
class InstrumentView:
    """One instrument of the report, ready for results/_instrument_block.html."""

    id: str
    name: str
    description: str
    screening: bool
    headline: Headline | None = None
    scales: list[ScaleRow] = field(default_factory=list)
    readings: list[ChartView] = field(default_factory=list)
    nuggets: list[NuggetRow] = field(default_factory=list)
    nugget_bands: list[str] = field(default_factory=list)
    topics_behind: list[str] = field(default_factory=list)
    distribution: ChartView | None = None
    profile: ChartView | None = None
    comments: list[CommentView] = field(default_factory=list)
    compared: bool = False
    hidden: str = ""

    @property
    def disagreement(self) -> bool:
        return any(row.disagrees for row in self.scales)


@dataclass(frozen=True)
class AreaRow:
    """One area on the first screen: its one reading (0–100, higher is better), the value
    as published on the instrument's own scale, and the change since last time."""

    name: str
    instrument_id: str
    value: str
    bar: SafeString
    native: str
    direction: str
    change: str
    change_class: str  # "better", "worse", "same" or ""
    change_reading: str  # "real", "indicative", "unchanged" or ""
    hidden: str
    note: str
    reading: Reading | None
    n: str = ""
    group: str = ""  # the questionnaire, when it has several areas (guldkorn, risk5)
    together: Together | None = None


@dataclass(frozen=True)
class KeyFact:
    """A share of people (a key figure) as published, beside its reference if any."""

    text: str
    reference: str
    hidden: str


@dataclass(frozen=True)
class Overview:
    """The first screen of a unit report: where the team stands, what changed, the
    weakest areas, and harassment or violence first when those figures are high."""

    areas: list[AreaRow]
    weakest: list[AreaRow]
    facts: list[KeyFact]
    alerts: list[str]
    compared: bool
    better: list[str]
    worse: list[str]
    threshold: str

    @property
    def nothing_shown(self) -> bool:
        """No area and no share is shown, and no area shows the units below put together:
        the first screen then says so once, with the reasons, instead of a row of the same
        reason for every area (a team hidden to protect a small group elsewhere)."""
        return (
            any(row.hidden for row in self.areas)
            and all((row.hidden or not row.value) and row.together is None for row in self.areas)
            and all(fact.hidden for fact in self.facts)
        )

    @property
    def hidden_reasons(self) -> list[str]:
        """The reasons the areas and shares give for being hidden, each once, in order."""
        reasons = [row.hidden for row in self.areas] + [fact.hidden for fact in self.facts]
        return list(dict.fromkeys(reason for reason in reasons if reason))


# --------------------------------------------------------------------------- words


def hidden_reason(block: object, minimum: int) -> str:
    """Why a figure is hidden, in plain words (privacy.md 2 and 3)."""
    if isinstance(block, Hidden) and block.reason == "complementary":
        return _("Skjult, så en lille gruppe ikke kan regnes ud ved at trække tal fra hinanden")
    return _("For få svar – vises først ved mindst %(minimum)d svar") % {"minimum": minimum}


def agreement_words(rwg: float | None, lang: str) -> tuple[str, bool]:
    """rwg(j) as "enighed i gruppen" in words, and whether the group disagrees."""
    if rwg is None:
        return "", False
    value = charts.format_number(rwg, lang, 2)
    if rwg < AGREEMENT_LOW:
        return (
            _("Svarene peger i forskellige retninger (enighed %(value)s af 1).") % {"value": value},
            True,
        )
    if rwg < AGREEMENT_HIGH:
        return _("Gruppen svarer nogenlunde ens (enighed %(value)s af 1).") % {
            "value": value
        }, False
    return _("Gruppen svarer meget ens (enighed %(value)s af 1).") % {"value": value}, False


def change_words(change: Change, lang: str, polarity: str) -> tuple[str, str]:
    """The change since the previous measurement and its reading (statistics.md)."""
    difference = float(change.difference or 0.0)
    amount = charts.format_number(abs(difference), lang, 1)
    low, high = (
        charts.format_number(float(v), lang, 1) if v is not None else ""
        for v in (change.ci95 or (None, None))
    )
    if round(difference, 1) == 0:
        moved = _("Uændret")
    elif difference > 0:
        moved = _("Steget %(amount)s") % {"amount": amount}
    else:
        moved = _("Faldet %(amount)s") % {"amount": amount}
    interval = _("95 %% sikkerhedsinterval %(low)s til %(high)s") % {"low": low, "high": high}
    if change.zero_variance:
        # Everyone in the group gave the same score in each wave: no interval to show.
        same = _("Alle i gruppen har samme score i hver måling")
        if change.reading == "unchanged":
            text = f"{_('Uændret')}. {same}."
        else:
            words = (
                _("Sikker ændring")
                if change.reading == "real"
                else _("Vejledende – kan skyldes tilfældigheder")
            )
            text = f"{moved}. {same}. {words}."
        if polarity == "lower_better":
            text += " " + _("Her er lavere bedre.")
        return text, change.reading
    if change.reading == "real":
        reading = _("Sikker ændring")
    else:
        reading = _("Vejledende – kan skyldes tilfældigheder")
    text = f"{moved} ({interval}). {reading}."
    if polarity == "lower_better":
        text += " " + _("Her er lavere bedre.")
    return text, change.reading


def _fmt(value: float | None, lang: str, decimals: int = 1) -> str:
    return "" if value is None else charts.format_number(value, lang, decimals)


def _n(n: int, lang: str) -> str:
    return charts.format_number(n, lang, 0)


def _ci(ci95: Sequence[float | None] | None, lang: str) -> str:
    if not ci95 or ci95[0] is None or ci95[1] is None:
        return ""
    return f"{_fmt(ci95[0], lang)}–{_fmt(ci95[1], lang)}"


def _direction(polarity: str) -> str:
    if polarity == "lower_better":
        return _("Lavere er bedre.")
    if polarity == "higher_better":
        return _("Højere er bedre.")
    return ""


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class ReportUnit:
    """The reported unit as it stood when the measurement closed (its name from the frozen
    tree): a later rename or move changes nothing in the report."""

    pk: int
    name: str


@dataclass(frozen=True)
class UnitBelow:
    """A unit directly below the reported one that the reader may open, with its group
    for it and everything under it (for a unit without children the publication keys its
    own respondents there: the same people)."""

    name: str
    group: Group | Hidden


@dataclass
class _Builder:
    data: Publication
    measurement: Measurement
    unit: ReportUnit
    scope: Scope
    audience: Audience
    lang: str
    instruments: dict[str, Instrument]
    parent_name: str | None
    group: Group | Hidden
    parent: Group | Hidden | None
    organisation: Group | Hidden
    below: Sequence[UnitBelow] = ()

    @property
    def leader(self) -> bool:
        return self.audience == "leader"

    def minimum(self, instrument_id: str, kind: str, key: str) -> int:
        meta = self.data.instruments[instrument_id]
        if kind == "scales":
            return int(meta.scales[key].minimum)
        if kind == "items":
            return int(meta.items[key].minimum)
        return int(meta.key_figures[key].minimum)

    def scale_meta(self, instrument_id: str, scale_id: str) -> ScaleMeta:
        return self.data.instruments[instrument_id].scales[scale_id]

    def group_hidden(self) -> str:
        return hidden_reason(self.group, int(self.data.minimums.score))

    def figures(self, g: Group | Hidden | None, instrument_id: str) -> InstrumentFigures | None:
        if g is None or isinstance(g, Hidden):
            return None
        return g.instrument(instrument_id)

    # ----------------------------------------------------------------- per instrument

    def instrument(self, instrument: Instrument) -> InstrumentView:
        iid = instrument.id
        meta = self.data.instruments[iid]
        view = InstrumentView(
            id=iid,
            name=instrument.name.get(self.lang),
            description=instrument.description.get(self.lang),
            screening=instrument.authored_by == "project",
            compared=meta.compared_with is not None,
        )
        figures = self.figures(self.group, iid)
        if figures is None:
            view.hidden = self.group_hidden()
            return view
        shown_as = DISPLAYS[instrument.shown_as.kind]
        scales = [s for s in instrument.scales if s.id in meta.scales]
        if len(scales) == 1 and shown_as.headline:
            view.headline = self.headline(iid, scales[0], figures)
        view.scales = [self.scale_row(iid, s, figures) for s in scales if s.polarity != "bipolar"]
        view.readings = self.readings(instrument, figures)
        if shown_as.extend is not None:
            shown_as.extend(self, view, instrument, figures)
        if shown_as.distribution and scales:
            view.distribution = self.distribution(instrument, scales[0], figures)
        view.profile = self.profile(instrument, figures)
        view.comments = self.comments(instrument)
        return view

    def headline(self, iid: str, scale: Scale, figures: InstrumentFigures) -> Headline:
        block = figures.scales[scale.id]
        name = scale.name.get(self.lang)
        span = f"{_fmt(scale.score.min, self.lang, 0)}–{_fmt(scale.score.max, self.lang, 0)}"
        if isinstance(block, Hidden):
            return Headline(
                name,
                "",
                span,
                "",
                "",
                "",
                False,
                self.scale_hidden(iid, scale, block),
                "",
                together=self.together(iid, scale),
            )
        agreement, disagrees = agreement_words(block.rwg_j, self.lang)
        found = readings.scale_reading(self.scale_meta(iid, scale.id), block)
        on_reading = found is not None and found.value is not None
        return Headline(
            name=name,
            value=found.text(self.lang) if found and on_reading else _fmt(block.mean, self.lang),
            range=span,
            ci=_ci(block.ci95, self.lang),
            n=_n(block.n, self.lang),
            agreement=agreement,
            disagrees=disagrees,
            hidden="",
            direction=found.direction() if found else _direction(scale.polarity),
            native=(
                found.native_text(self.lang)
                if found and on_reading and not found.same_as_native
                else ""
            ),
            reading=on_reading,
        )

    def scale_hidden(self, iid: str, scale: Scale, block: Record) -> str:
        return hidden_reason(block, self.minimum(iid, "scales", scale.id))

    def scale_cell(self, g: Group | Hidden | None, iid: str, scale: Scale) -> Cell:
        figures = self.figures(g, iid)
        if figures is None:
            return Cell(hidden=hidden_reason(g, int(self.data.minimums.score)))
        block = figures.scales[scale.id]
        if isinstance(block, Hidden):
            return Cell(hidden=self.scale_hidden(iid, scale, block))
        return Cell(text=self.reading_text(iid, scale, block))

    def reading_text(self, iid: str, scale: Scale, block: ScaleFigure) -> str:
        """A shown mean on the 0–100 reading; the mean itself where the scale has no
        better end (a need scale)."""
        found = readings.scale_reading(self.scale_meta(iid, scale.id), block)
        if found is None or found.value is None:
            return _fmt(block.mean, self.lang)
        return found.text(self.lang)

    def scale_row(self, iid: str, scale: Scale, figures: InstrumentFigures) -> ScaleRow:
        block = figures.scales[scale.id]
        parent: Cell | None = None
        organisation: Cell | None = None
        if self.leader:
            if self.parent is not None:
                parent = self.scale_cell(self.parent, iid, scale)
            organisation = self.scale_cell(self.organisation, iid, scale)
        if isinstance(block, Hidden):
            return ScaleRow(
                scale.name.get(self.lang),
                Cell(hidden=self.scale_hidden(iid, scale, block)),
                "",
                "",
                "",
                "",
                False,
                parent,
                organisation,
                "",
                "",
                self.together(iid, scale),
            )
        agreement, disagrees = agreement_words(block.rwg_j, self.lang)
        change, reading = "", ""
        found = readings.scale_reading(self.scale_meta(iid, scale.id), block)
        if block.change is not None:
            change, reading = change_words(block.change, self.lang, scale.polarity)
            if found is not None and found.value is not None:
                on_reading, _class = self.change_on_reading(block.change, found)
                change = _(
                    "%(reading)s på aflæsningen 0–100. På spørgeskemaets skala: %(native)s"
                ) % {
                    "reading": on_reading,
                    "native": change,
                }
        return ScaleRow(
            name=scale.name.get(self.lang),
            value=Cell(text=self.reading_text(iid, scale, block)),
            native=(
                _fmt(block.mean, self.lang)
                + " ("
                + f"{_fmt(scale.score.min, self.lang, 0)}–{_fmt(scale.score.max, self.lang, 0)}"
                + ")"
            ),
            ci=_ci(block.ci95, self.lang),
            n=_n(block.n, self.lang),
            agreement=agreement,
            disagrees=disagrees,
            parent=parent,
            organisation=organisation,
            change=change,
            change_reading=reading,
        )

    def together(self, iid: str, scale: Scale) -> Together | None:
        """The units directly below put together, for a scale hidden on a leader's report
        of the unit and everything under it (call it where the figure is hidden): from at
        least two of them shown for the scale, with at least the scale's minimum in all.

        Only a mean of person scores adds up this way: a pooled scale's mean is weighted
        by answers, not people (vz-maturity), and a need or bipolar scale reads as shares
        of bands, which the shown figures cannot combine."""
        if not self.leader or self.scope != "subtree" or len(self.below) < 2:
            return None
        if scale.aggregate != "persons" or scale.polarity not in readings.RANKED_POLARITIES:
            return None
        meta = self.scale_meta(iid, scale.id)
        parts: list[tuple[int, float, float]] = []
        names: list[str] = []
        for unit in self.below:
            block = (
                shown(unit.group.scale(iid, scale.id)) if isinstance(unit.group, Group) else None
            )
            if block is None or block.mean is None or block.sd is None:
                continue
            parts.append((int(block.n), float(block.mean), float(block.sd)))
            names.append(unit.name)
        if len(parts) < 2 or sum(n for n, _mean, _sd in parts) < int(meta.minimum):
            return None
        summary = statistics.combined_summary(parts)
        low, high = meta.score or (None, None)
        # As the scoring engine does: rounding noise on identical scores is no spread.
        if (
            low is not None
            and high is not None
            and summary.sd is not None
            and summary.sd < statistics.zero_sd_below(float(high) - float(low))
        ):
            mean = float(summary.mean or 0.0)
            summary = statistics.Summary(summary.n, mean, 0.0, (mean, mean))
        figure = ScaleFigure(summary.n, summary.mean, summary.sd, summary.ci95, None, ())
        found = readings.scale_reading(meta, figure)
        total = len(self.data.units[str(self.unit.pk)].children)
        listed = _names(names)
        if len(names) < total:
            units = _("Bygger på %(count)d af %(total)d enheder: %(names)s.") % {
                "count": len(names),
                "total": total,
                "names": listed,
            }
        elif total == 2:
            units = _("Bygger på begge enheder: %(names)s.") % {"names": listed}
        else:
            units = _("Bygger på alle %(total)d enheder: %(names)s.") % {
                "total": total,
                "names": listed,
            }
        return Together(
            label=_("Enhederne under denne samlet (enhedens egne svar indgår ikke)"),
            value=found.text(self.lang) if found is not None else "",
            native=(
                ""
                if found is not None and found.same_as_native
                else found.native_text(self.lang)
                if found is not None
                else _fmt(summary.mean, self.lang)
            ),
            ci=_ci(summary.ci95, self.lang),
            n=_n(summary.n, self.lang),
            units=units,
            summary=summary,
        )

    # ----------------------------------------------------------------- readings

    def readings(self, instrument: Instrument, figures: InstrumentFigures) -> list[ChartView]:
        out: list[ChartView] = []
        iid = instrument.id
        declared = instrument.shown_as.note
        note = declared.get(self.lang) if declared is not None else ""
        for figure in instrument.key_figures:
            block = figures.key_figure(figure.id)
            if block is None:
                continue
            label = figure.label.get(self.lang)
            hidden = self.key_hidden(iid, figure.id, block) if isinstance(block, Hidden) else ""
            value = shown(block)
            reference = figure.reference.value if figure.reference else None
            reference_label = (
                figure.reference.label.get(self.lang)
                if figure.reference and figure.reference.label
                else None
            )
            chart = charts.key_figure_chart(
                share=None if value is None or value.share is None else float(value.share),
                label=label,
                lang=self.lang,
                id_prefix=f"kf-{iid}-{figure.id}",
                reference=None if figure.reference_range else reference,
                reference_range=figure.reference_range,
                reference_label=reference_label,
                n=None if value is None else int(value.n),
                hidden_text=hidden or None,
            )
            out.append(ChartView(f"kf-{iid}-{figure.id}", label, chart, note))
        return out

    def key_hidden(self, iid: str, figure_id: str, block: Record) -> str:
        return hidden_reason(block, self.minimum(iid, "key_figures", figure_id))

    def support(self, instrument: Instrument, figures: InstrumentFigures) -> ChartView:
        rows: list[charts.SupportRow] = []
        notes: list[str] = []
        meta = self.data.instruments[instrument.id].scales
        for scale in instrument.scales:
            block = figures.scale(scale.id)
            if block is None:
                continue
            label = scale.name.get(self.lang)
            if isinstance(block, Hidden):
                rows.append(charts.SupportRow(label, None))
                notes.append(f"{label}: {self.scale_hidden(instrument.id, scale, block)}")
                continue
            order = meta[scale.id].bands
            bands = block.bands or {}
            shares = tuple(float(bands.get(b) or 0.0) for b in order)
            three = (*shares, 0.0, 0.0, 0.0)[:3]
            rows.append(charts.SupportRow(label, (three[0], three[1], three[2]), block.mean))
        chart = charts.support_needs_chart(
            rows=rows, lang=self.lang, id_prefix=f"support-{instrument.id}"
        )
        return ChartView(
            f"support-{instrument.id}",
            _("Behov for støtte"),
            chart,
            " ".join(notes)
            or _(
                "Ikke en skala, hvor mere er bedre: 1–3 betyder »vil have mindre«, 4–7 »det er "
                "fint« og 8–10 »har brug for mere«."
            ),
        )

    def staircase(self, instrument: Instrument, figures: InstrumentFigures) -> ChartView:
        scale = instrument.main_scale
        assert scale is not None
        block = figures.scales[scale.id]
        names = [level.label.get(self.lang) for level in scale.levels] or None
        hidden = self.scale_hidden(instrument.id, scale, block) if isinstance(block, Hidden) else ""
        value = shown(block)
        chart = charts.maturity_staircase(
            score=None if value is None or value.mean is None else float(value.mean),
            ci95=None if value is None else _pair(value.ci95),
            n=None if value is None else int(value.n),
            levels=names,
            lang=self.lang,
            id_prefix=f"stairs-{instrument.id}",
            hidden_text=hidden or None,
        )
        return ChartView(f"stairs-{instrument.id}", _("Modenhedstrappen"), chart)

    def topics_behind(self, instrument: Instrument, figures: InstrumentFigures) -> list[str]:
        topics = [
            (float(block.mean_points), instrument.item(int(item_id.rsplit(".", 1)[1])))
            for item_id, block in figures.items.items()
            if isinstance(block, ItemFigure) and block.mean_points is not None
        ]
        topics.sort(key=lambda pair: pair[0])
        # Out of the item's highest points: 5 on vz-maturity, another top on an uploaded one.
        return [
            _("%(topic)s (%(score)s af %(top)s)")
            % {
                "topic": item.text.get(self.lang),
                "score": _fmt(score, self.lang),
                "top": _fmt(item.points_range.max if item.points_range else None, self.lang, 0),
            }
            for score, item in topics[:TOPICS_BEHIND]
        ]

    def nuggets(
        self, view: InstrumentView, instrument: Instrument, figures: InstrumentFigures
    ) -> None:
        meta = self.data.instruments[instrument.id].scales
        for scale in instrument.scales:
            block = figures.scale(scale.id)
            if block is None:
                continue
            band_names = {b.id: b.label.get(self.lang) for b in scale.bands}
            consequences = {key: text.get(self.lang) for key, text in scale.consequences}
            if isinstance(block, Hidden):
                view.nuggets.append(
                    NuggetRow(
                        scale.name.get(self.lang),
                        [],
                        "",
                        "",
                        self.scale_hidden(instrument.id, scale, block),
                    )
                )
                continue
            shares = block.bands or {}
            bands = [
                (
                    band_names.get(b, b),
                    charts.format_percent(shares.get(b) or 0.0, self.lang, 0),
                )
                for b in meta[scale.id].bands
            ]
            dominant = str(block.dominant_band or "")
            consequence = consequences.get(str(block.consequence or ""), "")
            view.nuggets.append(
                NuggetRow(
                    scale.name.get(self.lang),
                    bands,
                    band_names.get(dominant, ""),
                    consequence,
                    "",
                )
            )

    # ----------------------------------------------------------------- charts

    def distribution(
        self, instrument: Instrument, scale: Scale, figures: InstrumentFigures
    ) -> ChartView | None:
        iid = instrument.id
        block = figures.scales[scale.id]
        prefix = f"dist-{iid}"
        heading = _("Sådan fordeler svarene sig")
        if len(scale.items) == 1:
            item = instrument.item(scale.items[0])
            item_block = figures.item(item.id)
            if item_block is None:
                return None
            labels = [
                o.label.get(self.lang) if o.label else _fmt(o.code, self.lang, 0)
                for o in item.options
            ]
            hidden = (
                hidden_reason(item_block, self.minimum(iid, "items", item.id))
                if isinstance(item_block, Hidden)
                else ""
            )
            counts = None if isinstance(item_block, Hidden) else [int(c) for c in item_block.counts]
            chart = charts.distribution_chart(
                labels=labels,
                counts=counts,
                lang=self.lang,
                id_prefix=prefix,
                category_name=_("Svar"),
                title=item.text.get(self.lang),
                hidden_text=hidden or None,
            )
            return ChartView(prefix, heading, chart)
        edges = self.scale_meta(iid, scale.id).bin_edges
        # Whole edges read as "0–7"; fractional ones (1.4, 1.8 …) keep one decimal.
        decimals = 0 if all(abs(e - round(e)) < 1e-9 for e in edges) else 1
        labels = [
            f"{_fmt(edges[k], self.lang, decimals)}–{_fmt(edges[k + 1], self.lang, decimals)}"
            for k in range(len(edges) - 1)
        ]
        hidden = self.scale_hidden(iid, scale, block) if isinstance(block, Hidden) else ""
        chart = charts.distribution_chart(
            labels=labels,
            counts=None if isinstance(block, Hidden) else [int(c) for c in block.bins],
            lang=self.lang,
            id_prefix=prefix,
            category_name=_("Score"),
            title=_("Fordeling af scoren for %(scale)s") % {"scale": scale.name.get(self.lang)},
            hidden_text=hidden or None,
        )
        return ChartView(prefix, heading, chart)

    def profile(self, instrument: Instrument, figures: InstrumentFigures) -> ChartView | None:
        iid = instrument.id
        # Bipolar (Krav) and need items have their own readings; "higher is better" would
        # mislead there.
        polarity = _item_polarities(instrument)
        items = [
            item
            for item in instrument.items
            if item.id in figures.items
            and _points_range(item) is not None
            and polarity.get(item.number) in ("higher_better", "lower_better")
        ]
        if len(items) < 2:
            return None
        comparisons: list[tuple[str, InstrumentFigures | None]] = []
        if self.leader:
            if self.parent is not None and self.parent_name:
                comparisons.append((self.parent_name, self.figures(self.parent, iid)))
            comparisons.append((_("Hele organisationen"), self.figures(self.organisation, iid)))

        def on_reading(item: Item, mean_points: float | None) -> float | None:
            found = readings.item_reading(item, mean_points, polarity[item.number])
            return None if found is None else found.value

        rows = []
        reversed_items = False
        for item in items:
            value = _item_mean(figures, item.id)
            others = tuple(on_reading(item, _item_mean(f, item.id)) for _name, f in comparisons)
            label = item.text.get(self.lang)
            if item.reverse:
                reversed_items = True
                label = _("%(statement)s (negativt formuleret: høj score = uenig)") % {
                    "statement": label
                }
            rows.append(
                charts.ProfileRow(
                    label, on_reading(item, None if value is None else float(value)), others
                )
            )
        # Named by its questionnaire: every questionnaire has one, and a screen reader's
        # list of headings or toggles must tell them apart.
        heading = _("Spørgsmål for spørgsmål – %(instrument)s") % {
            "instrument": instrument.name.get(self.lang)
        }
        chart = charts.item_profile_chart(
            rows=rows,
            scale_min=0,
            scale_max=100,
            lang=self.lang,
            id_prefix=f"profile-{iid}",
            series_name=self.unit.name,
            comparison_names=[name for name, _f in comparisons],
            title=heading,
            decimals=0,
        )
        note = _("Hvert spørgsmål på aflæsningen 0–100, hvor højere er bedre.")
        if any(polarity.get(i.number) == "lower_better" for i in items):
            note += " " + _("Spørgsmål, hvor færre eller sjældnere er bedre, er vendt.")
        if reversed_items:
            note += " " + _(
                "Ved negativt formulerede udsagn betyder en høj score, at I er uenige i "
                "udsagnet – og det er det gode."
            )
        return ChartView(f"profile-{iid}", heading, chart, note)

    def comments(self, instrument: Instrument) -> list[CommentView]:
        out: list[CommentView] = []
        minimum = int(self.data.minimums.comment)
        comments = self.group.comments if isinstance(self.group, Group) else {}
        for item_id in self.data.instruments[instrument.id].texts:
            block = comments.get(item_id)
            if block is None:
                continue
            item = instrument.item(int(item_id.rsplit(".", 1)[1]))
            texts = self.data.comment_texts(block)
            if isinstance(block, Hidden) and not self.leader:
                continue  # the feedback page shows only what is shown in the report data
            hidden = hidden_reason(block, minimum) if isinstance(block, Hidden) else ""
            out.append(CommentView(item.text.get(self.lang), texts, hidden))
        return out

    # ----------------------------------------------------------------- whole report

    def zone(self) -> ChartView | None:
        zones = next((i.zones for i in self.instruments.values() if i.zones is not None), None)
        if zones is None or not any(s in self.instruments for s in zones.safety):
            return None
        placed = self.group.zone if isinstance(self.group, Group) else None
        hidden = ""
        if placed is None:
            hidden = self.zone_hidden(zones.safety, zones.focus)
        chart = charts.zone_chart(
            safety=None if placed is None else float(placed.safety),
            safety_ci95=None if placed is None else _pair(placed.safety_ci95),
            focus=None if placed is None else float(placed.focus),
            focus_ci95=None if placed is None else _pair(placed.focus_ci95),
            split=float(zones.split) if placed is None else float(placed.split),
            lang=self.lang,
            id_prefix="zones",
            unit_label=self.unit.name,
            hidden_text=hidden or None,
        )
        note = _(
            # xgettext:no-python-format
            "Punktet er jeres placering; stregerne viser usikkerheden (95 % "
            "sikkerhedsinterval). Krydser en streg midterlinjen, er zonen usikker."
        )
        return ChartView("zones", _("De fire zoner"), chart, note)

    def zone_hidden(self, safety_ids: Sequence[str], focus_id: str) -> str:
        if isinstance(self.group, Hidden):
            return self.group_hidden()
        for iid in (*safety_ids, focus_id):
            if iid not in self.instruments:
                continue
            instrument = self.instruments[iid]
            main = instrument.main_scale
            block = self.group.scale(iid, main.id) if main else None
            if isinstance(block, Hidden):
                return hidden_reason(block, self.minimum(iid, "scales", main.id if main else ""))
        return _("Zonen kan ikke beregnes for denne gruppe.")

    # ----------------------------------------------------------------- first screen

    def overview(self) -> Overview:
        areas: list[AreaRow] = []
        facts: list[KeyFact] = []
        alerts: list[str] = []
        compared = False
        for iid, instrument in self.instruments.items():
            meta = self.data.instrument(iid)
            if meta is None:
                continue
            compared = compared or meta.compared_with is not None
            figures = self.figures(self.group, iid)
            scales = _overview_scales(instrument)
            for scale in scales:
                row = self.area(instrument, scale, meta.scales[scale.id], figures)
                if len(scales) > 1:
                    row = replace(row, group=instrument.name.get(self.lang))
                areas.append(row)
            for figure in instrument.key_figures:
                block = figures.key_figure(figure.id) if figures else None
                if block is None:
                    continue
                label = figure.label.get(self.lang)
                if isinstance(block, Hidden):
                    hidden = self.key_hidden(iid, figure.id, block)
                    facts.append(KeyFact(label, "", hidden))
                    continue
                share = float(block.share) if block.share is not None else float("nan")
                shown = charts.format_percent(share, self.lang, 0)
                text = _("%(share)s: %(label)s") % {"share": shown, "label": label}
                facts.append(KeyFact(text, self.reference_words(figure), ""))
                sensitive = all(instrument.item(n).sensitive for n in figure.items)
                if sensitive and share >= SENSITIVE_ALERT_SHARE:
                    alerts.append(text)
        weakest = readings.weakest(areas, lambda row: row.reading, WEAKEST_COUNT)
        better = [
            a.name for a in areas if a.change_reading == "real" and a.change_class == "better"
        ]
        worse = [a.name for a in areas if a.change_reading == "real" and a.change_class == "worse"]
        threshold = charts.format_percent(SENSITIVE_ALERT_SHARE, self.lang, 0)
        return Overview(areas, weakest, facts, alerts, compared, better, worse, threshold)

    def reference_words(self, figure: Any) -> str:
        if figure.reference_range:
            low, high = figure.reference_range
            return _("Forskning: %(low)s–%(high)s") % {
                "low": charts.format_number(low * 100, self.lang, 0),
                "high": charts.format_percent(high, self.lang, 0),
            }
        if figure.reference and figure.reference.value is not None:
            return _("Landsplan: %(value)s") % {
                "value": charts.format_percent(figure.reference.value, self.lang, 1)
            }
        return ""

    def area(
        self,
        instrument: Instrument,
        scale: Scale,
        meta: ScaleMeta,
        figures: InstrumentFigures | None,
    ) -> AreaRow:
        name = scale.name.get(self.lang)
        if scale.polarity not in readings.RANKED_POLARITIES:
            name = instrument.name.get(self.lang)  # one row for a set of need scales
        if figures is None:
            hidden = self.group_hidden()
            return AreaRow(
                name, instrument.id, "", _bar(None), "", "", "", "", "", hidden, "", None
            )
        block = figures.scales[scale.id]
        if isinstance(block, Hidden):
            hidden = self.scale_hidden(instrument.id, scale, block)
            return AreaRow(
                name,
                instrument.id,
                "",
                _bar(None),
                "",
                "",
                "",
                "",
                "",
                hidden,
                "",
                None,
                together=self.together(instrument.id, scale),
            )
        found = readings.scale_reading(meta, block)
        native = ""
        direction = ""
        if found is not None:
            direction = found.direction()
            if not found.same_as_native:
                native = found.native_text(self.lang)
                if found.flipped:
                    native += " · " + readings.direction_words(scale.polarity, reading=False)
        change, change_class, change_reading = "", "", ""
        if block.change is not None and found is not None:
            change, change_class = self.change_on_reading(block.change, found)
            change_reading = block.change.reading
        note = ""
        if found is not None and found.value is None:
            note = _("Viser behov – indgår ikke, når områderne sammenlignes.")
        return AreaRow(
            name=name,
            instrument_id=instrument.id,
            value=found.text(self.lang) if found is not None else "",
            bar=_bar(found.value if found is not None else None),
            native=native,
            direction=direction,
            change=change,
            change_class=change_class,
            change_reading=change_reading,
            hidden="",
            note=note,
            reading=found,
            n=_n(int(block.n), self.lang),
        )

    def change_on_reading(self, change: Change, found: Reading) -> tuple[str, str]:
        """The published change in points on the reading (a linear re-expression)."""
        if found.value is None:
            return "", ""
        step = 100.0 / (found.high - found.low)
        points = float(change.difference or 0.0) * step * (-1 if found.flipped else 1)
        amount = charts.format_number(abs(points), self.lang, 0)
        sure = _("sikker ændring") if change.reading == "real" else _("kan skyldes tilfældigheder")
        if change.reading == "unchanged" or round(points) == 0:
            return _("Uændret"), "same"
        if points > 0:
            return _("%(amount)s point bedre (%(sure)s)") % {
                "amount": amount,
                "sure": sure,
            }, "better"
        return _("%(amount)s point dårligere (%(sure)s)") % {
            "amount": amount,
            "sure": sure,
        }, "worse"

    def prompts(self) -> list[str]:
        """Discussion prompts from the weakest shown higher-is-better items (relative to
        their range; points are reverse-keyed already, so a low one is a weak answer)."""
        if isinstance(self.group, Hidden):
            return []
        candidates: list[tuple[float, Item]] = []
        for iid, instrument in self.instruments.items():
            figures = self.group.instrument(iid)
            if figures is None:
                continue
            polarity = _item_polarities(instrument)
            for item in instrument.items:
                mean_points = _item_mean(figures, item.id)
                points = _points_range(item)
                if (
                    mean_points is None
                    or points is None
                    or item.sensitive
                    # The prompts speak of statements; frequencies and needs read otherwise.
                    or polarity.get(item.number) != "higher_better"
                ):
                    continue
                position = (mean_points - points[0]) / (points[1] - points[0])
                candidates.append((position, item))
        candidates.sort(key=lambda pair: pair[0])
        templates = (
            _(
                "»%(item)s« Hvad ligger der bag jeres svar her, og hvad kunne I prøve allerede i næste uge?"
            ),
            _(
                "»%(item)s« Kan I give et eksempel på en situation, hvor det gik godt – og en, hvor det ikke gjorde?"
            ),
            _("»%(item)s« Hvad skal der til, før I ville svare anderledes om et halvt år?"),
        )
        return [
            template % {"item": item.text.get(self.lang)}
            for template, (_position, item) in zip(
                templates, candidates[:PROMPT_COUNT], strict=False
            )
        ]


# --------------------------------------------------------------------------- display registry


@dataclass(frozen=True)
class DisplayPresenter:
    """What one display kind (``display: kind`` in the instrument file) shows in the block:
    the one-number headline, the distribution of the main scale, and its own charts."""

    headline: bool = True
    distribution: bool = True
    extend: Callable[[_Builder, InstrumentView, Instrument, InstrumentFigures], None] | None = None


def _staircase(
    b: _Builder, view: InstrumentView, instrument: Instrument, f: InstrumentFigures
) -> None:
    view.readings.append(b.staircase(instrument, f))
    view.topics_behind = b.topics_behind(instrument, f)


def _support(
    b: _Builder, view: InstrumentView, instrument: Instrument, f: InstrumentFigures
) -> None:
    view.readings.append(b.support(instrument, f))


def _nuggets(
    b: _Builder, view: InstrumentView, instrument: Instrument, f: InstrumentFigures
) -> None:
    b.nuggets(view, instrument, f)


DISPLAYS: Mapping[DisplayKind, DisplayPresenter] = {
    "default": DisplayPresenter(),
    # The key figures carry the reading; the main scale is not repeated as a headline.
    "key_figure_reading": DisplayPresenter(headline=False),
    "staircase": DisplayPresenter(extend=_staircase),
    # Need scales: the chart shows the three bands; a distribution would read as a score.
    "support_chart": DisplayPresenter(distribution=False, extend=_support),
    "nuggets": DisplayPresenter(distribution=False, extend=_nuggets),
}


def _overview_scales(instrument: Instrument) -> list[Scale]:
    """The scales an instrument shows on the first screen: every scale, except those that
    only break the main scale down (vz-maturity's topics) and bipolar ones (guldkorn's
    demands: neither end is better); a set of need scales is one row."""
    main = instrument.main_scale
    if main is None:
        return []
    scored = {item.number for item in instrument.items if item.scored}
    if set(main.items) >= scored:
        return [main] if main.polarity != "bipolar" else []
    directed = [s for s in instrument.scales if s.polarity in readings.RANKED_POLARITIES]
    if not directed and main.polarity == "need":
        return [main]  # support4: one row saying it shows needs, details below
    return directed


def _names(names: Sequence[str]) -> str:
    """The names as "A, B og C"."""
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s og %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _bar(value: float | None) -> SafeString:
    # The charts module escapes what it draws; the bar carries no text of its own.
    return mark_safe(charts.reading_bar(value))  # noqa: S308


def _pair(values: Sequence[float | None] | None) -> tuple[float, float] | None:
    if not values or values[0] is None or values[1] is None:
        return None
    return float(values[0]), float(values[1])


def _points_range(item: Item) -> tuple[float, float] | None:
    points = [p for o in item.options for p in (o.points, o.points_reversed) if p is not None]
    if item.type != "choice" or not points or min(points) == max(points):
        return None
    return min(points), max(points)


def _item_polarities(instrument: Instrument) -> dict[int, str]:
    out: dict[int, str] = {}
    for scale in instrument.scales:
        for number in scale.items:
            out.setdefault(number, scale.polarity)
    return out


def _item_mean(figures: InstrumentFigures | None, item_id: str) -> float | None:
    block = shown(figures.item(item_id)) if figures is not None else None
    if block is None or block.mean_points is None:
        return None
    return float(block.mean_points)


def hides_a_scale(group: Group | Hidden) -> bool:
    """Whether a shown group hides one of its scales: where a leader's subtree report may
    show the units below put together (``below`` of :func:`unit_report_context`)."""
    if isinstance(group, Hidden):
        return False
    return any(
        isinstance(block, Hidden)
        for figures in group.instruments.values()
        for block in figures.scales.values()
    )


def unit_report_context(
    *,
    data: Publication | JsonDict,
    measurement: Measurement,
    unit: Unit,
    scope: Scope,
    lang: str,
    audience: Audience = "leader",
    details: bool = False,
    below: Sequence[UnitBelow] = (),
) -> dict[str, Any]:
    """Everything a unit report or feedback page shows for one group of the report data.

    ``data`` is ``aggregates.publication(measurement)`` (the stored JSON is loaded into it,
    for callers that still hand that); the unit must be in it. The
    leader audience adds the comparison with the parent unit and the organisation,
    agreement, change and hidden free-text blocks (with their reason); the employee
    audience shows only what the unit's own group shows. ``details`` asks the print
    version for every instrument's details (per question, distributions, agreement);
    without it the PDF holds the first screen only. ``below``: the units directly below
    that the reader may open, with their subtree groups (:class:`UnitBelow`); where the
    leader's subtree report hides a scale, they are shown put together (:class:`Together`).
    """
    lang = "en" if lang.lower().startswith("en") else "da"
    if not isinstance(data, Publication):
        data = load_publication(data)
    entry = data.units[str(unit.pk)]
    has_children = bool(entry.children)
    if not has_children:
        scope = "unit"
    parent_id = entry.parent
    parent_unit = Unit.objects.filter(pk=parent_id).first() if parent_id is not None else None
    parent_name = (
        data.unit_name(parent_id, parent_unit.name if parent_unit else "") or None
        if parent_id is not None
        else None
    )
    reported = ReportUnit(pk=unit.pk, name=data.unit_name(unit.pk, unit.name))
    builder = _Builder(
        data=data,
        measurement=measurement,
        unit=reported,
        scope=scope,
        audience=audience,
        lang=lang,
        instruments={i.id: i for i in measurement_instruments(measurement)},
        parent_name=parent_name,
        group=data.group(unit.pk, scope),
        # Only a leader's page compares with the parent unit.
        parent=data.group(parent_id, "subtree")
        if parent_id is not None and audience == "leader"
        else None,
        organisation=data.group(None),
        below=below,
    )
    instruments = [
        builder.instrument(i) for i in builder.instruments.values() if i.id in data.instruments
    ]
    hidden = builder.group_hidden() if isinstance(builder.group, Hidden) else ""
    return {
        "measurement": measurement,
        "unit": reported,
        "scope": scope,
        "has_children": has_children,
        "audience": audience,
        "parent_name": builder.parent_name if audience == "leader" else None,
        "minimums": data.minimums,
        "group_hidden": hidden,
        "zone": None if hidden else builder.zone(),
        "instruments": instruments,
        "prompts": builder.prompts() if audience == "leader" else [],
        "overview": None if hidden else builder.overview(),
        "details": details,
        "has_change": any(i.compared for i in instruments),
        "children_ids": [int(c) for c in entry.children],
        "scope_label": (
            pgettext("report scope", "enheden og alt under den")
            if scope == "subtree"
            else pgettext("report scope", "kun enhedens egne svar")
        ),
    }
