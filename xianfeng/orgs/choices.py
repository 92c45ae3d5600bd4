from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("区委")
    STREET = "street", _("街道党工委")
    COMMUNITY = "community", _("社区党委/党总支")
    GRID_BRANCH = "grid_branch", _("网格党支部")
    BUILDING_GROUP = "building_group", _("楼栋党小组")
    AGENCY = "agency", _("机关党组织")
    NON_PUBLIC = "non_public", _("非公企业党组织")
    SOCIAL = "social", _("社会组织党组织")
    MOBILE = "mobile", _("流动党员党组织")
    MOBILE_HOME = "mobile_home", _("流动党员之家")
    RESIDENT_UNIT = "resident_unit", _("驻区单位")


# Which kinds may sit directly under which. Keeps the tree meaningful (a street under a grid
# branch makes no sense) while allowing the seeds' mixtures (an agency branch under a street).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    OrgKind.DISTRICT: {
        OrgKind.STREET,
        OrgKind.AGENCY,
        OrgKind.NON_PUBLIC,
        OrgKind.SOCIAL,
        OrgKind.MOBILE,
        OrgKind.RESIDENT_UNIT,
    },
    OrgKind.STREET: {
        OrgKind.COMMUNITY,
        OrgKind.AGENCY,
        OrgKind.NON_PUBLIC,
        OrgKind.SOCIAL,
        OrgKind.MOBILE,
        OrgKind.MOBILE_HOME,
        OrgKind.RESIDENT_UNIT,
    },
    OrgKind.COMMUNITY: {
        OrgKind.GRID_BRANCH,
        OrgKind.NON_PUBLIC,
        OrgKind.SOCIAL,
        OrgKind.MOBILE_HOME,
        OrgKind.RESIDENT_UNIT,
    },
    OrgKind.GRID_BRANCH: {OrgKind.BUILDING_GROUP},
    OrgKind.BUILDING_GROUP: set(),
    OrgKind.AGENCY: {OrgKind.AGENCY},
    OrgKind.NON_PUBLIC: {OrgKind.NON_PUBLIC},
    OrgKind.SOCIAL: {OrgKind.SOCIAL},
    OrgKind.MOBILE: {OrgKind.MOBILE, OrgKind.MOBILE_HOME},
    OrgKind.MOBILE_HOME: set(),
    OrgKind.RESIDENT_UNIT: {OrgKind.AGENCY, OrgKind.NON_PUBLIC},
}


class OrgCategory(models.TextChoices):
    """组织类别, as in the national basic-information collection."""

    COMMITTEE = "committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    GROUP = "group", _("党小组")
    NONE = "none", _("非党组织")


class UnitSituation(models.TextChoices):
    """党组织所在单位情况."""

    PARTY_ORGAN = "party_organ", _("党政机关")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise", _("非公有制企业")
    SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
    STREET = "street", _("街道")
    URBAN_COMMUNITY = "urban_community", _("城市社区（居委会）")
    VILLAGE = "village", _("建制村")
    OTHER = "other", _("其他")


class PairingKind(models.TextChoices):
    CO_BUILDING = "co_building", _("结对共建")
    DEPARTMENT_RESIDENCE = "department_residence", _("部门包居")
    TEN_ONES = "ten_ones", _("十个一")
    SAFETY_PAIRING = "safety_pairing", _("安全结对检查")
