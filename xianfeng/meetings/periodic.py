"""Periodic jobs of meetings (``xianfeng/meetings/tasks.py``): name -> seconds between runs."""

PERIODIC_JOBS: dict[str, int] = {
    "meetings.remind_rhythm": 6 * 3600,
}
