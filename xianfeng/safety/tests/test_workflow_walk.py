"""The hazard workflow's steps for the coverage test (xianfeng/tests/test_workflow_coverage.py):
each user step is taken by hand in ``test_services_safety.py`` (allowed, refused and in a
state that does not allow it); the overdue escalation is the job's step."""

from __future__ import annotations

USER_STEPS_WALKED_BY_HAND = {
    ("Hazard", step)
    for step in (
        "confirm",
        "dismiss",
        "assign",
        "start",
        "submit",
        "verify",
        "return",
        "close",
        "merge",
    )
}

#: Steps taken only by jobs, and the tests that take them.
SYSTEM_STEPS = {
    ("Hazard", "escalate"): "test_overdue_hazards_escalate_to_the_parent_organization_once",
}
