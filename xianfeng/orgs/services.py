"""Writes to the organization tree and pairings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import related
from xianfeng.core.choices import Action
from xianfeng.core.services import (
    apply_fields,
    duty_record,
    require_org_in_scope,
    save_unique_with_history,
    save_with_history,
)
from xianfeng.orgs.choices import ALLOWED_CHILDREN, OrgKind
from xianfeng.orgs.models import Organization, Pairing, PairingDelivery, path_segment

if TYPE_CHECKING:
    from xianfeng.core.models import User

ORG_EDITABLE_FIELDS = (
    "name",
    "short_name",
    "code",
    "category",
    "unit_situation",
    "unit_name",
    "secretary",
    "contact_name",
    "contact_phone",
    "address",
    "latitude",
    "longitude",
    "boundary",
    "established_on",
    "sort_order",
)


def _check_child_kind(parent: Organization | None, kind: str) -> None:
    if parent is None:
        if kind != OrgKind.DISTRICT:
            raise ValidationError({"parent": _("只有区委可以作为根组织，请选择上级组织。")})
        return
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationError(
            {
                "kind": _("“%(parent_kind)s”下不能设立“%(kind)s”。")
                % {
                    "parent_kind": OrgKind(parent.kind).label,
                    "kind": OrgKind(kind).label,
                }
            }
        )


@transaction.atomic
def organization_create(
    *, actor: User, parent: Organization | None, kind: str, name: str, code: str, **fields: Any
) -> Organization:
    if parent is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("只有超级管理员可以创建根组织。"))
    else:
        require_org_in_scope(
            user=actor, org=parent, model=Organization, action=Action.ADD, field="parent"
        )
    if kind not in OrgKind.values:
        raise ValidationError({"kind": _("未知的组织类型。")})
    _check_child_kind(parent, kind)
    org = Organization(parent=parent, kind=kind, name=name, code=code, path="-", **fields)
    org.depth = parent.depth + 1 if parent else 0
    save_with_history(instance=org, actor=actor, reason=_("新建组织"))
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    # The path needs the primary key; this second save is the same creation, not an edit.
    Organization.objects.filter(pk=org.pk).update(path=org.path)
    org.history.filter(history_type="+").update(path=org.path)
    return org


@transaction.atomic
def organization_update(*, actor: User, org: Organization, **fields: Any) -> Organization:
    org = Organization.objects.select_for_update().get(pk=org.pk)
    apply_fields(org, fields, ORG_EDITABLE_FIELDS)
    save_with_history(instance=org, actor=actor, reason=_("修改组织信息"))
    return org


@transaction.atomic
def organization_move(*, actor: User, org: Organization, new_parent: Organization) -> Organization:
    """Move an organization (and its subtree) under another parent; history keeps the old one."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    if org.parent_id is None:
        raise ValidationError({"parent": _("根组织不能移动。")})
    # The actor must be able to change the old parent's subtree (so not just its own root)
    # and add under the new parent.
    require_org_in_scope(
        user=actor, org=org.parent, model=Organization, action=Action.CHANGE, field="parent"
    )
    require_org_in_scope(
        user=actor, org=new_parent, model=Organization, action=Action.ADD, field="parent"
    )
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("不能把组织移动到它自己或它的下级组织之下。")})
    if new_parent.pk == org.parent_id:
        raise ValidationError({"parent": _("该组织已经在所选上级组织之下。")})
    _check_child_kind(new_parent, org.kind)
    old_path, new_path = org.path, new_parent.path + path_segment(org.pk)
    delta = new_parent.depth + 1 - org.depth
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    org.refresh_from_db()
    org.parent = new_parent
    save_with_history(
        instance=org,
        actor=actor,
        reason=_("从“%(old)s”移至“%(new)s”")
        % {"old": Organization.objects.get(pk=_parent_id(old_path)).name, "new": new_parent.name},
    )
    return org


def _parent_id(path: str) -> int:
    return int([seg for seg in path.split(".") if seg][-2])


