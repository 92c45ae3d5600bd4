"""Periodic jobs of services (``xianfeng/services/tasks.py``): name -> seconds between runs."""

PERIODIC_JOBS: dict[str, int] = {
    "services.orders_overdue": 900,
}
