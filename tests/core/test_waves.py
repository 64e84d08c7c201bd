"""Which instruments of two waves can show a change: the same instrument in the same
version, never a variant of it (ps7-hem against ps7)."""

from __future__ import annotations

import dataclasses

from tryghed.core import waves
from tryghed.core.instruments import load_builtin


def test_a_variant_and_a_new_version_are_traps_and_an_unrelated_instrument_is_not() -> None:
    builtin = load_builtin()
    ps7, hem, stress = builtin["ps7"], builtin["ps7-hem"], builtin["stress"]
    ps7_v2 = dataclasses.replace(ps7, version=ps7.version + 1)

    assert waves.mismatch(ps7, hem) == "variant"
    assert waves.mismatch(hem, ps7) == "variant"
    assert waves.mismatch(ps7, ps7_v2) == "version"
    assert waves.mismatch(ps7, ps7) is None
    assert waves.mismatch(ps7, stress) is None  # unrelated: nobody expects a change

    (trap,) = waves.traps([ps7, stress], [hem, stress])
    assert (trap.later, trap.earlier, trap.kind) == (hem, ps7, "variant")
    assert waves.shared([ps7, stress], [hem, stress]) == [stress]
    # A measurement with both variants compares ps7 with ps7: no trap.
    assert waves.traps([ps7], [ps7, hem]) == []
