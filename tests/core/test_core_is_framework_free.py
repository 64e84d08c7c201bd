"""core/ must not depend on Django: the CLI and other tools use it without settings."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import tryghed.core

CORE_DIR = Path(tryghed.core.__file__).resolve().parent
CORE_MODULES = sorted(f"tryghed.core.{m.name}" for m in pkgutil.iter_modules([str(CORE_DIR)]))


def test_there_are_core_modules_to_check() -> None:
    assert {"tryghed.core.instruments", "tryghed.core.scoring"} <= set(CORE_MODULES)


def test_importing_every_core_module_loads_no_django() -> None:
    # A fresh interpreter: this test process may already have Django loaded.
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_no_core_source_imports_django() -> None:
    pattern = re.compile(r"^\s*(from\s+django\b|import\s+django\b)", re.MULTILINE)
    offenders = [
        path.name for path in CORE_DIR.rglob("*.py") if pattern.search(path.read_text("utf-8"))
    ]
    assert offenders == []
