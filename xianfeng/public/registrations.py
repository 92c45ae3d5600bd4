"""What the public app puts on core's pages: the home page's lines for staff (problems waiting
for moderation, results waiting to be checked). Called from ``PublicConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xianfeng.core import home
from xianfeng.public import selectors
from xianfeng.public.choices import ProblemState


def register() -> None:
    home.register_todo(
        "problems.pending",
        order=28,
        label=_("条群众反映的问题待审核"),
        url="/public/problems/?state=pending",
        count=lambda user, today: selectors.staff_count(user, ProblemState.PENDING),
    )
    home.register_todo(
        "problems.solved",
        order=29,
        label=_("条问题已办结待核实公开"),
        url="/public/problems/?state=solved",
        count=lambda user, today: selectors.staff_count(user, ProblemState.SOLVED),
    )
