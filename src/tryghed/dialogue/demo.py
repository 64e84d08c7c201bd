"""Demo: a finished dialogue session for the demo leader's team, with its notes.

Nine phones place themselves on Hesteskoen and in the four zones, the leader reveals
both, and the team ends with two notes and three focus points, keeping the distributions.
The placements are gone afterwards, as in any session.
"""

from __future__ import annotations

import random

from django.db import transaction

from tryghed.accounts.models import User
from tryghed.dialogue import services
from tryghed.dialogue.models import ExerciseKind, Session
from tryghed.orgs.models import Organisation, Unit

DEMO_UNIT = "SUND-HJN"
LEADER_EMAIL = "leder@demo-kommune.dk"
HORSESHOE = [3, 5, 6, 6, 7, 7, 7, 8, 9]
ZONES = [1, 1, 2, 2, 2, 1, 3, 2, 4]  # comfort, learning, apathy, anxiety
NOTES = [
    "Vi tager Hesteskoen igen på teammødet i marts.",
    "Referatet sendes til AMR, så det kommer med i APV-arbejdet.",
]
FOCUS_POINTS = [
    "Vi siger det højt, når vi er i tvivl om en borgers plan.",
    "Bordet rundt som fast punkt på teammødet.",
    "Nye kolleger får en makker de første fire uger.",
]


@transaction.atomic
def load_demo_dialogue(organisation: Organisation) -> bool:
    """One finished session, once. False when already there or the team is missing."""
    unit = Unit.objects.filter(organisation=organisation, external_id=DEMO_UNIT).first()
    if unit is None or Session.objects.filter(unit=unit).exists():
        return False
    leader = User.objects.filter(email=LEADER_EMAIL).first()
    session = services.session_start(unit=unit, actor=leader)
    chooser = random.Random(12)  # noqa: S311 - demo data, not a secret
    for kind, values in ((ExerciseKind.HORSESHOE, HORSESHOE), (ExerciseKind.ZONES, ZONES)):
        exercise = session.exercises.get(kind=kind)
        services.session_show(session=session, exercise=exercise)
        for value in chooser.sample(values, len(values)):
            services.placement_set(
                exercise=exercise, token=services.phone_token_new(), answers={"": str(value)}
            )
        services.exercise_reveal(exercise=exercise, actor=leader)
    services.session_end(
        session=session,
        actor=leader,
        notes=NOTES,
        focus_points=[services.FocusPoint(text) for text in FOCUS_POINTS],
        keep_distribution=True,
    )
    return True
