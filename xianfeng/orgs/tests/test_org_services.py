import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.testing import role_org
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization, path_segment
from xianfeng.orgs.services import (
    organization_create,
    organization_delete,
    organization_move,
    organization_update,
    pairing_create,
)

pytestmark = pytest.mark.django_db


def test_a_community_admin_creates_a_grid_branch_with_a_proper_path(personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    org = organization_create(
        actor=shequ, parent=community, kind=OrgKind.GRID_BRANCH, name="测试网格党支部", code="T-1"
    )
    assert org.path == community.path + path_segment(org.pk)
    assert org.depth == community.depth + 1
    first = org.history.earliest()
    assert first.history_user == shequ
    assert first.path == org.path


def test_a_kind_that_cannot_sit_under_the_parent_is_refused(personas):
    shequ = personas["shequ"]
    with pytest.raises(ValidationError) as exc:
        organization_create(
            actor=shequ, parent=role_org(shequ), kind=OrgKind.STREET, name="错", code="T-2"
        )
    assert "不能设立" in str(exc.value)
    assert not Organization.objects.filter(code="T-2").exists()


def test_creating_under_a_parent_outside_scope_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        organization_create(
            actor=personas["shequ"],
            parent=role_org(personas["shequ2"]),
            kind=OrgKind.GRID_BRANCH,
            name="越权",
            code="T-3",
        )
    assert "管辖范围" in str(exc.value)


def test_only_a_superuser_creates_a_root(personas):
    with pytest.raises(PermissionDenied):
        organization_create(
            actor=personas["qu"], parent=None, kind=OrgKind.DISTRICT, name="另一个区", code="T-4"
        )


def test_a_duplicate_code_is_refused_with_a_chinese_message(personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    with pytest.raises(ValidationError) as exc:
        organization_create(
            actor=shequ,
            parent=community,
            kind=OrgKind.GRID_BRANCH,
            name="重复",
            code=community.code,
        )
    assert "组织代码已被其他组织使用" in str(exc.value)


def test_moving_a_subtree_rewrites_every_path_and_keeps_the_old_parent_in_history(personas):
    qu = personas["qu"]
    branch = role_org(personas["wangge"])
    old_parent = branch.parent
    new_parent = role_org(personas["shequ2"])
    descendants = list(Organization.objects.filter(path__startswith=branch.path))
    assert len(descendants) >= 1
    organization_move(actor=qu, org=branch, new_parent=new_parent)
    branch.refresh_from_db()
    assert branch.parent == new_parent
    assert branch.path == new_parent.path + path_segment(branch.pk)
    for org in descendants:
        org.refresh_from_db()
        assert org.path.startswith(branch.path)
        assert org.depth == org.path.count(".") - 1
    previous = branch.history.order_by("-history_date")[1]
    assert previous.parent_id == old_parent.pk
    assert old_parent.name in branch.history.latest().history_change_reason


def test_moving_an_organization_under_its_own_descendant_is_refused(personas):
    qu = personas["qu"]
    community = role_org(personas["shequ"])
    child = community.children.first()
    before = community.path
    with pytest.raises(ValidationError) as exc:
        organization_move(actor=qu, org=community, new_parent=child)
    assert "下级组织之下" in str(exc.value)
    community.refresh_from_db()
    assert community.path == before


def test_a_community_admin_cannot_move_their_own_community(personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    with pytest.raises(ValidationError):
        organization_move(actor=shequ, org=community, new_parent=role_org(personas["shequ2"]))


def test_deleting_an_organization_with_children_or_members_is_refused(personas):
    community = role_org(personas["shequ"])
    with pytest.raises(ValidationError) as exc:
        organization_delete(actor=personas["qu"], org=community)
    message = str(exc.value)
    assert "下级组织" in message
    assert Organization.objects.filter(pk=community.pk).exists()


def test_an_empty_organization_can_be_deleted_and_its_history_remains(personas):
    shequ = personas["shequ"]
    org = organization_create(
        actor=shequ, parent=role_org(shequ), kind=OrgKind.GRID_BRANCH, name="临时", code="T-5"
    )
    organization_delete(actor=shequ, org=org)
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert Organization.history.filter(id=org.pk, history_type="-").exists()


def test_an_update_is_recorded_with_its_author(personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    organization_update(actor=shequ, org=community, address="新地址1号")
    latest = community.history.latest()
    assert latest.history_user == shequ
    assert latest.address == "新地址1号"


def test_a_bad_contact_phone_is_refused(personas):
    shequ = personas["shequ"]
    with pytest.raises(ValidationError) as exc:
        organization_update(actor=shequ, org=role_org(shequ), contact_phone="12345")
    assert "电话" in str(exc.value)


def test_a_pairing_needs_one_side_in_scope(personas):
    with pytest.raises(ValidationError):
        pairing_create(
            actor=personas["shequ"],
            org_a=role_org(personas["shequ2"]),
            org_b=role_org(personas["danwei"]),
            kind="co_building",
            starts_on="2026-01-01",
        )


def test_a_pairing_of_an_organization_with_itself_is_refused(personas):
    community = role_org(personas["shequ"])
    with pytest.raises(ValidationError):
        pairing_create(
            actor=personas["shequ"],
            org_a=community,
            org_b=community,
            kind="co_building",
            starts_on="2026-01-01",
        )
