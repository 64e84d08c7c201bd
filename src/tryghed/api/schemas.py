"""What the API answers, as pydantic models: the OpenAPI document is made from these.

The publication's records mirror ``core.figures``: a record is either its numbers
(``hidden: false``) or hidden with its reason (``hidden: true``), never both; a hidden
record has no field that could carry a value.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

Pair = tuple[float | None, float | None]
HiddenReason = Literal["below_minimum", "complementary"]
GroupScope = Literal["unit", "subtree", "organisation"]


class Error(Schema):
    detail: str


class UnitRef(Schema):
    id: int
    name: str


class RoleOut(Schema):
    role: str
    label: str
    unit: UnitRef | None = Field(description="The unit a leader leads or an employee works in.")


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str
    roles: list[RoleOut]


class InstrumentRef(Schema):
    id: str
    name: str
    version: int


class MeasurementOut(Schema):
    id: int
    name: str
    status: str
    status_label: str
    opens_on: dt.date
    closes_on: dt.date
    closed_at: dt.datetime | None
    instruments: list[InstrumentRef]
    previous: int | None = Field(description="The earlier wave its changes compare with.")


class HiddenOut(Schema):
    """A figure that is not shown, and why (privacy.md sections 2 and 3)."""

    hidden: Literal[True]
    reason: HiddenReason
    reason_text: str


class ChangeOut(Schema):
    previous: int | None
    n_before: int
    mean_before: float | None
    difference: float | None
    ci95: Pair | None
    t: float | None
    df: float | None
    p: float | None
    hedges_g: float | None
    real: bool
    reading: str
    zero_variance: bool


class AlsoOut(Schema):
    mean: float | None
    sd: float | None
    ci95: Pair | None


class LevelOut(Schema):
    lower: float
    upper: float | None


class ScaleOut(Schema):
    hidden: Literal[False]
    n: int
    mean: float | None
    sd: float | None
    ci95: Pair | None
    rwg_j: float | None
    bins: list[int]
    also: AlsoOut | None
    level: LevelOut | None
    bands: dict[str, float | None] | None
    dominant_band: str | None
    consequence: str | None
    change: ChangeOut | None


class ItemOut(Schema):
    hidden: Literal[False]
    n: int
    counts: list[int]
    dont_know: float | None
    mean_points: float | None


class KeyFigureOut(Schema):
    hidden: Literal[False]
    n: int
    share: float | None
    reference: float | Pair | None
    position: str | None


class CommentsOut(Schema):
    """A free-text question's shown comments: how many (the texts are on the page)."""

    hidden: Literal[False]
    count: int


class ZoneOut(Schema):
    safety_instrument: str
    focus_instrument: str
    safety: float
    safety_ci95: Pair | None
    focus: float
    focus_ci95: Pair | None
    split: float
    zone: str
    safety_uncertain: bool
    focus_uncertain: bool


class ChangeSummaryOut(Schema):
    difference: float | None
    reading: str


class ScaleSummaryOut(Schema):
    """A scale as a comparison, a row of the organisation report or the feedback page shows
    it: the mean; on the organisation report and the feedback page its level and change;
    on the feedback page its count and distribution. Never a spread, interval or agreement;
    null where the page shows nothing."""

    hidden: Literal[False]
    mean: float | None
    level: LevelOut | None
    change: ChangeSummaryOut | None
    n: int | None
    bins: list[int] | None
    bands: dict[str, float | None] | None
    dominant_band: str | None
    consequence: str | None


class ItemSummaryOut(Schema):
    """A question as a comparison or the organisation report shows it: its mean points."""

    hidden: Literal[False]
    mean_points: float | None


class KeyFigureSummaryOut(Schema):
    """A key figure as a row of the organisation report shows it: the share."""

    hidden: Literal[False]
    share: float | None
    reference: float | Pair | None


ScaleRecord = Annotated[ScaleOut | HiddenOut, Field(discriminator="hidden")]
ItemRecord = Annotated[ItemOut | HiddenOut, Field(discriminator="hidden")]
KeyFigureRecord = Annotated[KeyFigureOut | HiddenOut, Field(discriminator="hidden")]
CommentsRecord = Annotated[CommentsOut | HiddenOut, Field(discriminator="hidden")]
ScaleSummaryRecord = Annotated[ScaleSummaryOut | HiddenOut, Field(discriminator="hidden")]
ItemSummaryRecord = Annotated[ItemSummaryOut | HiddenOut, Field(discriminator="hidden")]
KeyFigureSummaryRecord = Annotated[KeyFigureSummaryOut | HiddenOut, Field(discriminator="hidden")]


