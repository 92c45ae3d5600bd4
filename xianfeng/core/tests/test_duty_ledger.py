import pytest

from xianfeng.core.models import AppendOnlyError, DutyRecord
from xianfeng.core.services import duty_record
from xianfeng.core.testing import first_in, role_org
from xianfeng.places.models import Household

pytestmark = pytest.mark.django_db


def test_an_act_of_duty_is_recorded_with_its_target(personas):
    wangge = personas["wangge"]
    household = first_in(Household, role_org(wangge))
    record = duty_record(
        actor=wangge, action="visit.log", organization=role_org(wangge), target=household
    )
    assert record.target == household
    assert DutyRecord.objects.restrict(wangge).filter(pk=record.pk).exists()
    assert not DutyRecord.objects.restrict(personas["shequ2"]).filter(pk=record.pk).exists()


def test_the_ledger_cannot_be_edited_or_deleted(personas):
    wangge = personas["wangge"]
    record = duty_record(actor=wangge, action="visit.log", organization=role_org(wangge))
    record.note = "改写"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        DutyRecord.objects.filter(pk=record.pk).update(note="改写")
    with pytest.raises(AppendOnlyError):
        DutyRecord.objects.filter(pk=record.pk).delete()
    assert DutyRecord.objects.get(pk=record.pk).note == ""


def test_verification_is_a_new_record_pointing_at_the_first(personas):
    wangge, shequ = personas["wangge"], personas["shequ"]
    first = duty_record(actor=wangge, action="visit.log", organization=role_org(wangge))
    check = duty_record(
        actor=shequ,
        action="task.verify",
        organization=role_org(wangge),
        verifies=first,
        verified=True,
    )
    assert list(first.verifications.all()) == [check]


def test_a_kind_nobody_declared_is_refused_and_nothing_is_written(personas):
    from xianfeng.core.ledger import UnknownDutyKind
    from xianfeng.core.models import DutyRecord

    before = DutyRecord.objects.count()
    with pytest.raises(UnknownDutyKind):
        duty_record(
            actor=personas["wangge"], action="made.up", organization=role_org(personas["wangge"])
        )
    assert DutyRecord.objects.count() == before


def test_every_declared_kind_has_a_code_in_one_style_and_a_chinese_label():
    from xianfeng.core import ledger

    kinds = ledger.all_kinds()
    assert {k.app for k in kinds} >= {"people", "work", "exchange"}
    for kind in kinds:
        assert ledger.CODE_PATTERN.match(kind.code), kind.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(kind.label)), kind.code
