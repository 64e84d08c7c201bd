#!/usr/bin/env python
"""Convenience wrapper: ``python manage.py <command>`` from the project folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from tryghed.manage import main

if __name__ == "__main__":
    main()
