"""How the measurement commands (close_measurements, remind_measurements) name a
measurement in what they print."""

from __future__ import annotations

from tryghed.surveys.models import Measurement


def measurement_label(measurement: Measurement) -> str:
    return (
        f"{measurement.organisation.name}: {measurement.name} "
        f"(closing day {measurement.closes_on.isoformat()})"
    )
