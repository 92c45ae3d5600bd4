"""API action endpoints made from a workflow's declarations: one ``POST`` per step.

The body schema is built from the step's inputs with every field optional, so nothing about
the body is checked before the step's own checks: a state that does not allow the step
answers 409, an actor who may not take it 403, and only then does a missing required value
answer 400 — whatever the request sent. Out of scope stays 404 (the caller's ``fetch``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import create_model

from xianfeng.core import workflow
from xianfeng.core.api import errors_response
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text

# One-line inputs (a reason, a note) are at most 200 characters (the narrowest column a step
# writes them into), multi-line ones TEXT_MAX_LENGTH; neither takes control characters.
TEXT_INPUT = Text(LINE_MAX_LENGTH)
TEXTAREA_INPUT = Text(TEXT_MAX_LENGTH)
_TYPES: dict[str, Any] = {
    "text": TEXT_INPUT,
    "textarea": TEXTAREA_INPUT,
    "date": date,
    "member": DbInt,
    "bool": bool,
}
_STRINGS = (TEXT_INPUT, TEXTAREA_INPUT)


def step_body(model: type, spec: workflow.Step) -> type[Schema] | None:
    if not spec.inputs:
        return None
    fields: dict[str, Any] = {}
    for item in spec.inputs:
        kind = _TYPES.get(item.kind, TEXT_INPUT)
        default: Any = "" if kind in _STRINGS else (False if kind is bool else None)
        annotation = kind if kind in (*_STRINGS, bool) else kind | None
        fields[item.name] = (annotation, Field(default, description=str(item.label)))
    name = f"{model.__name__}{''.join(p.title() for p in spec.name.split('_'))}In"
    return create_model(name, __base__=Schema, **fields)


def add_step_endpoints(
    router: Router,
    *,
    model: type,
    paths: dict[str, str],
    fetch: Callable[[HttpRequest, int], Any],
    response: Any,
    result: Callable[[HttpRequest, Any], Any] = lambda request, obj: obj,
    param: str = "pk",
    overrides: dict[str, tuple[Any, Callable[[HttpRequest, Any], Any]]] | None = None,
) -> None:
    """Register ``POST <paths[step]>`` for every user step of ``model``'s workflow.

    ``paths`` names each step's URL (with ``{param}`` in it), or ``None`` for a step whose
    endpoint is written by hand (files in the body); a step missing from it is an error, so a
    new step cannot quietly lack its endpoint. ``result(request, obj)`` is what the endpoint
    answers; ``overrides`` gives a step its own response schema and result (a note added,
    rather than the case it was added to)."""
    overrides = overrides or {}
    steps = [s for s in workflow.steps_of(model) if not s.system]
    missing = [s.name for s in steps if s.name not in paths]
    if missing:
        raise LookupError(f"no API path for steps {missing} of {model.__name__}")
    for spec in steps:
        if paths[spec.name] is None:
            continue
        body = step_body(model, spec)
        schema, answer = overrides.get(spec.name, (response, result))

        def view(
            request: HttpRequest,
            _spec: workflow.Step = spec,
            _answer: Callable[[HttpRequest, Any], Any] = answer,
            **kwargs: Any,
        ) -> Any:
            payload = kwargs.pop("payload", None)
            obj = fetch(request, kwargs[param])
            values = payload.dict() if payload is not None else {}
            return _answer(request, workflow.take(obj, _spec.name, actor=request.user, **values))

        annotations: dict[str, Any] = {"request": HttpRequest, param: int}
        params = [param]
        if body is not None:
            annotations["payload"] = body | None
            params.append("payload")
        view = _with_signature(view, annotations, params, body is not None)
        view.__name__ = f"{model.__name__.lower()}_{spec.name}"
        router.post(
            paths[spec.name],
            response=errors_response({200: schema}),
            summary=str(spec.label),
            operation_id=view.__name__,
        )(view)


def _with_signature(
    view: Callable[..., Any], annotations: dict[str, Any], params: list[str], has_body: bool
) -> Callable[..., Any]:
    """A plain function with the exact signature ninja reads (path id, optional body)."""
    import inspect

    def endpoint(request: HttpRequest, **kwargs: Any) -> Any:
        return view(request, **kwargs)

    sig_params = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter(
            params[0], inspect.Parameter.KEYWORD_ONLY, annotation=annotations[params[0]]
        ),
    ]
    if has_body:
        sig_params.append(
            inspect.Parameter(
                "payload",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotations["payload"],
                default=None,
            )
        )
    endpoint.__signature__ = inspect.Signature(sig_params)
    endpoint.__annotations__ = annotations
    return endpoint
