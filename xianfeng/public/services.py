"""Writes of the public app: residents' reports (moderated before they show), staff entries
from meetings, visits and orders, support (+1), the reporter's rating and reopening, and
members' choices for the zone boards."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ratelimit, workflow
from xianfeng.core.services import save_with_history
from xianfeng.core.validators import normalize_text, validate_mobile, validate_no_controls
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.public.choices import (
    ADDRESS_MAX,
    NAME_MAX,
    OPEN_STATES,
    RATING_DAYS,
    TEXT_MAX,
    TITLE_MAX,
    ProblemCategory,
    ProblemSource,
    ProblemState,
)
from xianfeng.public.models import BoardChoice, Problem, ProblemSupport
from xianfeng.public.wallcache import wall_changed

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.people.models import PartyMember
    from xianfeng.places.models import ResponsibilityZone

#: Reports per client address and per phone (a day), and support per address (an hour).
REPORT_LIMITS = {"address": (5, 3600), "phone": (3, 86400)}
SUPPORT_LIMIT = (30, 3600)


def subject_of(value: str) -> str:
    """A one-way mark of a phone or an address (never kept in clear for support)."""
    return hashlib.blake2b(value.encode(), digest_size=16).hexdigest()


def report_allowed(*, address: str, phone: str = "") -> bool:
    """Count one report from this client address (and phone): False once over a limit; the
    counters live in the shared cache (Redis in production) so they hold across processes."""
    limits = {f"ip:{address}": REPORT_LIMITS["address"]}
    if phone:
        limits[f"phone:{phone}"] = REPORT_LIMITS["phone"]
    return ratelimit.allow("public.report", limits)


def support_allowed(*, address: str) -> bool:
    return ratelimit.allow("public.support", {f"ip:{address}": SUPPORT_LIMIT})


def _clean(
    errors: dict[str, list[str]],
    field: str,
    value: Any,
    limit: int,
    *,
    required: bool,
    missing: str,
) -> str:
    # Kept as the resident wrote it: full-width punctuation (，？（）) stays full-width. NFKC
    # would turn it into ASCII; only a phone number is normalised (full-width digits).
    text = str(value or "").strip()
    if not text:
        if required:
            errors.setdefault(field, []).append(missing)
        return ""
    try:
        validate_no_controls(text)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
    if len(text) > limit:
        errors.setdefault(field, []).append(
            _("最多%(limit)d个字符（现在有%(n)d个）。") % {"limit": limit, "n": len(text)}
        )
    return text


def community_of(organization: Organization) -> Organization | None:
    """The community an organization belongs to (itself, or its ancestor of that kind)."""
    if organization.kind == OrgKind.COMMUNITY:
        return organization
    return (
        Organization.objects.filter(kind=OrgKind.COMMUNITY)
        .filter(pk__in=_ancestor_ids(organization))
        .first()
    )


def _ancestor_ids(organization: Organization) -> list[int]:
    ids, node = [], organization
    while node.parent_id is not None:
        ids.append(node.parent_id)
        node = node.parent
    return ids


@transaction.atomic
def problem_report(
    *,
    organization: Organization,
    category: str,
    title: str,
    description: str = "",
    address: str = "",
    name: str = "",
    phone: str = "",
    client: str = "",
    zone: ResponsibilityZone | None = None,
    source: str = ProblemSource.RESIDENT,
    latitude: Any = None,
    longitude: Any = None,
) -> Problem:
    """A resident's (or another system's) report: kept as pending, shown on the wall only once
    staff approve it. The reporter counts as its first supporter. Raises ``ValidationError``
    with every message at once, so the form keeps what was typed."""
    errors: dict[str, list[str]] = {}
    if category not in ProblemCategory.values:
        errors.setdefault("category", []).append(_("请选择问题类别。"))
    title = _clean(
        errors, "title", title, TITLE_MAX, required=True, missing=_("请用一句话写明问题。")
    )
    description = _clean(errors, "description", description, TEXT_MAX, required=False, missing="")
    address = _clean(errors, "address", address, ADDRESS_MAX, required=False, missing="")
    name = _clean(errors, "name", name, NAME_MAX, required=False, missing="")
    phone = normalize_text(str(phone or "")).replace(" ", "").replace("-", "")
    if phone:
        try:
            validate_mobile(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    community = community_of(organization)
    if community is None:
        errors.setdefault("__all__", []).append(_("这个地点不在本区的社区内，无法受理。"))
    if errors:
        raise ValidationError(errors)
    problem = Problem(
        organization=organization,
        community=community,
        zone=zone,
        source=source,
        category=category,
        title=title,
        description=description,
        address=address,
        reporter_name=name,
        reporter_phone=phone,
        latitude=latitude,
        longitude=longitude,
    )
    save_with_history(instance=problem, actor=None, reason=_("居民反映"))
    subject = subject_of(f"phone:{phone}" if phone else f"ip:{client}")
    ProblemSupport.objects.create(problem=problem, subject=subject)
    Problem.objects.filter(pk=problem.pk).update(supporters=1)
    problem.supporters = 1
    return problem


@transaction.atomic
def problem_raise(
    *,
    actor: User,
    organization: Organization,
    source: str,
    category: str,
    title: str,
    description: str = "",
    address: str = "",
    source_note: str = "",
    visit: Any = None,
) -> Problem:
    """Staff put a problem raised in a meeting, a visit or an order on the wall: no moderation
    (their own words), straight to accepted; writes ``problem.report``. ``visit`` links the
    visit it was found on (one the actor can read)."""
    if (
        not Organization.objects.restrict(actor, "add", rules_of=Problem)
        .filter(pk=organization.pk)
        .exists()
    ):
        raise PermissionDenied(_("您不能为该组织登记问题。"))
    errors: dict[str, list[str]] = {}
    if source not in ProblemSource.values or source == ProblemSource.RESIDENT:
        errors.setdefault("source", []).append(_("请选择问题来源（会议、走访或点单）。"))
    if category not in ProblemCategory.values:
        errors.setdefault("category", []).append(_("请选择问题类别。"))
    title = _clean(
        errors, "title", title, TITLE_MAX, required=True, missing=_("请用一句话写明问题。")
    )
    description = _clean(errors, "description", description, TEXT_MAX, required=False, missing="")
    address = _clean(errors, "address", address, ADDRESS_MAX, required=False, missing="")
    source_note = _clean(errors, "source_note", source_note, 120, required=False, missing="")
    community = community_of(organization)
    if community is None:
        errors.setdefault("organization", []).append(_("请选择社区或社区以下的组织。"))
    if visit is not None:
        from xianfeng.visits.models import Visit

        # The visit must be one the actor can read, and the problem its own (走访发现).
        if not Visit.objects.restrict(actor).filter(pk=visit.pk).exists():
            raise PermissionDenied(_("您不能查看这次走访，不能据此登记问题。"))
        if source != ProblemSource.VISIT:
            errors.setdefault("source", []).append(_("由走访登记的问题，来源应为“走访发现”。"))
    if errors:
        raise ValidationError(errors)
    problem = Problem(
        organization=organization,
        community=community,
        source=source,
        source_note=source_note,
        category=category,
        title=title,
        description=description,
        address=address,
        visit=visit,
        raised_by=actor,
        state=ProblemState.ACCEPTED,
    )
    save_with_history(instance=problem, actor=actor, reason=_("登记问题"))
    workflow.write_ledger(problem, "problem.report", actor=actor, note=title)
    return problem


def problem_support(*, problem: Problem, client: str, phone: str = "") -> bool:
    """A resident's +1 on a problem still being worked on; False when this phone or address
    supported it already (counted once)."""
    if problem.state not in OPEN_STATES:
        raise ValidationError(_("这个问题已经办结或关闭，不能再附议。"))
    subject = subject_of(f"phone:{phone}" if phone else f"ip:{client}")
    try:
        with transaction.atomic():
            ProblemSupport.objects.create(problem=problem, subject=subject)
    except IntegrityError:
        return False
    from django.db.models import F

    Problem.objects.filter(pk=problem.pk).update(supporters=F("supporters") + 1)
    wall_changed(problem.community_id)
    return True


def secret_matches(problem: Problem, secret: str) -> bool:
    """The reporter's link is genuine (compared in constant time)."""
    return secrets.compare_digest(problem.reporter_secret.encode(), str(secret or "").encode())


