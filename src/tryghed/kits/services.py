"""Writes of the kits: going on knowingly past the readiness check, audit-logged."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from django.db import transaction

from tryghed.audit.services import audit_record
from tryghed.kits.readiness import Readiness
from tryghed.kits.selectors import SESSION_KEY
from tryghed.orgs.selectors import OrgAccess


def readiness_acknowledge(
    *, access: OrgAccess, result: Readiness, session: MutableMapping[str, Any]
) -> None:
    """The reader has read the findings and goes on anyway: the choice is logged (who, which
    unit, which findings, when) and holds for this session until the findings change."""
    with transaction.atomic():
        audit_record(
            actor=access.user,
            action="kits.readiness_acknowledged",
            organisation=access.organisation,
            obj=result.unit,
            summary=", ".join(f.title for f in result.findings),
            data={"findings": sorted(f.key for f in result.findings)},
        )
    done = dict(session.get(SESSION_KEY) or {})
    done[str(result.unit.pk)] = result.fingerprint
    session[SESSION_KEY] = done
