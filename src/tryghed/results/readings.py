"""One reading for every area of a report ("én aflæsning"): 0–100, higher is better.

The instruments score on different ranges (ps7 0–70, stress 1–5, the pulse 1–10, silence
0–100 where lower is better). A reader cannot compare 26,8 with 3,3, so the reports show
each scale's published mean on one reading: placed on the scale's score range from the
report data's instrument block, flipped when lower is better, so 100 is always the best
end. The value as published (the seed's own scale) is kept beside it.

Nothing is computed from responses here: a reading is a linear re-expression of one shown
mean, so a hidden mean has no reading (privacy.md: only what the publication shows).

Comparability: a reading carries a ``key``; readings are ranked ("weakest first") only
within one key. Means of scales with a direction share ``MEAN_KEY``; shares of people
(key figures) are another kind of number and never ranked with means; need scales
(support: "vil have mere/mindre") and bipolar scales have no better end and are never
ranked at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tryghed.core import figures
from tryghed.core.instruments import Item
from tryghed.results.charts import format_number, format_percent

__all__ = [
    "MEAN_KEY",
    "SHARE_KEY",
    "Reading",
    "direction_words",
    "item_direction",
    "item_reading",
    "reading",
    "scale_reading",
    "share_reading",
    "share_text",
    "weakest",
]

# Comparability keys. Means with a direction, on the 0–100 reading, compare with each other.
MEAN_KEY = "mean-0-100-higher-better"
SHARE_KEY = "share-of-people"
RANKED_POLARITIES = frozenset({"higher_better", "lower_better"})


@dataclass(frozen=True, slots=True)
class Reading:
    """A published mean on the common reading.

    ``value`` is 0–100 with 100 the best end, or None for a scale without a better end
    (need, bipolar): then only ``native`` is shown. ``native`` is the mean as published,
    on ``low``–``high``; ``flipped`` says the scale counts the other way (lower is better).
    """

    value: float | None
    native: float
    low: float
    high: float
    polarity: str
    key: str

    @property
    def flipped(self) -> bool:
        return self.polarity == "lower_better"

    @property
    def rankable(self) -> bool:
        return self.value is not None and self.key in (MEAN_KEY, SHARE_KEY)

    @property
    def same_as_native(self) -> bool:
        """The reading is the published number itself (a 0–100 scale, higher is better)."""
        return not self.flipped and self.low == 0 and self.high == 100

    def text(self, lang: str) -> str:
        """The reading as shown: a whole number (a reader compares areas, not decimals)."""
        return "" if self.value is None else format_number(self.value, lang, 0)

    def native_text(self, lang: str) -> str:
        """The published number on its own scale: "26,8 af 0–70"."""
        return _("%(value)s på skalaen %(low)s–%(high)s") % {
            "value": format_number(self.native, lang, 1),
            "low": format_number(self.low, lang, 0),
            "high": format_number(self.high, lang, 0),
        }

    def direction(self) -> str:
        return direction_words(self.polarity, reading=self.value is not None)


def reading(*, mean: float | None, low: float, high: float, polarity: str) -> Reading | None:
    """The reading of a mean on ``low``–``high``; None when the mean is hidden or missing."""
    if mean is None or high <= low:
        return None
    native = float(mean)
    if polarity not in RANKED_POLARITIES:
        return Reading(None, native, low, high, polarity, f"{polarity}:{low:g}-{high:g}")
    share = min(max((native - low) / (high - low), 0.0), 1.0)
    value = 100.0 * (1.0 - share if polarity == "lower_better" else share)
    return Reading(value, native, low, high, polarity, MEAN_KEY)


def scale_reading(
    meta: figures.ScaleMeta, block: figures.ScaleFigure | figures.Hidden | None
) -> Reading | None:
    """The reading of one scale of a group: ``meta`` is the publication's scale (its score
    range and polarity), ``block`` the group's record for it. A hidden one has no reading."""
    shown = figures.shown(block)
    if shown is None or shown.mean is None or meta.score is None:
        return None
    low, high = meta.score
    if low is None or high is None:
        return None
    return reading(mean=float(shown.mean), low=float(low), high=float(high), polarity=meta.polarity)


def item_reading(item: Item, mean_points: float | None, polarity: str) -> Reading | None:
    """One question's mean points on the reading (points are reverse-keyed already)."""
    points = item.points_range
    if points is None or mean_points is None:
        return None
    return reading(mean=mean_points, low=points.min, high=points.max, polarity=polarity)


def direction_words(polarity: str, *, reading: bool = True) -> str:
    """The direction in words. On the reading every directed scale is "higher is better";
    the native value of a lower-is-better scale says so."""
    if polarity == "need":
        return _("Viser behov: hverken højt eller lavt er bedre i sig selv.")
    if polarity not in RANKED_POLARITIES:
        return _("Hverken højt eller lavt er bedre i sig selv.")
    if reading:
        if polarity == "lower_better":
            return _("Højere er bedre (vendt, så 100 er bedst).")
        return _("Højere er bedre.")
    return _("Lavere er bedre.") if polarity == "lower_better" else _("Højere er bedre.")


def item_direction(item: Item, polarity: str) -> str:
    """What a high score means for this question, in words.

    A negatively worded statement (ps7 "Det er svært at bede kolleger om hjælp") is
    reverse-keyed: a high score there means the team disagrees with the statement, which is
    the good end. Saying only "higher is better" beside it reads as the opposite.
    """
    if polarity not in RANKED_POLARITIES:
        return direction_words(polarity)
    if item.reverse:
        return _(
            "Negativt formuleret udsagn: høj score betyder, at man er uenig i det – og det er godt."
        )
    return _("Højere er bedre.")


def share_reading(share: float) -> Reading:
    """A key figure (a share of people) as a reading of its own kind, never ranked with means."""
    return Reading(100.0 * share, share, 0.0, 1.0, "share", SHARE_KEY)


def share_text(share: float, lang: str) -> str:
    return format_percent(share, lang, 0)


def weakest[T](
    entries: Iterable[T],
    get: Callable[[T], Reading | None],
    count: int = 3,
    *,
    key: str = MEAN_KEY,
) -> list[T]:
    """The ``count`` weakest entries whose readings carry ``key`` (comparable ones only).

    Entries without a reading, with another key (a share of people beside means) or
    without a better end (need, bipolar) are left out; ties keep the given order.
    """
    ranked: list[tuple[float, int, T]] = []
    for index, entry in enumerate(entries):
        found = get(entry)
        if found is None or not found.rankable or found.value is None or found.key != key:
            continue
        ranked.append((found.value, index, entry))
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [entry for _value, _index, entry in ranked[:count]]
