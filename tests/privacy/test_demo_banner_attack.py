"""Red team: the demo banner's fresh respondent link and paper code.

The mechanism asks whether a named person (the demo's employee) has answered, prints it
("Mads Medarbejder har svaret"), gives a new link row only to someone who has not, and
prints a paper code with no one recorded as printing it. Fine for a demo on a laptop; in
production, where an organisation could carry the demo's slug and address, it would tell
whoever runs the command whether a named person answered.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from tryghed.orgs.demo import load_demo
from tryghed.surveys.demo import load_demo_measurements
from tryghed.surveys.models import InvitationToken, PaperCode

pytestmark = pytest.mark.django_db


def test_the_banner_hands_out_no_link_or_code_in_production(settings: Any) -> None:
    organisation, _ = load_demo()
    load_demo_measurements(organisation)
    settings.PRODUCTION = True
    tokens, codes = InvitationToken.objects.count(), PaperCode.objects.count()
    out = io.StringIO()
    call_command("demo_banner", "--url", "http://127.0.0.1:8101/", stdout=out)
    banner = out.getvalue()
    assert "/s/" not in banner
    assert "har svaret" not in banner
    assert (InvitationToken.objects.count(), PaperCode.objects.count()) == (tokens, codes)
