"""Write audit rows in the same transaction as the change they describe."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tryghed.audit.models import AuditEvent

if TYPE_CHECKING:
    from tryghed.accounts.models import User
    from tryghed.orgs.models import Organisation


def audit_record(
    *,
    actor: User | None,
    action: str,
    organisation: Organisation | None = None,
    obj: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and getattr(obj, "pk", None) else "",
        summary=summary[:500],
        data=data or {},
    )
