"""The transition walk (for tests): every step of every workflow, taken through the API and
through the page, by an actor who may and one who may not, in a state that allows it and one
that does not. Each app lists its walks; ``xianfeng/tests/test_workflow_walk_coverage.py``
proves that no declared step is left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType

from xianfeng.core import workflow
from xianfeng.core.models import DutyRecord


@dataclass
class Walk:
    model: type
    step: str
    #: makes a fresh object in a state that allows the step (called once per channel)
    ready: Callable[[dict[str, Any]], Any]
    #: makes an object in a state that does not allow it
    blocked: Callable[[dict[str, Any]], Any]
    may: str
    may_not: str
    api: str  # with {pk}
    page: str  # with {pk}
    inputs: dict[str, Any] = field(default_factory=dict)
    #: the API endpoint reads a form (multipart), not JSON (a step that takes files)
    api_form: bool = False

    @property
    def spec(self) -> workflow.Step:
        return next(s for s in workflow.steps_of(self.model) if s.name == self.step)

    def __str__(self) -> str:
        return f"{self.model.__name__}.{self.step}"


def _state(obj: Any, spec: workflow.Step) -> Any:
    obj.refresh_from_db()
    return getattr(obj, spec.field)


def _ledger_rows(obj: Any, kind: str) -> int:
    return DutyRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), action=kind
    ).count()


def _conflict(obj: Any, w: Walk, personas: dict[str, Any]) -> str:
    """The Chinese sentence the blocked object's state answers with."""
    try:
        workflow.check(obj, w.step, actor=personas[w.may])
    except workflow.StateConflict as exc:
        return exc.messages[0]
    raise AssertionError(f"{w}: the blocked object's state allows the step")


def _api_post(w: Walk, client: Any, url: str, body: dict[str, Any]) -> Any:
    if w.api_form:
        return client.post(url, body)
    return client.post(url, json.dumps(body), content_type="application/json")


def walk(w: Walk, personas: dict[str, Any], client_for: Callable[[str], Any]) -> None:
    spec = w.spec
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in w.inputs.items()}

    # --- the API --------------------------------------------------------------------------
    obj = w.ready(personas)
    before = _state(obj, spec)
    api = w.api.format(pk=obj.pk)
    refusal = spec.permits(obj, personas[w.may_not])
    assert refusal, (str(w), w.may_not, "may take the step: not a refused actor")
    answer = _api_post(w, client_for(w.may_not), api, body)
    assert answer.status_code == 403, (str(w), "may not", answer.status_code, answer.content)
    assert answer.json()["detail"], str(w)
    assert _state(obj, spec) == before, str(w)

    stuck = w.blocked(personas)
    stuck_state = _state(stuck, spec)
    conflict = _conflict(stuck, w, personas)
    answer = _api_post(w, client_for(w.may), w.api.format(pk=stuck.pk), body)
    assert answer.status_code == 409, (str(w), "blocked", answer.status_code, answer.content)
    assert conflict in answer.json()["detail"], (str(w), conflict)
    assert _state(stuck, spec) == stuck_state, str(w)

    answer = _api_post(w, client_for(w.may), api, body)
    assert answer.status_code == 200, (str(w), "may", answer.status_code, answer.content)
    if spec.target is not None:
        assert _state(obj, spec) == spec.target, str(w)
    assert _ledger_rows(obj, spec.ledger) == 1, (str(w), spec.ledger)

    # --- the page -------------------------------------------------------------------------
    obj = w.ready(personas)
    before = _state(obj, spec)
    page = w.page.format(pk=obj.pk)
    answer = client_for(w.may_not).post(page, body)
    assert answer.status_code == 403, (str(w), "page may not", answer.status_code)
    text = answer.content.decode()
    assert refusal in text, (str(w), refusal)
    assert "403.html" not in {t.name for t in answer.templates}, (str(w), "an error page")
    assert _state(obj, spec) == before, str(w)

    stuck = w.blocked(personas)
    conflict = _conflict(stuck, w, personas)
    answer = client_for(w.may).post(w.page.format(pk=stuck.pk), body)
    assert answer.status_code == 409, (str(w), "page blocked", answer.status_code)
    assert conflict in answer.content.decode(), (str(w), conflict)
    assert "409.html" not in {t.name for t in answer.templates}, str(w)

    answer = client_for(w.may).post(page, body)
    assert answer.status_code == 302, (str(w), "page may", answer.status_code)
    if spec.target is not None:
        assert _state(obj, spec) == spec.target, str(w)
    assert _ledger_rows(obj, spec.ledger) == 1, (str(w), spec.ledger)
