"""What exchange puts on core's pages: the home page's line of landlords' declarations waiting
for review. Called from ``ExchangeConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xianfeng.core import home
from xianfeng.core.choices import Action
from xianfeng.exchange.models import LandlordDeclaration


def register() -> None:
    home.register_todo(
        "declarations.submitted",
        order=50,
        label=_("份房东申报待审核（采纳后登记为出租户和租户）"),
        url="/exchange/declarations/?status=submitted",
        # Those the user may review: a read-only role sees the list but has nothing to do.
        count=lambda user, today: (
            LandlordDeclaration.objects.restrict(user, Action.CHANGE)
            .filter(status=LandlordDeclaration.Status.SUBMITTED)
            .count()
        ),
    )
