"""Which instruments of two measurements ("målinger") can be compared as waves.

A change is only shown on the same instrument in the same version (spec/statistics.md:
never across instruments or variants, ps7 against ps7-hem). An instrument whose file says
``variant_of: ps7`` belongs to ps7's family: it asks about the same thing, differently
worded or scored, so a follow-up with it looks like a re-measurement but can never show
a change. These helpers name that trap so it can be said before a measurement is made and
on the plan that waits for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tryghed.core.instruments import Instrument

Mismatch = Literal["variant", "version"]


def comparable(earlier_id: str, earlier_version: int, later_id: str, later_version: int) -> bool:
    """The one rule for a change between waves: the same instrument in the same version."""
    return earlier_id == later_id and earlier_version == later_version


def family(instrument: Instrument) -> str:
    """The instrument a variant varies (ps7 for ps7-hem), or the instrument itself."""
    return instrument.variant_of or instrument.id


def mismatch(earlier: Instrument, later: Instrument) -> Mismatch | None:
    """Why two instruments of one family cannot be compared; None when they can, or when
    they are unrelated (then nobody would expect a change)."""
    if comparable(earlier.id, earlier.version, later.id, later.version):
        return None
    if earlier.id == later.id:
        return "version"
    if family(earlier) == family(later):
        return "variant"
    return None


@dataclass(frozen=True)
class Trap:
    """An instrument of the later measurement whose counterpart in the earlier one is
    another variant or version: it will show no change."""

    later: Instrument
    earlier: Instrument
    kind: Mismatch


def traps(earlier: Sequence[Instrument], later: Sequence[Instrument]) -> list[Trap]:
    """The later measurement's instruments that look like a re-measurement of one in the
    earlier measurement but cannot be compared with it, where no other instrument of that
    family in the later measurement can (ps7 and ps7-hem both asked: ps7 shows the change)."""
    compared = {family(i) for i in shared(earlier, later)}
    found: list[Trap] = []
    for instrument in later:
        if family(instrument) in compared:
            continue
        for before in earlier:
            kind = mismatch(before, instrument)
            if kind is not None:
                found.append(Trap(later=instrument, earlier=before, kind=kind))
                break
    return found


def shared(earlier: Sequence[Instrument], later: Sequence[Instrument]) -> list[Instrument]:
    """The later measurement's instruments that can show a change against the earlier."""
    return [i for i in later if any(comparable(e.id, e.version, i.id, i.version) for e in earlier)]
