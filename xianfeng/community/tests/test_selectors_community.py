"""The townsmen list of the page and of the API come from one selector: for the same user and
filter they list the same ids (first page) and the same count."""

from __future__ import annotations

import pytest

from xianfeng.community.models import Townsman
from xianfeng.visits.tests import factories as f
from xianfeng.work.tests.test_selectors_work import same_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def townsmen(personas):
    member = f.dangyuan()
    Townsman.objects.create(member=member, organization=member.branch, name="甲", phone="")
    Townsman.objects.create(
        member=member, organization=member.branch, name="乙", phone="", state="ended"
    )


@pytest.mark.parametrize("who", ["qu", "shequ", "wangge", "dangyuan", "jiancha", "shequ2"])
@pytest.mark.parametrize("ended", [False, True])
def test_townsman_list_page_and_api_agree(client_for, townsmen, who, ended):
    # dangyuan is no mobile member: the page shows everyone's in scope, like the API's default.
    page = "/work/townsmen/?all=1" + ("&ended=1" if ended else "")
    api = "/api/v1/townsmen" + ("?ended=true" if ended else "")
    same_ids(client_for(who), page, api)
