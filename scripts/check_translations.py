#!/usr/bin/env python3
"""Check the English catalogue: nothing untranslated or fuzzy, placeholders and markup kept.

Usage: scripts/check_translations.py [path/to/django.po]

`msgfmt -c --statistics` does the format checks for python-format entries; this script
reads its statistics and also compares the %(name)s placeholders and HTML tags of every
entry, which msgfmt does not look at when an entry is not flagged python-format.
Standard library only (polib is not a dependency). Exits 1 on any problem.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "src/tryghed/locale/en/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body)


def entries(path: Path) -> list[dict[str, str]]:
    """Each entry as {"msgid": ..., "msgid_plural": ..., "msgstr[0]": ..., "flags": ...}."""
    result = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and key:
                entry[key] += _unquote(line)
            elif " " in line:
                key, _, rest = line.partition(" ")
                key = "msgstr[0]" if key == "msgstr" else key
                entry[key] = _unquote(rest)
        if entry.get("msgid"):
            result.append(entry)
    return result


def problems(path: Path) -> list[str]:
    found = []
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return ["msgfmt (GNU gettext) is not installed"]
    run = subprocess.run(  # noqa: S603 - a fixed program on the catalogue path
        [msgfmt, "-c", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    stats = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
    if run.returncode != 0:
        found.append(f"msgfmt -c failed:\n{run.stderr}")
    for word in ("untranslated", "fuzzy"):
        if word in stats:
            found.append(f"msgfmt reports {word} messages: {stats}")
    for entry in entries(path):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for key in sorted(k for k in entry if k.startswith("msgstr[")):
            source = sources[min(int(key[7:-1]), 1)]
            target = entry[key]
            if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(target)):
                found.append(f"placeholders differ: {entry['msgid']!r} -> {target!r}")
            if sorted(TAG.findall(source)) != sorted(TAG.findall(target)):
                found.append(f"HTML tags differ: {entry['msgid']!r} -> {target!r}")
    return found


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    found = problems(path)
    for problem in found:
        print(problem)
    print(f"{path}: {'OK' if not found else f'{len(found)} problem(s)'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
