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


def readiness_acknowledge(
    *, access: OrgAccess, result: Readiness, session: MutableMapping[str, Any]
) -> None:
    """The reader has read the findings and goes on anyway: the choice is logged (who, which
    unit, which findings, when) and holds for this session until the findings change.

    Open Sig det cases are findings for the AMO only (a case sent to the AMO may be about
    the leader), while administrators read the audit log: such findings are never named
    there, and a choice about them alone writes no row (privacy.md section 0, reader 1)."""
    logged = [f for f in result.findings if not f.key.startswith(VOICE_FINDING)]
    if logged:
        with transaction.atomic():
            audit_record(
                actor=access.user,
                action="kits.readiness_acknowledged",
                organisation=access.organisation,
                obj=result.unit,
                summary=", ".join(f.title for f in logged),
                data={"findings": sorted(f.key for f in logged)},
            )
    done = dict(session.get(SESSION_KEY) or {})
    done[str(result.unit.pk)] = result.fingerprint
    session[SESSION_KEY] = done
