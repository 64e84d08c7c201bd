#!/usr/bin/env python3
"""Print, or write into docs/roles.md, the table of what each role may do.

Usage: scripts/capability_matrix.py [--write]

The table is read from ``OrgAccess.can`` (``orgs.selectors.capability_matrix``), the one
place the capabilities are decided; tests/orgs/test_capability_matrix.py fails when
docs/roles.md differs from it, and checks every view that asks for a capability.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "roles.md"
START = "<!-- capability-matrix:start (scripts/capability_matrix.py --write) -->"
END = "<!-- capability-matrix:end -->"


def table() -> str:
    from tryghed.orgs.selectors import capability_matrix

    matrix = capability_matrix()
    capabilities = list(next(iter(matrix.values())))
    lines = [
        "| role | " + " | ".join(f"`{c.value}`" for c in capabilities) + " |",
        "|---|" + "---|" * len(capabilities),
    ]
    for role, row in matrix.items():
        marks = " | ".join("yes" if row[c] else "–" for c in capabilities)
        lines.append(f"| {role.value} ({role.label}) | {marks} |")
    return "\n".join(lines)


def with_table(document: str) -> str:
    before, _, rest = document.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{table()}\n{END}{after}"


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django

    django.setup()
    if "--write" in sys.argv[1:]:
        DOC.write_text(with_table(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
