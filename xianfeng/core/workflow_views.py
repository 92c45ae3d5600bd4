"""Pages take workflow steps through one view: ``POST <object>/<pk>/<step>/``.

A refusal never shows an error page: the object's own page is shown again with the Chinese
message on it, answering 409 when the state does not allow the step, 403 when the user may
not take it, and 400 for a missing or wrong value. Out of scope stays 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from xianfeng.core import workflow
from xianfeng.core.validators import (
    LINE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    parse_db_int,
    validate_no_controls,
)
from xianfeng.core.views import ScopedView


def inputs_from_post(request: HttpRequest, spec: workflow.Step) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in spec.inputs:
        raw = request.POST.get(item.name, "").strip()
        if item.kind == "date":
            try:
                values[item.name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                message = _("日期格式应为2021-03-05。")
                raise ValidationError(
                    {item.name: ValidationError(message, code="invalid")}
                ) from None
        elif item.kind == "bool":
            values[item.name] = raw.lower() in ("1", "on", "true", "yes", item.name)
        elif item.kind == "member":
            values[item.name] = parse_db_int(raw)
        else:
            limit = TEXT_MAX_LENGTH if item.kind == "textarea" else LINE_MAX_LENGTH
            try:
                validate_no_controls(raw)
            except ValidationError as exc:
                raise ValidationError({item.name: exc.messages}) from None
            if len(raw) > limit:
                raise ValidationError(
                    {
                        item.name: _("最多%(limit)d个字符（现在有%(n)d个）。")
                        % {"limit": limit, "n": len(raw)}
                    }
                )
            values[item.name] = raw
    return values


def take_on_page(request: HttpRequest, obj: Any, name: str, **extra: Any) -> int | None:
    """Take a step from a page form. Answers ``None`` on success (a success message queued),
    else the status of the refusal (its message queued for the page shown again). ``extra``
    are values the form sends that are not the step's declared inputs (a list of boxes)."""
    spec = next(s for s in workflow.steps_of(type(obj)) if s.name == name)
    try:
        values = inputs_from_post(request, spec)
        workflow.take(obj, name, actor=request.user, **values, **extra)
    except workflow.StateConflict as exc:
        messages.error(request, "；".join(exc.messages))
        return 409
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您的角色无权进行此操作。"))
        return 403
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return 400
    messages.success(request, str(spec.done))
    return None


class StepView(ScopedView):
    """Subclasses name the model and say which page shows the object (``object_page``) and
    where success goes (``success_url``)."""

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        raise NotImplementedError

    def success_url(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        name = action.replace("-", "_")
        if name not in {s.name for s in workflow.steps_of(self.model) if not s.system}:
            raise Http404
        obj = self.object_for(pk)
        status = take_on_page(request, obj, name)
        if status is None:
            return redirect(self.success_url(obj))
        response = self.object_page(request, self.object_for(pk))
        response.status_code = status
        return response
