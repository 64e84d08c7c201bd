"""Start-up cost: serving pages and running management commands load no statistics library.

scipy.stats takes 0.7 s or more to import (issue 14); only computing a publication needs
it, so it is imported where a formula uses it.
"""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # imports every view module
from django.core.management import get_commands, load_command_class
for name, app in get_commands().items():
    if app.startswith("tryghed"):
        load_command_class(app, name)
print(sorted(m for m in sys.modules if m == "scipy.stats" or m.startswith("scipy.stats.")))
"""


def test_pages_and_commands_import_without_scipy_stats() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]", result.stdout
