"""The typed publication (``core.figures``) and measurements as the API's schemas.

Hidden records become ``HiddenOut`` (the reason and its words as the page says them),
never a record with values; comments become their count (the texts stay on the page).
"""

from __future__ import annotations

from django.utils.translation import get_language

from tryghed.api import schemas
from tryghed.api.selectors import Record, Slice
from tryghed.core import figures
from tryghed.core.figures import Hidden
from tryghed.core.instruments import Instrument
from tryghed.orgs.models import Unit
from tryghed.results.presenters import hidden_reason
from tryghed.results.shown_counts import slot_of
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import measurement_instruments


def measurement_out(measurement: Measurement) -> schemas.MeasurementOut:
    lang = get_language() or "da"
    return schemas.MeasurementOut(
        id=measurement.pk,
        name=measurement.name,
        status=measurement.status,
        status_label=str(Status(measurement.status).label),
        opens_on=measurement.opens_on,
        closes_on=measurement.closes_on,
        closed_at=measurement.closed_at,
        instruments=[
            schemas.InstrumentRef(id=i.id, name=i.name.get(lang), version=i.version)
            for i in measurement_instruments(measurement)
        ],
        previous=measurement.previous_id,
    )


def hidden_out(block: Hidden, minimum: int) -> schemas.HiddenOut:
    reason: schemas.HiddenReason = (
        "complementary" if block.reason == "complementary" else "below_minimum"
    )
    return schemas.HiddenOut(hidden=True, reason=reason, reason_text=hidden_reason(block, minimum))


def _pair(value: figures.Pair | None) -> schemas.Pair | None:
    return None if value is None else (value[0], value[1])


def _change(change: figures.Change | None) -> schemas.ChangeOut | None:
    if change is None:
        return None
    return schemas.ChangeOut(
        previous=change.previous,
        n_before=change.n_before,
        mean_before=change.mean_before,
        difference=change.difference,
        ci95=_pair(change.ci95),
        t=change.t,
        df=change.df,
        p=change.p,
        hedges_g=change.hedges_g,
        real=change.real,
        reading=change.reading,
        zero_variance=change.zero_variance,
    )


def _scale(
    block: figures.ScaleFigure | Hidden, meta: figures.ScaleMeta
) -> schemas.ScaleOut | schemas.HiddenOut:
    if isinstance(block, Hidden):
        return hidden_out(block, meta.minimum)
    also, level = block.also, block.level
    return schemas.ScaleOut(
        hidden=False,
        n=block.n,
        mean=block.mean,
        sd=block.sd,
        ci95=_pair(block.ci95),
        rwg_j=block.rwg_j,
        bins=list(block.bins),
        also=schemas.AlsoOut(mean=also.mean, sd=also.sd, ci95=_pair(also.ci95))
        if also is not None
        else None,
        level=schemas.LevelOut(lower=level.lower, upper=level.upper) if level is not None else None,
        bands=dict(block.bands) if block.bands is not None else None,
        dominant_band=block.dominant_band,
        consequence=block.consequence,
        change=_change(block.change),
    )


def _item(
    block: figures.ItemFigure | Hidden, meta: figures.ItemMeta, *, shares_only: bool
) -> schemas.ItemOut | schemas.HiddenOut:
    """``shares_only``: the item's scales are all bipolar, so it has no mean points
    (``InstrumentMeta.shares_only``)."""
    if isinstance(block, Hidden):
        return hidden_out(block, meta.minimum)
    return schemas.ItemOut(
        hidden=False,
        n=block.n,
        counts=list(block.counts),
        dont_know=block.dont_know,
        mean_points=None if shares_only else block.mean_points,
    )


def _key_figure(
    block: figures.KeyShare | Hidden, meta: figures.KeyFigureMeta
) -> schemas.KeyFigureOut | schemas.HiddenOut:
    if isinstance(block, Hidden):
        return hidden_out(block, meta.minimum)
    reference = block.reference
    return schemas.KeyFigureOut(
        hidden=False,
        n=block.n,
        share=block.share,
        reference=(reference[0], reference[1]) if isinstance(reference, tuple) else reference,
        position=block.position,
    )


def _comments(
    block: figures.Comments | Hidden, minimum: int
) -> schemas.CommentsOut | schemas.HiddenOut:
    if isinstance(block, Hidden):
        return hidden_out(block, minimum)
    return schemas.CommentsOut(hidden=False, count=len(block.texts))


