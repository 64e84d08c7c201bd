"""Write the example files for `tryghed score`: examples/score/ps7-responses.csv and
examples/score/units.csv.

A small made-up organisation (12 units, about 150 respondents) so a new user can try

    tryghed score examples/score/ps7-responses.csv --instrument ps7 --units examples/score/units.csv

Some teams are below the minimum group size on purpose, to show suppression across the
tree. Seeded: running it again writes the same files.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# unit, parent, respondents, team climate (shift of the latent "safety", in answer steps)
UNITS: list[tuple[str, str, int, float]] = [
    ("Sundhed og Omsorg", "", 2, 0.3),
    ("Hjemmeplejen", "Sundhed og Omsorg", 3, 0.0),
    ("Hjemmeplejen Nord", "Hjemmeplejen", 24, 0.6),
    ("Hjemmeplejen Syd", "Hjemmeplejen", 21, -0.7),
    ("Natteamet", "Hjemmeplejen", 4, 0.2),
    ("Plejecenter Egely", "Sundhed og Omsorg", 2, 0.1),
    ("Egely Dag", "Plejecenter Egely", 27, 0.2),
    ("Egely Aften", "Plejecenter Egely", 18, -0.3),
    ("Egely Køkken", "Plejecenter Egely", 3, 0.0),
    ("Administration", "Sundhed og Omsorg", 1, 0.0),
    ("Visitationen", "Administration", 14, 0.4),
    ("Løn og HR", "Administration", 31, -0.1),
]
REVERSED = {1, 3, 5}  # ps7 items 1, 3 and 5 are negatively worded


def answer(rng: random.Random, climate: float, item: int) -> str:
    """One answer code 1 (Meget enig) .. 5 (Meget uenig); 4 % left empty."""
    if rng.random() < 0.04:
        return ""
    agreement = 2.3 - climate + rng.gauss(0.0, 0.9)  # low = agrees with a positive item
    if item in REVERSED:
        agreement = 6.0 - agreement  # a safe team disagrees with a negative statement
    return str(min(5, max(1, round(agreement))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "score")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    with (args.out / "units.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["unit", "parent"])
        writer.writerows((unit, parent) for unit, parent, _, _ in UNITS)

    rows: list[list[str]] = []
    for unit, _, size, climate in UNITS:
        person_shift = [rng.gauss(0.0, 0.5) for _ in range(size)]
        rows.extend(
            [unit, *(answer(rng, climate + shift, item) for item in range(1, 8))]
            for shift in person_shift
        )
    rng.shuffle(rows)  # responses are stored in no meaningful order
    with (args.out / "ps7-responses.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["unit", *(f"ps7.{i}" for i in range(1, 8))])
        writer.writerows(rows)
    print(f"wrote {len(rows)} responses in {len(UNITS)} units to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
