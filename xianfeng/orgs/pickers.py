"""The organization picker (search as you type, htmx): one radio per organization, the chosen
one first, then what a search by name, short name or code finds, in the tree's order.

A form field says which organizations it offers as an :class:`OrgSpec`; the widget carries the
spec signed, so the picker's search (``orgs:picker``) offers exactly what the form accepts and
nobody widens it by editing the request. The user's scope applies on top, always."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.apps import apps
from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.roles import ADMINS
from xianfeng.core.scope import active_roles
from xianfeng.orgs.models import Organization

if TYPE_CHECKING:
    from xianfeng.core.models import User

PICKER_ROWS = 20
SALT = "xianfeng.orgs.picker"


@dataclass(frozen=True)
class OrgSpec:
    """Which organizations a field offers.

    ``action`` and ``rules_of`` (a model label such as ``"work.task"``) go to ``restrict``;
    ``action=""`` offers organizations outside the user's scope too (a pairing's partner), and
    then ``kinds`` must bound them. ``under`` is a path prefix; ``strictly_below_own`` leaves
    out the organizations where the user is an admin (one supervises those below)."""

    action: str = Action.VIEW
    rules_of: str = ""
    under: str = ""
    kinds: tuple[str, ...] = ()
    strictly_below_own: bool = False

    def sign(self) -> str:
        return signing.dumps(asdict(self), salt=SALT, compress=True)

    @classmethod
    def unsign(cls, token: str) -> OrgSpec | None:
        try:
            data = signing.loads(token, salt=SALT)
            return cls(**{**data, "kinds": tuple(data.get("kinds", ()))})
        except (signing.BadSignature, TypeError, ValueError):
            return None


def offered(user: User, spec: OrgSpec) -> QuerySet[Organization]:
    """The organizations the spec offers this user."""
    if spec.action:
        model = apps.get_model(spec.rules_of) if spec.rules_of else None
        qs = Organization.objects.restrict(user, spec.action, rules_of=model)
    else:
        if not spec.kinds:
            return Organization.objects.none()
        qs = Organization.objects.all()
    if spec.kinds:
        qs = qs.filter(kind__in=spec.kinds)
    if spec.under:
        qs = qs.filter(path__startswith=spec.under)
    if spec.strictly_below_own and not user.is_superuser:
        below = Q(pk__in=[])
        for role in active_roles(user):
            if role.kind in ADMINS:
                below |= Q(path__startswith=role.path) & ~Q(pk=role.organization_id)
        qs = qs.filter(below)
    elif spec.strictly_below_own:
        qs = qs.filter(parent__isnull=False)
    return qs


def org_choices(
    *, user: User, spec: OrgSpec, q: str = "", chosen: int | None = None
) -> dict[str, Any]:
    """The picker's rows: the chosen organization, then up to ``PICKER_ROWS`` found, and how
    many more a longer search would narrow to."""
    base = offered(user, spec).only("id", "name", "short_name", "code", "kind", "path")
    picked = base.filter(pk=chosen).first() if chosen else None
    qs = base.exclude(pk=picked.pk) if picked else base
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(code__istartswith=q))
    rows = list(qs.order_by("path")[: PICKER_ROWS + 1])
    more = qs.count() - PICKER_ROWS if len(rows) > PICKER_ROWS else 0
    return {"picked": picked, "found": rows[:PICKER_ROWS], "more": more, "q": q}


class OrganizationPickerWidget(forms.Widget):
    template_name = "orgs/widgets/org_picker.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user: Any = None
        self.spec: OrgSpec | None = None
        self.empty_label: str = ""
        self.group_label: str = ""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = int(value) if str(value or "").isdigit() else None
        widget = context["widget"]
        widget["token"] = self.spec.sign() if self.spec else ""
        widget["empty_label"] = self.empty_label
        widget["group_label"] = self.group_label
        widget["choices_ctx"] = (
            org_choices(user=self.user, spec=self.spec, chosen=chosen)
            if self.user is not None and self.spec is not None
            else {"picked": None, "found": [], "more": 0, "q": ""}
        )
        return context


class OrganizationPickerField(forms.ModelChoiceField):
    """A choice of one organization among possibly thousands: set it up with ``limit_to``."""

    widget = OrganizationPickerWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Organization.objects.none())
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("所选组织不存在或不在您的管辖范围内。")}
        )
        super().__init__(*args, **kwargs)

    def limit_to(self, *, user: Any, spec: OrgSpec) -> None:
        self.queryset = offered(user, spec)
        self.widget.user, self.widget.spec = user, spec
        self.widget.empty_label = "" if self.required else str(_("不指定"))
        self.widget.group_label = str(self.label or "")

    def label_from_instance(self, obj: Organization) -> str:
        return obj.display_name
