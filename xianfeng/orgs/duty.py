"""Duty-record kinds written by organizations (see ``xianfeng.core.ledger``)."""

from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger

ledger.declare("orgs", {"pairing.deliver": _("履行结对承诺")})
