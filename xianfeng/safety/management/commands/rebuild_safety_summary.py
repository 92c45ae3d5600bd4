"""Recompute the per-day hazard summary (``xianfeng.safety.summary``) from the hazards: after a
bulk load or any write that bypassed ``Hazard.save``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xianfeng.safety import summary


class Command(BaseCommand):
    help = "Recompute the per-day hazard summary tables that the safety figures read."

    def handle(self, *args: Any, **options: Any) -> None:
        written = summary.rebuild()
        self.stdout.write(
            f"hazard days: {written['days']} rows, open hazards: {written['due']} rows"
        )
