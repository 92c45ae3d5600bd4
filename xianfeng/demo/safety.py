"""Safety in the demo district: the default checklists (the migration writes them; a test run
that emptied the tables needs them again)."""

from __future__ import annotations

from xianfeng.demo.context import Context
from xianfeng.safety.defaults import ensure_default_checklists


def build_safety_demo(ctx: Context) -> None:
    made = ensure_default_checklists()
    if made:
        ctx.created["checklists"] = ctx.created.get("checklists", 0) + made
