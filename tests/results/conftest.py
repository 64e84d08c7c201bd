"""Fixtures of the results tests."""

from __future__ import annotations

from typing import Any

import pytest

from tryghed.orgs.demo import load_demo
from tryghed.orgs.models import Organisation
from tryghed.surveys.demo import load_demo_measurements


@pytest.fixture
def demo_organisation(db: None, django_capture_on_commit_callbacks: Any) -> Organisation:
    """The demo organisation with its measurements (two closed waves and one closed
    maturity measurement), their publications stored; no invitations sent (the
    measurements' on-commit work is held back)."""
    organisation, _ = load_demo()
    with django_capture_on_commit_callbacks(execute=False):
        load_demo_measurements(organisation)
    return organisation
