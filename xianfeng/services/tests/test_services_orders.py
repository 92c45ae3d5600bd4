"""Orders as services: a resident's order (checked, throttled, matched to a building), 代办,
a visit's request, and every step down to the resident's rating."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.workflow import StateConflict, take
from xianfeng.demo.base import persona_member
from xianfeng.services import services
from xianfeng.services.choices import OrderSource, OrderState
from xianfeng.services.models import Order
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db


def kinds(order: Order) -> list[str]:
    return list(
        DutyRecord.objects.filter(object_id=order.pk, action__startswith="order.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_resident_orders_in_their_own_words_and_the_order_is_queued_at_the_community(personas):
    community = f.community_of(personas["shequ"])
    order = f.order(community)
    assert order.state == OrderState.NEW and order.source == OrderSource.OWN_WORDS
    assert order.community == community and order.organization == community
    assert len(order.code) == 8 and order.deadline > timezone.now()
    assert kinds(order) == ["order.create"]


def test_an_order_from_the_menu_takes_the_service_time_limit_and_finds_the_building(personas):
    community = f.community_of(personas["shequ"])
    building = f.building_under(f.role_org(personas["wangge"]))
    service = f.service_at(community, time_limit_hours=6)
    order = f.order(
        community, service=service.code, content="", address=f"{building.address}2单元301"
    )
    assert order.service == service and order.source == OrderSource.MENU
    assert order.building == building and order.organization == building.organization
    assert order.deadline <= timezone.now() + timedelta(hours=6)


def test_bad_input_is_refused_field_by_field_in_chinese(personas):
    with pytest.raises(ValidationError) as caught:
        services.create_public_order(
            community="999999",
            name="",
            phone="12345",
            address="x" * 500,
            content="",
            client_ip="1.2.3.4",
        )
    errors = caught.value.message_dict
    assert set(errors) == {"community", "name", "phone", "address", "content"}
    assert "本区" in errors["community"][0] and "11位" in errors["phone"][0]
    assert "不超过120" in errors["address"][0]
    assert not Order.objects.filter(name="").exists()


def test_a_service_of_another_community_is_refused(personas):
    here = f.community_of(personas["shequ"])
    there = f.community_of(personas["shequ2"])
    with pytest.raises(ValidationError) as caught:
        f.order(here, service=f.service_at(there).pk)
    assert "service" in caught.value.message_dict


def test_orders_are_limited_per_phone_address_and_client(personas):
    community = f.community_of(personas["shequ"])
    phone = f.phone()
    for i in range(services.LIMITS["phone"][0]):
        f.order(community, phone=phone, address=f"甲{i}号", client_ip=f"9.9.9.{i}")
    with pytest.raises(services.OrderThrottled):
        f.order(community, phone=phone, address="乙1号", client_ip="9.9.8.1")
    for i in range(services.LIMITS["ip"][0]):
        f.order(community, address=f"丙{i}号", client_ip="7.7.7.7")
    with pytest.raises(services.OrderThrottled):
        f.order(community, address="丁1号", client_ip="7.7.7.7")


def test_the_whole_loop_dispatch_accept_serve_rate_writes_each_kind(personas):
    community = f.community_of(personas["shequ"])
    member = persona_member("dangyuan")
    order = f.order(community)
    take(order, "dispatch", actor=personas["shequ"], member=str(member.pk))
    assert order.state == OrderState.DISPATCHED and order.assignee == member
    with pytest.raises(PermissionDenied):
        take(order, "accept", actor=personas["wangge"])
    take(order, "accept", actor=personas["dangyuan"])
    with pytest.raises(ValidationError):
        take(order, "serve", actor=personas["dangyuan"], note="")
    take(order, "serve", actor=personas["dangyuan"], note="已修好", photo=f.photo())
    assert order.state == OrderState.DONE and order.done_photo.name
    found = services.order_for_token(services.rating_token(order))
    services.order_rate(order=found, rating="5", comment="很及时")
    order.refresh_from_db()
    assert order.state == OrderState.RATED and order.rating == 5
    with pytest.raises(StateConflict) as again:
        services.order_rate(order=order, rating=1)
    assert "已经评价过" in again.value.messages[0]
    assert kinds(order) == [
        "order.create",
        "order.dispatched",
        "order.accepted",
        "order.served",
        "order.rated",
    ]


def test_a_declined_order_goes_back_to_the_queue_with_the_reason(personas):
    community = f.community_of(personas["shequ"])
    member = persona_member("dangyuan")
    order = f.order(community)
    take(order, "dispatch", actor=personas["shequ"], member=member.pk)
    with pytest.raises(ValidationError):
        take(order, "decline", actor=personas["dangyuan"], reason=" ")
    take(order, "decline", actor=personas["dangyuan"], reason="本周在外地出差")
    assert order.state == OrderState.NEW and order.assignee is None
    assert order.decline_reason == "本周在外地出差"
    assert kinds(order)[-1] == "order.declined"


def test_an_order_held_by_a_member_who_left_goes_back_to_the_queue(personas):
    from xianfeng.people.choices import MemberStatus
    from xianfeng.people.models import PartyMember

    community = f.community_of(personas["shequ"])
    member = persona_member("dangyuan")
    order = f.order(community)
    take(order, "dispatch", actor=personas["shequ"], member=member.pk)
    held = Order.objects.filter(
        assignee=member, state__in=(OrderState.DISPATCHED, OrderState.ACCEPTED)
    ).count()
    PartyMember.objects.filter(pk=member.pk).update(status=MemberStatus.TRANSFERRED_OUT)
    assert services.release_orders_of_absent_members() == held
    assert not Order.objects.filter(
        assignee=member, state__in=(OrderState.DISPATCHED, OrderState.ACCEPTED)
    ).exists()
    order.refresh_from_db()
    assert order.state == OrderState.NEW and order.assignee is None
    assert kinds(order)[-1] == "order.released"


def test_a_forged_or_expired_link_and_a_wrong_code_are_refused_in_chinese(personas):
    order = f.order(f.community_of(personas["shequ"]))
    token = services.rating_token(order)
    with pytest.raises(services.RatingLinkInvalid, match="无效"):
        services.order_for_token(token[:-3] + "abc")
    forged = signing.dumps({"o": order.pk, "c": order.code}, salt="another")
    with pytest.raises(services.RatingLinkInvalid, match="无效"):
        services.order_for_token(forged)
    later = timezone.now() + timedelta(days=services.RATING_DAYS + 1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("time.time", lambda: later.timestamp())
        with pytest.raises(services.RatingLinkInvalid, match="过期"):
            services.order_for_token(token)
    with pytest.raises(services.RatingLinkInvalid, match="不正确"):
        services.order_for_code(order.code, "0000")
    assert services.order_for_code(order.code.lower(), order.phone[-4:]) == order


def test_staff_order_for_an_elderly_resident_in_scope_only(personas):
    here = f.community_of(personas["shequ"])
    order = services.order_create_proxy(
        actor=personas["shequ"],
        community=here,
        name="李爷爷",
        phone="",
        address="幸福里",
        content="代买药",
    )
    assert order.source == OrderSource.PROXY and kinds(order) == ["order.proxy"]
    with pytest.raises(PermissionDenied):
        services.order_create_proxy(
            actor=personas["shequ2"],
            community=here,
            name="李爷爷",
            phone="",
            address="幸福里",
            content="代买药",
        )


def test_a_visit_with_a_resident_request_opens_an_order_linked_to_it(personas):
    from xianfeng.places.models import Household
    from xianfeng.visits.models import Visit

    member = persona_member("dangyuan")
    household = Household.objects.filter(
        organization__path__startswith=f.role_org(personas["wangge"]).path
    ).first()
    visit = Visit.objects.create(
        member=member,
        recorded_by=personas["dangyuan"],
        household=household,
        building=household.building,
        organization=household.organization,
        visited_at=timezone.now(),
        suggestions="希望帮忙申请居家养老服务",
        raises_request=True,
    )
    order = Order.objects.get(visit=visit)
    assert order.source == OrderSource.VISIT and order.household == household
    assert order.content == "希望帮忙申请居家养老服务"
    assert order.community == household.organization.community()


def test_the_community_dispatches_to_a_team_whose_leader_receives_it(personas):
    from xianfeng.community.choices import TeamKind, TeamRole
    from xianfeng.community.models import Team, TeamMembership

    community = f.community_of(personas["shequ"])
    leader = persona_member("dangyuan")
    team = Team.objects.create(
        organization=community, name="点单志愿服务队", kind=TeamKind.VOLUNTEER
    )
    TeamMembership.objects.create(
        team=team, member=leader, role=TeamRole.LEADER, joined_on=timezone.localdate()
    )
    order = f.order(community)
    with pytest.raises(ValidationError) as both:
        take(order, "dispatch", actor=personas["shequ"], member=leader.pk, team=team.pk)
    assert "team" in both.value.message_dict
    with pytest.raises(ValidationError) as neither:
        take(order, "dispatch", actor=personas["shequ"])
    assert "请选择接单党员或队伍" in neither.value.messages[0]
    take(order, "dispatch", actor=personas["shequ"], team=str(team.pk))
    assert order.team == team and order.assignee == leader
    take(order, "accept", actor=personas["dangyuan"])
    take(order, "decline", actor=personas["dangyuan"], reason="队员都在外地")
    assert order.state == OrderState.NEW and order.team is None and order.assignee is None
    other = Team.objects.create(
        organization=f.community_of(personas["shequ2"]), name="别的社区的队", kind=TeamKind.PATROL
    )
    with pytest.raises(ValidationError) as elsewhere:
        take(order, "dispatch", actor=personas["admin"], team=other.pk)
    assert "不属于这个社区" in elsewhere.value.message_dict["team"][0]