def organization_delete_blockers(org: Organization) -> list[str]:
    """Why an organization cannot be deleted (empty when it can): its own children, roles,
    duty records and pairings, then what the higher apps registered (members, grids...)."""
    checks = [
        (org.children.count(), _("%(n)d个下级组织")),
        (org.roles.count(), _("%(n)d个用户角色")),
        (org.duty_records.count(), _("%(n)d条履职记录")),
        (
            Pairing.objects.filter(org_a=org).count() + Pairing.objects.filter(org_b=org).count(),
            _("%(n)d项结对共建"),
        ),
    ]
    reasons = [text % {"n": count} for count, text in checks[:1] if count]
    reasons += related.delete_blockers(org)
    reasons += [text % {"n": count} for count, text in checks[1:] if count]
    return reasons


@transaction.atomic
def organization_delete(*, actor: User, org: Organization) -> None:
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if org.parent_id is None:
        raise ValidationError(_("根组织不能删除。"))
    require_org_in_scope(
        user=actor, org=org.parent, model=Organization, action=Action.DELETE, field="parent"
    )
    blockers = organization_delete_blockers(org)
    if blockers:
        raise ValidationError(
            _("该组织下还有%(things)s，请先移走或删除后再删除该组织。")
            % {"things": "、".join(blockers)}
        )
    org._history_user = actor
    org.delete()


PAIRING_FIELDS = ("kind", "starts_on", "ends_on", "commitments_a", "commitments_b", "note")


@transaction.atomic
def pairing_create(
    *, actor: User, org_a: Organization, org_b: Organization, **fields: Any
) -> Pairing:
    # One side in the actor's scope is enough: a community pairs with a unit outside it.
    if not (_in(actor, org_a, Action.ADD, Pairing) or _in(actor, org_b, Action.ADD, Pairing)):
        raise ValidationError({"org_a": _("结对双方至少有一方须在您的管辖范围内。")})
    pairing = Pairing(org_a=org_a, org_b=org_b, **fields)
    save_unique_with_history(instance=pairing, actor=actor, reason=_("新建结对"))
    return pairing


@transaction.atomic
def pairing_update(*, actor: User, pairing: Pairing, **fields: Any) -> Pairing:
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    apply_fields(pairing, fields, PAIRING_FIELDS)
    save_unique_with_history(instance=pairing, actor=actor, reason=_("修改结对"))
    return pairing


def _in(actor: User, org: Organization, action: str, model: type) -> bool:
    from xianfeng.core.services import org_in_scope

    return org_in_scope(user=actor, org=org, model=model, action=action)


def delivery_sides(actor: User, pairing: Pairing) -> list[Organization]:
    """The sides of the pairing whose deliveries the actor may record (one's own side)."""
    return [
        org
        for org in (pairing.org_a, pairing.org_b)
        if _in(actor, org, Action.ADD, PairingDelivery)
    ]


@transaction.atomic
def pairing_delivery_record(
    *, actor: User, pairing: Pairing, organization: Organization, done_on: date, content: str
) -> PairingDelivery:
    """Record that one side did something it promised; one duty record for its organization."""
    if organization.pk not in (pairing.org_a_id, pairing.org_b_id):
        raise ValidationError({"organization": _("履行方须是结对的一方。")})
    if not _in(actor, organization, Action.ADD, PairingDelivery):
        raise PermissionDenied(_("只能登记本方组织的承诺履行。"))
    today = timezone.localdate()
    if done_on > today:
        raise ValidationError({"done_on": _("履行日期不能晚于今天。")})
    if done_on < pairing.starts_on:
        raise ValidationError({"done_on": _("履行日期不能早于结对开始日期。")})
    if pairing.ends_on and done_on > pairing.ends_on:
        raise ValidationError({"done_on": _("履行日期不能晚于结对结束日期。")})
    content = " ".join(content.split())
    if not content:
        raise ValidationError({"content": _("请填写履行内容。")})
    delivery = PairingDelivery(
        pairing=pairing,
        organization=organization,
        done_on=done_on,
        content=content,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:
        delivery.validate_constraints()
        raise
    duty_record(
        actor=actor,
        action="pairing.deliver",
        organization=organization,
        target=delivery,
        occurred_at=timezone.make_aware(datetime.combine(done_on, time(12))),
        note=content,
    )
    return delivery
