"""Phones and ID numbers inside free text are masked for roles that may not reveal them (the
auditor), on pages and in the API; grid secretaries and admins see them in full."""

from __future__ import annotations

import pytest

from xianfeng.core.sensitive import mask_text
from xianfeng.people import lifecycle
from xianfeng.people.models import PartyMember

pytestmark = pytest.mark.django_db


def test_mask_text_masks_numbers_and_leaves_the_rest():
    text = "妻子 13812345678，身份证 53010219900101123X，门牌 12号"
    masked = mask_text(text)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "53010219900101123X" not in masked and masked.count("*") > 4
    assert "门牌 12号" in masked and "妻子" in masked


def test_the_auditor_sees_a_flow_out_contact_masked(personas, client_for):
    member = PartyMember.objects.filter(
        branch__code="XF-S01-C01-G01", person__user__isnull=True
    ).first()
    case = lifecycle.member_flow_out(
        actor=personas["wangge"], member=member, destination="深圳", contact="妻子 13812345678"
    )
    for who, full in (("jiancha", False), ("wangge", True)):
        page = client_for(who).get(f"/member-cases/{case.pk}/").content.decode()
        api = client_for(who).get(f"/api/v1/members/{member.pk}/cases").json()
        assert ("13812345678" in page) is full, who
        assert ("13812345678" in api[0]["contact"]) is full, who
        if not full:
            assert "138****5678" in page and api[0]["contact"] == "妻子 138****5678"
