"""Every step of every workflow is walked (issue 8): each installed app's
``tests/test_workflow_walk.py`` lists its walks (``WALKS``), the user steps it walks by hand
(``USER_STEPS_WALKED_BY_HAND``) and the tests of its system steps (``SYSTEM_STEPS``); a step
declared on any model and missing from them fails here. Every step's ledger kind is declared."""

from __future__ import annotations

import importlib

from django.apps import apps

from xianfeng.core import ledger
from xianfeng.core.workflow import steps_of


def _walk_modules() -> list:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("xianfeng."):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.tests.test_workflow_walk"))
        except ModuleNotFoundError:
            continue
    return found


def _declared() -> dict[tuple[str, str], bool]:
    return {
        (model.__name__, spec.name): spec.system
        for model in apps.get_models()
        for spec in steps_of(model)
    }


def test_every_step_of_every_workflow_is_walked():
    walked: set[tuple[str, str]] = set()
    system: set[tuple[str, str]] = set()
    for module in _walk_modules():
        walked |= {(w.model.__name__, w.step) for w in getattr(module, "WALKS", [])}
        walked |= set(getattr(module, "USER_STEPS_WALKED_BY_HAND", {}))
        system |= set(getattr(module, "SYSTEM_STEPS", {}))
    declared = _declared()
    models = {m for m, _s in declared}
    assert {"Task", "Supervision", "MemberCase", "PartyMember", "Townsman"} <= models
    assert {"LandlordDeclaration", "ImportRun"} <= models
    missing = sorted(k for k, is_system in declared.items() if not is_system and k not in walked)
    assert not missing, f"steps without a walk: {missing}"
    missing = sorted(k for k, is_system in declared.items() if is_system and k not in system)
    assert not missing, f"system steps without a test: {missing}"
    assert walked | system <= set(declared), "a walk names a step nobody declared"


def test_every_step_writes_a_declared_ledger_kind():
    for model in apps.get_models():
        for spec in steps_of(model):
            assert ledger.is_declared(spec.ledger), (model.__name__, spec.name, spec.ledger)
