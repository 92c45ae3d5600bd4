"""Role sets: the one place that says which role kinds belong together.

Every app takes its sets from here; nothing else spells out a list of ``RoleKind`` values.
"""

from __future__ import annotations

from xianfeng.core.choices import RoleKind

#: Every role kind.
ALL_ROLES: frozenset[str] = frozenset(RoleKind.values)
#: Staff of the district, a street or a community: they set things up and dispatch.
ADMINS: frozenset[str] = frozenset(
    {RoleKind.DISTRICT_ADMIN, RoleKind.STREET_ADMIN, RoleKind.COMMUNITY_ADMIN}
)
#: Admins and the grid branch / building group secretary: they keep the grid's registry.
GRID_WRITERS: frozenset[str] = ADMINS | {RoleKind.GRID_SECRETARY}
#: Those who act in the field as members: claim tasks, log visits.
FIELD_ROLES: frozenset[str] = GRID_WRITERS | {RoleKind.MEMBER}
#: Who may see a full ID number or phone (each look is logged).
SENSITIVE_VIEWERS: frozenset[str] = GRID_WRITERS
# Who exports lists (a member or a unit liaison exports nothing: their pages are their own).
EXPORTERS: frozenset[str] = GRID_WRITERS | {RoleKind.AUDITOR}
# Who reads the log of reveals and full exports (敏感信息审计).
AUDIT_READERS: frozenset[str] = ADMINS | {RoleKind.AUDITOR}
# Whose organizations hold grids, buildings, zones and the 双领 board (the menu shows them):
# all but a unit's liaison, whose unit lies outside the communities' grids.
NEIGHBOURHOOD_ROLES: frozenset[str] = ALL_ROLES - {RoleKind.UNIT_LIAISON}
#: Everyone but the read-only auditor.
WRITERS: frozenset[str] = ALL_ROLES - {RoleKind.AUDITOR}
#: Who speaks for a resident unit: its liaison and the admins above it (评优评先征求社区意见).
UNIT_WRITERS: frozenset[str] = ADMINS | {RoleKind.UNIT_LIAISON}
#: Who reads a community's waiting orders (群众点单 not yet dispatched or claimed, with where the
#: resident lives): the staff who dispatch them and the auditor. A member or a liaison reads an
#: order once it is theirs or their team's, or one they entered; a team's leader reads the
#: waiting ones through the team (``services.models.OrderQuerySet``).
ORDER_QUEUE_READERS: frozenset[str] = GRID_WRITERS | {RoleKind.AUDITOR}
#: Nobody (a model nobody writes through the pages or API).
NOBODY: frozenset[str] = frozenset()