def _reporter(problem: Problem, secret: str) -> None:
    if not secret_matches(problem, secret):
        raise PermissionDenied(_("链接无效，请使用反映问题时得到的链接。"))


def problem_rate(*, problem: Problem, secret: str, rating: str, comment: str = "") -> Problem:
    """The reporter rates the published result, once per publication, within RATING_DAYS."""
    _reporter(problem, secret)
    echo = problem.latest_echo
    if echo is not None and echo.published_at < timezone.now() - timedelta(days=RATING_DAYS):
        message = _("评议期已过（公开后%(d)d天内可评议）。") % {"d": RATING_DAYS}
        raise ValidationError({"rating": message})
    if len(str(comment or "")) > 200:
        raise ValidationError({"comment": _("评议意见最多200个字符。")})
    return workflow.take(problem, "rate", actor=None, rating=rating, comment=comment)


def problem_reopen(*, problem: Problem, secret: str, reason: str) -> Problem:
    """Unsatisfied, the reporter sends it back to be worked on again (once)."""
    _reporter(problem, secret)
    return workflow.take(problem, "reopen", actor=None, reason=reason)


def problem_complain(*, problem: Problem, secret: str, content: str, client_ip: str = "") -> Any:
    """群众投诉: the reporter, unhappy with how the problem was handled, complains to the
    community from their own link; the member behind the account that solved it is the one
    complained about (services keeps complaints and their verification)."""
    from xianfeng.people.members import member_of
    from xianfeng.services import complaints

    _reporter(problem, secret)
    solver = member_of(problem.solved_by) if problem.solved_by_id else None
    return complaints.complaint_about_problem(
        organization=problem.organization,
        community=problem.community,
        problem_code=problem.code,
        members=[solver] if solver is not None else [],
        content=content,
        name=problem.reporter_name,
        client_ip=client_ip,
    )


