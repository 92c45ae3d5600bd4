"""Cross-cutting services: scope checks for single objects, saving with history, the duty ledger."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from xianfeng.core import ledger
from xianfeng.core.choices import Action
from xianfeng.core.models import DutyRecord
from xianfeng.core.scope import scope_paths

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization
    from xianfeng.people.models import PartyMember


class NotFound(Http404):
    """Missing and not-yours answer the same."""


def org_in_scope(
    *, user: User, org: Organization | None, model: type[models.Model], action: str
) -> bool:
    if org is None:
        return False
    paths = scope_paths(user, model, action)
    return paths is None or any(org.path.startswith(p) for p in paths)


def require_org_in_scope(
    *,
    user: User,
    org: Organization | None,
    model: type[models.Model],
    action: str,
    field: str,
) -> None:
    """For a chosen parent/branch/grid: outside scope is a validation error on that field."""
    if not org_in_scope(user=user, org=org, model=model, action=action):
        raise ValidationError({field: _("所选组织不在您的管辖范围内，或您无权在其下操作。")})


def get_object_for(
    *, user: User, model: type[models.Model], pk: Any, action: str = Action.VIEW, queryset=None
) -> Any:
    """Fetch one object the user may see; 404 when missing or out of scope, 403 when the user
    sees it but may not take the action."""
    base = queryset if queryset is not None else model.objects.all()
    try:
        obj = base.restrict(user, Action.VIEW).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("对象不存在或不在您的管辖范围内。")) from None
    if action != Action.VIEW and not model.objects.restrict(user, action).filter(pk=pk).exists():
        raise PermissionDenied(_("您的角色无权进行此操作。"))
    return obj


def apply_fields(instance: models.Model, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Set the given fields on the instance; a field a service does not let its callers
    change is a validation error on that field."""
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError({name: _("该字段不能在此修改。")})
        setattr(instance, name, value)


def save_with_history(*, instance: models.Model, actor: User | None, reason: str = "") -> None:
    """Validate and save; the change is recorded in the object's history as the actor's."""
    instance.full_clean()
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()


def save_unique_with_history(
    *, instance: models.Model, actor: User | None, reason: str = ""
) -> None:
    """``save_with_history`` for a model with a natural key among its constraints: when another
    request takes the key between validation and the insert, the answer is the constraint's own
    ValidationError (code ``unique``), not an IntegrityError."""
    try:
        with transaction.atomic():
            save_with_history(instance=instance, actor=actor, reason=reason)
    except IntegrityError:
        instance.validate_constraints()
        raise


@transaction.atomic
def duty_record(
    *,
    actor: User | None,
    action: str,
    organization: Organization,
    target: models.Model | None = None,
    member: PartyMember | None = None,
    occurred_at: datetime | None = None,
    location: str = "",
    note: str = "",
    verified: bool = False,
    verifies: DutyRecord | None = None,
) -> DutyRecord:
    """Append one act of duty to the ledger. The only way rows get into it; ``action`` must be
    a kind some app declared (``xianfeng.core.ledger``)."""
    ledger.get(action)
    record = DutyRecord(
        actor=actor,
        action=action,
        organization=organization,
        member=member,
        location=location,
        note=note,
        verified=verified,
        verifies=verifies,
    )
    if occurred_at is not None:
        record.occurred_at = occurred_at
    if target is not None:
        record.content_type = ContentType.objects.get_for_model(target)
        record.object_id = str(target.pk)
    record.save(force_insert=True)
    return record
