"""Django for the sub-commands that run a management command (``tryghed
close-measurements`` and the like): set up only when such a command runs, so ``tryghed
score`` and ``tryghed instruments`` never load it."""

from __future__ import annotations

import os


def setup() -> None:
    """Set Django up with Tryghed's settings (unless DJANGO_SETTINGS_MODULE names others)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tryghed.settings")
    import django

    django.setup()
