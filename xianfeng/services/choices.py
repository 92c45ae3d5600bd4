"""Choices of the services app: resource kinds, project status, order sources and states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    ROOM = "room", _("阅览室/活动室")
    VENUE = "venue", _("活动场地")
    PARKING = "parking", _("停车位")
    TOILET = "toilet", _("公共厕所")
    WATER = "water", _("饮水点")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    ACTIVE = "active", _("实施中")
    DONE = "done", _("已完成")
    PAUSED = "paused", _("暂停")


class OrderSource(models.TextChoices):
    MENU = "menu", _("群众点单（服务清单）")
    OWN_WORDS = "own_words", _("群众点单（自述诉求）")
    PROXY = "proxy", _("工作人员代办")
    VISIT = "visit", _("走访发现诉求")


class OrderState(models.TextChoices):
    NEW = "new", _("待派单")
    DISPATCHED = "dispatched", _("已派单待接单")
    ACCEPTED = "accepted", _("已接单办理中")
    DONE = "done", _("已办结待评价")
    RATED = "rated", _("已评价")
    REJECTED = "rejected", _("不予受理")


#: States in which an order is still being handled (Open311 "open").
OPEN_STATES = (OrderState.NEW, OrderState.DISPATCHED, OrderState.ACCEPTED)
#: States in which it is finished (Open311 "closed").
CLOSED_STATES = (OrderState.DONE, OrderState.RATED, OrderState.REJECTED)


def open311_status(state: str) -> str:
    """Our state as Open311 GeoReport v2 writes it: ``open`` or ``closed``."""
    return "open" if state in OPEN_STATES else "closed"


class ComplaintState(models.TextChoices):
    PENDING = "pending", _("待核实")
    CONFIRMED = "confirmed", _("属实")
    DISMISSED = "dismissed", _("不属实")


class ComplaintSource(models.TextChoices):
    RESIDENT = "resident", _("群众在线投诉")
    PHONE = "phone", _("电话投诉（工作人员代录）")


class ComplaintSubject(models.TextChoices):
    ORDER = "order", _("点单办理")
    PROBLEM = "problem", _("问题办理")