def _group(
    data: figures.Publication,
    key: tuple[str, ...],
    names: dict[str, str],
    shows: frozenset[Record],
) -> schemas.GroupOut | schemas.SummaryGroupOut | schemas.HiddenGroupOut:
    """The group's records of the kinds the reader's pages show of it (``shows``)."""
    scope: schemas.GroupScope = (
        "organisation" if len(key) == 1 else "subtree" if key[0] == "subtree" else "unit"
    )
    unit = int(key[1]) if len(key) > 1 else None
    name = data.unit_name(key[1], names.get(key[1], "")) if len(key) > 1 else ""
    found = data.groups[slot_of(data, key)]
    if isinstance(found, Hidden):
        hidden = hidden_out(found, data.minimums.score)
        return schemas.HiddenGroupOut(
            unit=unit,
            scope=scope,
            name=name,
            hidden=True,
            reason=hidden.reason,
            reason_text=hidden.reason_text,
        )
    if "detail" not in shows:
        return schemas.SummaryGroupOut(
            unit=unit,
            scope=scope,
            name=name,
            hidden=False,
            detail="summary",
            instruments={
                iid: _instrument_summary(
                    block, data.instruments[iid], _shown_comments(data, found, iid, shows), shows
                )
                for iid, block in found.instruments.items()
            },
            zone=_zone(found.zone) if "zone" in shows else None,
        )
    instruments: dict[str, schemas.InstrumentFiguresOut] = {}
    for iid, block in found.instruments.items():
        meta = data.instruments[iid]
        instruments[iid] = schemas.InstrumentFiguresOut(
            scales={k: _scale(v, meta.scales[k]) for k, v in block.scales.items()}
            if "scales" in shows
            else {},
            items={
                k: _item(v, meta.items[k], shares_only=meta.shares_only(k))
                for k, v in block.items.items()
            }
            if "items" in shows
            else {},
            key_figures={
                k: _key_figure(v, meta.key_figures[k]) for k, v in block.key_figures.items()
            }
            if "key_figures" in shows
            else {},
            comments=_shown_comments(data, found, iid, shows),
        )
    return schemas.GroupOut(
        unit=unit,
        scope=scope,
        name=name,
        hidden=False,
        detail="report",
        instruments=instruments,
        zone=_zone(found.zone) if "zone" in shows else None,
    )


def _shown_comments(
    data: figures.Publication, found: figures.Group, iid: str, shows: frozenset[Record]
) -> dict[str, schemas.CommentsOut | schemas.HiddenOut]:
    """The instrument's free-text questions the page shows: a shown block as its count, a
    hidden one with its reason (where the page says it is hidden)."""
    texts = data.instruments[iid].texts
    return {
        k: _comments(v, data.minimums.comment)
        for k, v in found.comments.items()
        if k in texts and ("hidden_comments" if isinstance(v, Hidden) else "comments") in shows
    }


def _zone(zone: figures.Zone | None) -> schemas.ZoneOut | None:
    if zone is None:
        return None
    return schemas.ZoneOut(
        safety_instrument=zone.safety_instrument,
        focus_instrument=zone.focus_instrument,
        safety=zone.safety,
        safety_ci95=_pair(zone.safety_ci95),
        focus=zone.focus,
        focus_ci95=_pair(zone.focus_ci95),
        split=zone.split,
        zone=zone.zone,
        safety_uncertain=zone.safety_uncertain,
        focus_uncertain=zone.focus_uncertain,
    )


def _instrument_summary(
    block: figures.InstrumentFigures,
    meta: figures.InstrumentMeta,
    comments: dict[str, schemas.CommentsOut | schemas.HiddenOut],
    shows: frozenset[Record],
) -> schemas.InstrumentSummaryOut:
    """An instrument's records as a comparison, an organisation report row or the feedback
    page shows them."""

    def scale(
        record: figures.ScaleFigure | Hidden, minimum: int
    ) -> schemas.ScaleSummaryOut | schemas.HiddenOut:
        if isinstance(record, Hidden):
            return hidden_out(record, minimum)
        level, change = record.level, record.change
        with_change = "change" in shows
        spread = "distribution" in shows
        return schemas.ScaleSummaryOut(
            hidden=False,
            mean=record.mean,
            level=schemas.LevelOut(lower=level.lower, upper=level.upper)
            if level is not None and with_change
            else None,
            change=schemas.ChangeSummaryOut(difference=change.difference, reading=change.reading)
            if change is not None and with_change
            else None,
            n=record.n if spread else None,
            bins=list(record.bins) if spread else None,
            bands=dict(record.bands) if spread and record.bands is not None else None,
            dominant_band=record.dominant_band if spread else None,
            consequence=record.consequence if spread else None,
        )

    def item(
        item_id: str, record: figures.ItemFigure | Hidden
    ) -> schemas.ItemSummaryOut | schemas.HiddenOut:
        if isinstance(record, Hidden):
            return hidden_out(record, meta.items[item_id].minimum)
        shares_only = meta.shares_only(item_id)
        return schemas.ItemSummaryOut(
            hidden=False, mean_points=None if shares_only else record.mean_points
        )

    def key_figure(
        record: figures.KeyShare | Hidden, minimum: int
    ) -> schemas.KeyFigureSummaryOut | schemas.HiddenOut:
        if isinstance(record, Hidden):
            return hidden_out(record, minimum)
        reference = record.reference
        return schemas.KeyFigureSummaryOut(
            hidden=False,
            share=record.share,
            reference=(reference[0], reference[1]) if isinstance(reference, tuple) else reference,
        )

    return schemas.InstrumentSummaryOut(
        scales={k: scale(v, meta.scales[k].minimum) for k, v in block.scales.items()}
        if "scales" in shows
        else {},
        items={k: item(k, v) for k, v in block.items.items()} if "items" in shows else {},
        key_figures={
            k: key_figure(v, meta.key_figures[k].minimum) for k, v in block.key_figures.items()
        }
        if "key_figures" in shows
        else {},
        comments=comments,
    )


