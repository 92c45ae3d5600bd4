"""Choices of the public app: problem categories, sources and states, ratings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemCategory(models.TextChoices):
    ENVIRONMENT = "environment", _("环境卫生")
    FACILITIES = "facilities", _("公共设施")
    SAFETY = "safety", _("安全隐患")
    TRAFFIC = "traffic", _("交通停车")
    NEIGHBOURS = "neighbours", _("邻里纠纷")
    SERVICE = "service", _("便民服务")
    OTHER = "other", _("其他")


class ProblemSource(models.TextChoices):
    RESIDENT = "resident", _("居民反映")
    MEETING = "meeting", _("会议提出")
    VISIT = "visit", _("走访发现")
    ORDER = "order", _("群众点单")
    OPEN311 = "open311", _("其他系统（Open311）")


class ProblemState(models.TextChoices):
    PENDING = "pending", _("待审核")
    REJECTED = "rejected", _("未予公开")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    SOLVED = "solved", _("已办结待核实")
    PUBLISHED = "published", _("已解决")
    CLOSED_UNSOLVED = "closed_unsolved", _("已关闭（未解决）")
    MERGED = "merged", _("已合并")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


P = ProblemState
#: On the public wall (moderated and not merged away).
WALL_STATES = (P.ACCEPTED, P.IN_PROGRESS, P.SOLVED, P.PUBLISHED, P.CLOSED_UNSOLVED)
#: Still being worked on: residents may add their support.
OPEN_STATES = (P.ACCEPTED, P.IN_PROGRESS, P.SOLVED)

#: Length limits of what a resident types.
TITLE_MAX = 60
TEXT_MAX = 1000
NAME_MAX = 20
ADDRESS_MAX = 120
#: How long after publication the reporter's rating link works.
RATING_DAYS = 30
