"""Periodic jobs of safety (``xianfeng/safety/tasks.py``): name -> seconds between runs."""

PERIODIC_JOBS: dict[str, int] = {
    "safety.escalate_overdue": 900,
    "safety.escalate_patrols": 3600,
}