def _instrument_meta(
    meta: figures.InstrumentMeta, instrument: Instrument | None, lang: str
) -> schemas.InstrumentMetaOut:
    def scale_name(scale_id: str) -> str:
        if instrument is None:
            return scale_id
        try:
            return instrument.scale(scale_id).name.get(lang)
        except KeyError:
            return scale_id

    def item_text(item_id: str) -> str:
        items = {i.id: i for i in instrument.items} if instrument is not None else {}
        found = items.get(item_id)
        return found.text.get(lang) if found is not None else item_id

    version = meta.version if isinstance(meta.version, int) else 0
    return schemas.InstrumentMetaOut(
        name=instrument.name.get(lang) if instrument is not None else "",
        version=instrument.version if instrument is not None else version,
        main_scale=meta.main_scale,
        scales={
            k: schemas.ScaleMetaOut(
                name=scale_name(k),
                items=list(v.items),
                minimum=v.minimum,
                sensitive=v.sensitive,
                polarity=v.polarity,
                score=_pair(v.score),
            )
            for k, v in meta.scales.items()
        },
        items={
            k: schemas.ItemMetaOut(
                text=item_text(k),
                type=v.type,
                minimum=v.minimum,
                sensitive=v.sensitive,
                codes=list(v.codes),
            )
            for k, v in meta.items.items()
        },
        key_figures={
            k: schemas.KeyFigureMetaOut(minimum=v.minimum) for k, v in meta.key_figures.items()
        },
        texts=list(meta.texts),
    )


def _measurement_level(level: figures.MeasurementLevel, score: int) -> schemas.MeasurementLevelOut:
    def statistics(
        block: figures.ScaleStatistics | Hidden,
    ) -> schemas.ScaleStatisticsOut | schemas.HiddenOut:
        if isinstance(block, Hidden):
            return hidden_out(block, score)
        alpha, icc = block.alpha, block.icc
        return schemas.ScaleStatisticsOut(
            hidden=False,
            alpha=schemas.AlphaOut(
                alpha=alpha.alpha, ci95=_pair(alpha.ci95), n_complete=alpha.n_complete, k=alpha.k
            )
            if alpha is not None
            else None,
            icc=schemas.IccOut(icc1=icc.icc1, icc2=icc.icc2) if icc is not None else None,
        )

    def drivers(block: figures.Drivers | Hidden) -> schemas.DriversOut | schemas.HiddenOut:
        if isinstance(block, Hidden):
            return hidden_out(block, score)
        return schemas.DriversOut(
            hidden=False,
            names=list(block.names),
            weights=list(block.weights),
            ci95=[_pair(c) for c in block.ci95],
            r2=block.r2,
            n=block.n,
            n_boot=block.n_boot,
        )

    return schemas.MeasurementLevelOut(
        scales={
            iid: {sid: statistics(v) for sid, v in per.items()} for iid, per in level.scales.items()
        },
        correlations=[
            schemas.CorrelationOut(
                a=c.a, b=c.b, r=c.r, n_units=c.n_units, ci95=_pair(c.ci95), p=c.p
            )
            for c in level.correlations
        ],
        drivers={k: drivers(v) for k, v in level.drivers.items()},
    )


def publication_out(measurement: Measurement, found: Slice) -> schemas.PublicationOut:
    data = found.data
    lang = get_language() or "da"
    instruments = {i.id: i for i in measurement_instruments(measurement)}
    minimums = data.minimums
    # Names as they stood at closing; today's for a publication stored before those were.
    unit_ids = {int(key[1]) for key in found.keys if len(key) > 1}
    names = {
        str(pk): name
        for pk, name in Unit.objects.filter(
            organisation_id=measurement.organisation_id, pk__in=unit_ids
        ).values_list("pk", "name")
    }
    return schemas.PublicationOut(
        measurement=measurement_out(measurement),
        minimums=schemas.MinimumsOut(
            score=minimums.score, comment=minimums.comment, sensitive=minimums.sensitive
        ),
        instruments={
            iid: _instrument_meta(meta, instruments.get(iid), lang)
            for iid, meta in data.instruments.items()
        },
        groups=[_group(data, key, names, found.shows[key]) for key in found.keys],
        measurement_level=_measurement_level(data.measurement_level, minimums.score)
        if found.organisation_wide
        else None,
    )