def _check_image(photo: Any) -> None:
    from PIL import Image, UnidentifiedImageError

    if photo.size > 5 * 1024 * 1024:
        raise ValidationError({"photo": _("照片不能超过5MB。")})
    try:
        with Image.open(photo) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError({"photo": _("请上传JPG或PNG格式的照片。")}) from None
    photo.seek(0)


def board_choice_set(
    *, actor: User, member: PartyMember, show_name: bool, show_photo: bool, photo: Any = None
) -> BoardChoice:
    """A member's choice of what the public boards show of them (their own, nobody else's)."""
    from xianfeng.people.members import member_of

    own = member_of(actor)
    if own is None or own.pk != member.pk:
        raise PermissionDenied(_("只能设置自己在公示牌上的显示内容。"))
    choice = BoardChoice.objects.filter(member=member).first() or BoardChoice(member=member)
    choice.show_name = show_name
    choice.show_photo = show_photo
    if photo is not None:
        _check_image(photo)
        choice.photo = photo
    if show_photo and not choice.photo:
        raise ValidationError({"photo": _("要显示照片，请先上传一张照片。")})
    save_with_history(instance=choice, actor=actor, reason=_("设置公示牌显示内容"))
    return choice


# --- moderators edit the public text ---------------------------------------------------------

EDIT_REASON_MAX = 200


def _moderator(problem: Problem, actor: User) -> None:
    from xianfeng.public.workflows import staff

    refusal = staff(problem, actor)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _edit_reason(errors: dict[str, list[str]], reason: Any) -> str:
    return _clean(
        errors,
        "reason",
        reason,
        EDIT_REASON_MAX,
        required=True,
        missing=_("请写明编辑的理由（例如：删去了个人信息）。"),
    )


@transaction.atomic
def problem_text_edit(
    *,
    actor: User,
    problem: Problem,
    title: str,
    description: str = "",
    address: str = "",
    reason: str,
) -> Problem:
    """A moderator corrects what the wall shows of a problem (a phone number typed into the
    description, an insult, a wrong address): the original stays in the history, the public
    page says the text was edited, and ``problem.edit`` is written. Not a state change: any
    state but merged."""
    _moderator(problem, actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    errors: dict[str, list[str]] = {}
    title = _clean(
        errors, "title", title, TITLE_MAX, required=True, missing=_("请用一句话写明问题。")
    )
    description = _clean(errors, "description", description, TEXT_MAX, required=False, missing="")
    address = _clean(errors, "address", address, ADDRESS_MAX, required=False, missing="")
    reason = _edit_reason(errors, reason)
    if problem.state == ProblemState.MERGED:
        errors.setdefault("__all__", []).append(_("已合并的问题不再公开，无需编辑。"))
    if not errors and (title, description, address) == (
        problem.title,
        problem.description,
        problem.address,
    ):
        errors.setdefault("__all__", []).append(_("内容没有变化。"))
    if errors:
        raise ValidationError(errors)
    problem.title, problem.description, problem.address = title, description, address
    problem.text_edited_at = timezone.now()
    save_with_history(
        instance=problem, actor=actor, reason=_("编辑公开内容：%(r)s") % {"r": reason}
    )
    workflow.write_ledger(problem, "problem.edit", actor=actor, note=reason)
    return problem


@transaction.atomic
def echo_result_edit(*, actor: User, problem: Problem, result: str, reason: str) -> Any:
    """A moderator corrects the published result on the echo wall (its latest entry), and the
    problem's result with it; as ``problem_text_edit``: history, a mark, ``problem.edit``."""
    from xianfeng.public.models import EchoEntry

    _moderator(problem, actor)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    echo = EchoEntry.objects.filter(problem=problem).order_by("-published_at", "-id").first()
    if echo is None:
        raise ValidationError(_("这个问题还没有在回音壁公开的办理结果。"), code="invalid_state")
    errors: dict[str, list[str]] = {}
    result = _clean(
        errors, "result", result, TEXT_MAX, required=True, missing=_("请填写办理结果。")
    )
    reason = _edit_reason(errors, reason)
    if not errors and result == echo.result:
        errors.setdefault("__all__", []).append(_("内容没有变化。"))
    if errors:
        raise ValidationError(errors)
    echo.result = result
    echo.edited_at = timezone.now()
    save_with_history(instance=echo, actor=actor, reason=_("编辑办理结果：%(r)s") % {"r": reason})
    problem.result = result
    problem.text_edited_at = echo.edited_at
    save_with_history(
        instance=problem, actor=actor, reason=_("编辑办理结果：%(r)s") % {"r": reason}
    )
    workflow.write_ledger(problem, "problem.edit", actor=actor, note=reason)
    return echo
