"""Writes for accounts: the audit trail and personal API tokens."""

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from poolplan.accounts.models import ApiToken, AuditAction, AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    summary: str,
    obj: Model | None = None,
    child=None,
    changes: dict | None = None,
) -> AuditEvent:
    """Append one row to the audit trail. Call it inside the service's transaction so the
    change and its audit row land together or not at all."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=(actor.get_username() if actor is not None and actor.is_authenticated
                    else "system"),
        action=action,
        child=child,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        summary=summary[:300],
        changes=changes or {},
    )


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> str:
    """Create a personal API token and return the key; it is shown once and stored hashed."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[3:11]
    )
    audit_record(actor=user, action=AuditAction.CREATE, obj=token,
                 summary=f"API token {token.prefix}… created for {user.get_username()}")
    return key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=token,
                 summary=f"API token {token.prefix}… revoked")
