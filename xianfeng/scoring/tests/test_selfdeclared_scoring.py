"""Point rules on the self-declared acts with a photo that go to review (自行申报的服务时长:
the member uploads a photo, the community confirms or declines) and on hours served: the
points come with the community's confirmation, per hour (the rule's multiplier reads the
session's hours), and a declined declaration earns nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xianfeng.community import hours
from xianfeng.community.tests import factories as cf
from xianfeng.scoring.models import PointEntry
from xianfeng.scoring.tests.helpers import award, rule, total
from xianfeng.work.tests.factories import JPEG

pytestmark = pytest.mark.django_db


def _photo():
    return SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")


def test_a_self_declared_act_earns_when_the_community_confirms_it(personas):
    member = cf.in_service_member()
    cf.reported(member, personas["shequ"])
    user = cf.account_for(member)
    today = timezone.localdate()
    rule(
        personas["qu"],
        "service.confirm",
        start=today,
        points=2,
        multiplier_field="hours",
        multiplier_base=1,
    )
    kept = hours.session_log(
        actor=user, served_on=today, hours="1.5", content="清理楼道杂物", photo=_photo()
    )
    declined = hours.session_log(
        actor=user, served_on=today, hours="3", content="值守", photo=_photo()
    )
    award()
    # declared, not yet reviewed: nothing earned (the report to the community earned its own)
    assert not PointEntry.objects.filter(member=member, kind__startswith="service.").exists()
    before = total(member)

    hours.session_confirm(actor=personas["shequ"], session=kept)
    hours.session_reject(actor=personas["shequ"], session=declined, note="照片不是服务现场")
    award()
    entries = list(
        PointEntry.objects.filter(member=member, kind__startswith="service.").select_related(
            "record"
        )
    )
    # 2 points an hour for the confirmed 1.5 hours; the declined 3 hours earn nothing
    assert [(e.kind, e.points) for e in entries] == [("service.confirm", Decimal("3.00"))]
    assert entries[0].record.object_id == str(kept.pk)
    assert award() == 0 and total(member) == before + 3  # processed once only
