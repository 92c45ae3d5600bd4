"""The one way to read domain data: ``Model.objects.restrict(user, action)``.

Every domain model declares ``scope_lookups``: the paths from the model to the organization(s)
it belongs to. A user sees a row when one of its organizations lies in the subtree of an
organization where the user holds a role that allows the action. Superusers see everything.
Views, the API, exports and reports all read through ``restrict``; the permission matrix test
proves it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.db import connections, models, router
from django.db.models import Q
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn

from xianfeng.core.choices import Action, RoleKind

if TYPE_CHECKING:
    from xianfeng.core.models import User

from xianfeng.core.roles import (
    ADMINS,
    ALL_ROLES,
    EXPORTERS,
    FIELD_ROLES,
    GRID_WRITERS,
    SENSITIVE_VIEWERS,
    WRITERS,
)

# Which role kinds may take which action on which model (by "app_label.model_name").
# Viewing is open to every role within its subtree; the auditor never writes.
_WRITE_RULES: dict[str, frozenset[str]] = {
    "orgs.organization": ADMINS,
    "orgs.pairing": ADMINS,
    "people.person": GRID_WRITERS,
    "people.partymember": GRID_WRITERS,
    "people.resident": GRID_WRITERS,
    "places.grid": ADMINS,
    "places.building": GRID_WRITERS,
    "places.household": GRID_WRITERS,
    "places.responsibilityzone": GRID_WRITERS,
    "core.dutyrecord": WRITERS,
    "core.sensitiveaccess": frozenset(),
}


def allowed_role_kinds(model: type[models.Model], action: str) -> frozenset[str]:
    """Role kinds that may take the action. A model of a later app declares its own rules as
    ``scope_write_roles = {"add": ..., "change": ..., "delete": ...}`` (or one frozenset for
    all three); the table above covers the foundation's models."""
    label = model._meta.label_lower
    if action == Action.VIEW:
        return ALL_ROLES
    if action == Action.VIEW_SENSITIVE:
        return SENSITIVE_VIEWERS
    declared = getattr(model, "scope_write_roles", None)
    if isinstance(declared, dict):
        return frozenset(declared.get(action, frozenset()))
    if declared is not None:
        return frozenset(declared)
    return _WRITE_RULES.get(label, frozenset())


@dataclass(frozen=True)
class ActiveRole:
    kind: str
    organization_id: int
    path: str
    organization_name: str

    @property
    def kind_label(self) -> str:
        return str(RoleKind(self.kind).label)


def active_roles(user: User) -> list[ActiveRole]:
    """The user's active roles, loaded once per user object (so once per request)."""
    cached = getattr(user, "_xf_roles", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False):
        return []
    from xianfeng.core.models import Role

    # The ORM's query (``roles_queryset``) written out once: every signed-in page and API call
    # asks it, and compiling it was a tenth of an API list's CPU (issue 11). The test compares
    # the two for every persona.
    with connections[router.db_for_read(Role)].cursor() as cursor:
        cursor.execute(_roles_sql(cursor.db.vendor), [user.pk, True])
        roles = [ActiveRole(*row) for row in cursor.fetchall()]
    user._xf_roles = roles
    return roles


def roles_queryset(user: User) -> models.QuerySet:
    """The user's active roles as ``active_roles`` reads them, through the ORM."""
    return (
        user.roles.filter(is_active=True)
        .order_by("organization__depth", "id")
        .values_list("kind", "organization_id", "organization__path", "organization__name")
    )


@cache
def _roles_sql(vendor: str) -> str:
    from xianfeng.core.models import Role

    quote = connections[router.db_for_read(Role)].ops.quote_name
    org = Role._meta.get_field("organization").related_model

    def column(model: type[models.Model], field: str) -> str:
        return quote(model._meta.get_field(field).column)

    return (
        f"SELECT r.{column(Role, 'kind')}, r.{column(Role, 'organization')}, "
        f"o.{column(org, 'path')}, o.{column(org, 'name')} "
        f"FROM {quote(Role._meta.db_table)} r INNER JOIN {quote(org._meta.db_table)} o "
        f"ON o.{column(org, 'id')} = r.{column(Role, 'organization')} "
        f"WHERE r.{column(Role, 'user')} = %s AND r.{column(Role, 'is_active')} = %s "
        f"ORDER BY o.{column(org, 'depth')}, r.{column(Role, 'id')}"
    )


# Where a member serves beyond their branch: an in-service member's service place (服务地) in
# the residence community that accepted their 报到. The people app registers the function
# (``user -> organization paths``); core imports no domain app.
_service_place_sources: list[Callable[[User], list[str]]] = []


def register_service_places(source: Callable[[User], list[str]]) -> None:
    """Add a source of the communities a user serves in as a member (``AppConfig.ready``)."""
    if source not in _service_place_sources:
        _service_place_sources.append(source)