class InstrumentFiguresOut(Schema):
    scales: dict[str, ScaleRecord]
    items: dict[str, ItemRecord]
    key_figures: dict[str, KeyFigureRecord]
    comments: dict[str, CommentsRecord]


class GroupOut(Schema):
    """A group's records: a unit's own respondents (``unit``), the unit with everything
    below it (``subtree``) or the whole measurement (``organisation``, unit null), as a
    report of that group shows them (``detail: "report"``)."""

    unit: int | None
    scope: GroupScope
    name: str
    hidden: Literal[False]
    detail: Literal["report"]
    instruments: dict[str, InstrumentFiguresOut]
    zone: ZoneOut | None


class InstrumentSummaryOut(Schema):
    scales: dict[str, ScaleSummaryRecord]
    items: dict[str, ItemSummaryRecord]
    key_figures: dict[str, KeyFigureSummaryRecord]
    comments: dict[str, CommentsRecord]


class SummaryGroupOut(Schema):
    """A group as the caller's pages show it short of its report (``detail: "summary"``):
    compared with (a leader's parent unit and the whole measurement: means), a row of the
    organisation report (means, levels, changes, key figures, zone) or an employee's
    feedback page (those, with counts, distributions and shown comments)."""

    unit: int | None
    scope: GroupScope
    name: str
    hidden: Literal[False]
    detail: Literal["summary"]
    instruments: dict[str, InstrumentSummaryOut]
    zone: ZoneOut | None


class HiddenGroupOut(Schema):
    unit: int | None
    scope: GroupScope
    name: str
    hidden: Literal[True]
    reason: HiddenReason
    reason_text: str


# Told apart by "hidden" and, of a shown group, "detail" (OpenAPI has no nested
# discriminator, so the three are a plain union).
GroupRecord = GroupOut | SummaryGroupOut | HiddenGroupOut


class ScaleMetaOut(Schema):
    name: str
    items: list[str]
    minimum: int
    sensitive: bool
    polarity: str
    score: Pair | None


class ItemMetaOut(Schema):
    text: str
    type: str
    minimum: int
    sensitive: bool
    codes: list[int]


class KeyFigureMetaOut(Schema):
    minimum: int


class InstrumentMetaOut(Schema):
    name: str
    version: int
    main_scale: str | None
    scales: dict[str, ScaleMetaOut]
    items: dict[str, ItemMetaOut]
    key_figures: dict[str, KeyFigureMetaOut]
    texts: list[str] = Field(description="The free-text questions (item ids).")


class MinimumsOut(Schema):
    score: int
    comment: int
    sensitive: int


class AlphaOut(Schema):
    alpha: float | None
    ci95: Pair | None
    n_complete: int
    k: int


class IccOut(Schema):
    icc1: float | None
    icc2: float | None


class ScaleStatisticsOut(Schema):
    hidden: Literal[False]
    alpha: AlphaOut | None
    icc: IccOut | None


class CorrelationOut(Schema):
    a: str
    b: str
    r: float | None
    n_units: int
    ci95: Pair | None
    p: float | None


class DriversOut(Schema):
    hidden: Literal[False]
    names: list[str]
    weights: list[float]
    ci95: list[Pair | None]
    r2: float | None
    n: int
    n_boot: int


StatisticsRecord = Annotated[ScaleStatisticsOut | HiddenOut, Field(discriminator="hidden")]
DriversRecord = Annotated[DriversOut | HiddenOut, Field(discriminator="hidden")]


class MeasurementLevelOut(Schema):
    """Organisation-wide statistics, for readers of the organisation report only."""

    scales: dict[str, dict[str, StatisticsRecord]]
    correlations: list[CorrelationOut]
    drivers: dict[str, DriversRecord]


class PublicationOut(Schema):
    measurement: MeasurementOut
    minimums: MinimumsOut
    instruments: dict[str, InstrumentMetaOut]
    groups: list[GroupRecord]
    measurement_level: MeasurementLevelOut | None
