"""The API of the self-declared acts (自行申报) under ``/api/v1/``: the district's kinds (all
read them; the district adds them), a member's declaration with its photo (multipart), the list
in scope, one declaration, and one endpoint per workflow step (approve, reject). Errors answer
``{"detail": ..., "errors": ...}`` in Chinese."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xianfeng.core.api import ListParams, choice_label, errors_response, page_of, paginate
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.scoring import declarations
from xianfeng.scoring.models import SelfDeclaration, SelfDeclarationKind

router = Router(tags=[gettext_lazy("自行申报")])


class SelfDeclarationKindOut(Schema):
    id: int
    name: str
    description: str
    weight: Decimal
    active: bool


class SelfDeclarationKindIn(Schema):
    name: Text(60) = ""
    description: Text(200) = ""
    weight: Decimal = Field(Decimal(1), max_digits=5, decimal_places=2)


@router.get(
    "/scoring/self-declared/kinds",
    response=errors_response({200: list[SelfDeclarationKindOut]}),
    summary=gettext_lazy("可自行申报的事项（区委组织部设定）"),
)
def kind_list(request: HttpRequest) -> Any:
    return list(declarations.kinds(active_only=False))


@router.post(
    "/scoring/self-declared/kinds",
    response=errors_response({201: SelfDeclarationKindOut}),
    summary=gettext_lazy("添加自行申报事项（区委组织部）"),
)
def kind_create(request: HttpRequest, payload: SelfDeclarationKindIn) -> Any:
    return Status(201, declarations.kind_set(actor=request.user, **payload.model_dump()))


class SelfDeclarationOut(Schema):
    id: int
    member_id: int
    organization_id: int
    kind_id: int
    kind_name: str = Field(..., alias="kind.name")
    weight: Decimal
    description: str
    done_on: date
    photo_url: str
    state: str
    state_label: str
    submitted_by_id: int
    submitted_at: datetime
    reviewed_by_id: int | None
    review_note: str
    actions: list[str] = []

    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_photo_url(obj: SelfDeclaration) -> str:
        return obj.photo.url if obj.photo else ""


class SelfDeclarationFilters(ListParams):
    state: Text(20) | None = None
    mine: bool = False


@router.get(
    "/scoring/self-declared",
    response=errors_response({200: page_of(SelfDeclarationOut)}),
    summary=gettext_lazy("自行申报（我的，或管辖范围内待审核的）"),
)
def declaration_list(request: HttpRequest, filters: Query[SelfDeclarationFilters]) -> Any:
    qs = declarations.declarations(request.user, state=filters.state or "", mine=filters.mine)
    return paginate(qs, filters)


class SelfDeclarationIn(Schema):
    kind_id: DbInt
    description: Text(500) = ""
    done_on: date | None = None


def _declaration(request: HttpRequest, pk: int) -> SelfDeclaration:
    obj = get_object_for(
        user=request.user,
        model=SelfDeclaration,
        pk=pk,
        queryset=SelfDeclaration.objects.select_related("kind"),
    )
    obj.actions = actions(request.user, obj)
    return obj


@router.post(
    "/scoring/self-declared",
    response=errors_response({201: SelfDeclarationOut}),
    summary=gettext_lazy("党员自行申报履职事项（multipart，须附一张现场照片）"),
)
def declaration_create(
    request: HttpRequest, payload: Form[SelfDeclarationIn], photo: File[UploadedFile] = None
) -> Any:
    kind = SelfDeclarationKind.objects.filter(pk=payload.kind_id).first()
    obj = declarations.declaration_submit(
        actor=request.user,
        kind=kind,
        description=payload.description,
        done_on=payload.done_on,
        photo=photo,
    )
    return Status(201, _declaration(request, obj.pk))


@router.get(
    "/scoring/self-declared/{declaration_id}",
    response=errors_response({200: SelfDeclarationOut}),
    summary=gettext_lazy("一件自行申报"),
)
def declaration_detail(request: HttpRequest, declaration_id: DbInt) -> Any:
    return _declaration(request, declaration_id)


add_step_endpoints(
    router,
    model=SelfDeclaration,
    param="declaration_id",
    fetch=lambda request, pk: get_object_for(user=request.user, model=SelfDeclaration, pk=pk),
    response=SelfDeclarationOut,
    result=lambda request, obj: _declaration(request, obj.pk),
    paths={
        "approve": "/scoring/self-declared/{declaration_id}/approve",
        "reject": "/scoring/self-declared/{declaration_id}/reject",
    },
)
