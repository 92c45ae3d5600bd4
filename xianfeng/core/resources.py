"""The resources whose permissions ``GET /me`` lists; core itself imports none of their apps.

Each app registers its models from its ``AppConfig.ready()`` with ``register_resource``: the
resource's name in the API (``organizations``, ``members`` ...), the model, the actions to
report and an ``order`` (``/me`` lists the resources by it). A name registered again replaces
the earlier entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from xianfeng.core.choices import Action

CRUD = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE)
# For models with protected fields (ID number, mobile).
SENSITIVE = (*CRUD, Action.VIEW_SENSITIVE)


@dataclass(frozen=True)
class Resource:
    name: str
    order: int
    model: type[models.Model]
    actions: tuple[str, ...]


_resources: dict[str, Resource] = {}


def register_resource(
    name: str, *, order: int, model: type[models.Model], actions: tuple[str, ...] = CRUD
) -> None:
    _resources[name] = Resource(name, order, model, actions)


def resources() -> list[Resource]:
    return sorted(_resources.values(), key=lambda r: (r.order, r.name))
