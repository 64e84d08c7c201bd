"""Writes of the kits: going on knowingly past the readiness check, audit-logged."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from django.db import transaction

from tryghed.audit.services import audit_record
from tryghed.kits.readiness import Readiness
from tryghed.kits.selectors import SESSION_KEY
from tryghed.orgs.selectors import OrgAccess

# The readiness findings about open cases in Sig det (kits/readiness.py: "voice:<factor>").
VOICE_FINDING = "voice:"
# Per unit, the findings this session's last audit row about going on named.
LOGGED_KEY = f"{SESSION_KEY}.logged"


def readiness_acknowledge(
    *, access: OrgAccess, result: Readiness, session: MutableMapping[str, Any]
) -> None:
    """The reader has read the findings and goes on anyway: the choice is logged (who, which
    unit, which findings, when) and holds for this session until the findings change.

    Open Sig det cases are findings for the AMO only (a case sent to the AMO may be about
    the leader), while administrators read the audit log: such findings are never named
    there, and a choice about them alone writes no row (privacy.md section 0, reader 1).
    Nor does a change in them alone: going on again in the same session because a voice
    finding came or went, past the same other findings, writes no second row (one would
    tell an administrator, in the unit's history, that a case was raised or closed:
    tests/privacy/test_redteam_session_surfaces.py)."""
    logged = [f for f in result.findings if not f.key.startswith(VOICE_FINDING)]
    unit_key = str(result.unit.pk)
    named = ",".join(sorted(f.key for f in logged))
    earlier = dict(session.get(LOGGED_KEY) or {})
    if logged and earlier.get(unit_key) != named:
        with transaction.atomic():
            audit_record(
                actor=access.user,
                action="kits.readiness_acknowledged",
                organisation=access.organisation,
                obj=result.unit,
                summary=", ".join(f.title for f in logged),
                data={"findings": sorted(f.key for f in logged)},
            )
    earlier[unit_key] = named
    session[LOGGED_KEY] = earlier
    done = dict(session.get(SESSION_KEY) or {})
    done[unit_key] = result.fingerprint
    session[SESSION_KEY] = done