def service_place_paths(user: User) -> list[str]:
    """Paths of the communities where the user, a member acting in the field, holds a current
    service place; loaded once per user object, and only for an account that is a member."""
    cached = getattr(user, "_xf_service_places", None)
    if cached is not None:
        return cached
    cached = []
    if getattr(user, "person_id", None) and any(r.kind in FIELD_ROLES for r in active_roles(user)):
        cached = sorted({p for source in _service_place_sources for p in source(user)})
    user._xf_service_places = cached
    return cached


def scope_paths(user: User, model: type[models.Model], action: str) -> list[str] | None:
    """Organization paths whose subtrees the user may act on; ``None`` means everything.
    A service place counts as a member's role at that community: where members may act,
    the member acts there too."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    # Worked out once per user object (so once per request) and model and action, like the
    # roles it comes from: a page asks for the same scope in its filter, COUNT, buttons and menu.
    cache = getattr(user, "_xf_scope_paths", None)
    if cache is None:
        cache = user._xf_scope_paths = {}
    key = (model._meta.label_lower, action)
    if key in cache:
        return list(cache[key])
    kinds = allowed_role_kinds(model, action)
    paths = {r.path for r in active_roles(user) if r.kind in kinds}
    if RoleKind.MEMBER in kinds:
        paths.update(service_place_paths(user))
    # Drop paths already covered by an ancestor path, to keep the SQL short.
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    cache[key] = tuple(kept)
    return kept


def may_export(user: User, active: list[ActiveRole] | None = None) -> bool:
    """Whether the user exports lists at all (the 数据 menu and the export buttons)."""
    active = active_roles(user) if active is None else active
    return user.is_superuser or any(r.kind in EXPORTERS for r in active)


def user_can(user: User, action: str, model: type[models.Model]) -> bool:
    """Whether the user may take the action on some rows of this model (for showing buttons)."""
    paths = scope_paths(user, model, action)
    return paths is None or bool(paths)


class ScopedQuerySet(models.QuerySet):
    def restrict(
        self, user: User, action: str = Action.VIEW, *, rules_of: type[models.Model] | None = None
    ) -> ScopedQuerySet:
        """Rows the user may take ``action`` on. ``rules_of`` asks with another model's rules:
        ``Organization.objects.restrict(user, "add", rules_of=PartyMember)`` are the
        organizations where the user may register members."""
        paths = scope_paths(user, rules_of or self.model, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        return self.filter(self.scope_condition(paths))

    def scope_condition(self, paths: list[str]) -> Q:
        """The rows whose organization(s) lie under one of ``paths`` (not empty), as a
        condition: what ``restrict`` filters by, for a model that widens its own scope."""
        lookups = self.model.scope_lookups
        if len(lookups) > 1:
            return _any_organization_in(self.model, lookups, paths)
        prefix = f"{lookups[0]}__path" if lookups[0] else "path"
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{prefix}__startswith": path})
        return condition


def _any_organization_in(
    model: type[models.Model], lookups: tuple[str, ...], paths: list[str]
) -> Q:
    """A row with several organizations (a visit's and the one it was reported to): the
    organizations in scope as one subquery that each foreign key is tested against. Joining the
    organizations once per lookup and OR-ing their paths made PostgreSQL filter every joined row
    (a COUNT of one community's visits joined all 11,767 of the district's) and spend 2-5 ms
    planning a page (issue 11)."""
    in_scope = Q()
    for path in paths:
        in_scope |= Q(path__startswith=path)
    condition = Q()
    subqueries: dict[type[models.Model], models.QuerySet] = {}  # built once per target model
    for lookup in lookups:
        if not lookup:  # the row is an organization itself
            condition |= in_scope
            continue
        target = model
        for name in lookup.split("__"):
            target = target._meta.get_field(name).related_model
        if target not in subqueries:
            subqueries[target] = target._base_manager.filter(in_scope).values("pk")
        condition |= Q(**{f"{lookup}__{InScope.lookup_name}": subqueries[target]})
    return condition


@ForeignObject.register_lookup
class InScope(RelatedIn):
    """``fk__xf_in_scope=<subquery of organization ids>``: ``IN (subquery)``, written
    ``= ANY(ARRAY(subquery))`` on PostgreSQL. The array is computed once (an init plan) and
    each foreign key's index is probed with it, the probes OR-ed in a bitmap: a community's
    visits are counted from the index (0.9 ms) instead of testing every visit of the district
    against a hashed subplan (3.4 ms; at ten million visits the difference is the table)."""

    lookup_name = "xf_in_scope"

    def get_rhs_op(self, connection, rhs):
        if connection.vendor == "postgresql" and rhs.startswith("(SELECT"):
            return f"= ANY(ARRAY{rhs})"
        return super().get_rhs_op(connection, rhs)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass
