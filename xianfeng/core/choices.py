from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区委组织部管理员")
    STREET_ADMIN = "street_admin", _("街道党工委管理员")
    COMMUNITY_ADMIN = "community_admin", _("社区党组织管理员")
    GRID_SECRETARY = "grid_secretary", _("网格党支部/楼栋党小组书记")
    MEMBER = "member", _("党员")
    UNIT_LIAISON = "unit_liaison", _("驻区单位联络员")
    AUDITOR = "auditor", _("纪检督查（只读）")


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    ADD = "add", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    VIEW_SENSITIVE = "view_sensitive", _("查看完整身份证号与手机号")
