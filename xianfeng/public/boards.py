"""Zone boards (公示牌): a 党员责任区's public page, its QR code and printable poster.

A zone is reached only by its ``public_code`` (a random UUID printed on the board), so the
code is the capability; the board shows the zone's scope and duties, and of its members only
what each chose (``BoardChoice``: name, photo), never a phone number. Residents reach the
members through the platform: the board links to the report form for this zone."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from xianfeng.core.publicurl import public_url, qr_svg
from xianfeng.places.models import ResponsibilityZone
from xianfeng.public.models import BoardChoice

POSTER_SIZES = ("A4", "A3")


def zone_by_code(code: str) -> ResponsibilityZone | None:
    try:
        value = uuid.UUID(str(code))
    except ValueError:
        return None
    return (
        ResponsibilityZone.objects.select_related("organization").filter(public_code=value).first()
    )


def board_url(zone: ResponsibilityZone) -> str:
    """The absolute address a QR code carries (the site's public base URL)."""
    return public_url(reverse("public:board", args=[zone.public_code]))


def board_qr(zone: ResponsibilityZone) -> bytes:
    return qr_svg(board_url(zone))


def shown_members(zone: ResponsibilityZone) -> list[dict[str, Any]]:
    """Each member as they chose: a name and a photo only when they said so; the others are
    counted, not named. Two queries whatever the number of members."""
    members = list(zone.members.select_related("person").order_by("pk"))
    choices = {c.member_id: c for c in BoardChoice.objects.filter(member__in=members)}
    shown = []
    for member in members:
        choice = choices.get(member.pk)
        if choice is None or not zone.board_show_members:
            continue
        if not (choice.show_name or choice.show_photo):
            continue
        shown.append(
            {
                "name": member.person.name if choice.show_name else "",
                "photo": choice.photo.url if choice.show_photo and choice.photo else "",
                "photo_path": choice.photo.path if choice.show_photo and choice.photo else "",
            }
        )
    return shown


def board_context(zone: ResponsibilityZone) -> dict[str, Any]:
    from xianfeng.public.services import community_of

    members = shown_members(zone)
    community = community_of(zone.organization)
    return {
        "zone": zone,
        "title": zone.board_title or zone.name,
        "organization": zone.organization,
        "community": community,
        "buildings": list(zone.buildings.order_by("name").values_list("name", flat=True)),
        "members": members,
        "member_count": zone.members.count(),
        "unnamed": zone.members.count() - len([m for m in members if m["name"]]),
        "duties": [str(d) for d in (zone.duties or [])],
        "report_url": (
            reverse("public:report", args=[community.code]) + f"?zone={zone.public_code}"
            if community
            else ""
        ),
        "wall_url": reverse("public:wall", args=[community.code]) if community else "",
        # 群众点单 from the board: the community's order form (the address then suggests this
        # zone's members when the community dispatches it).
        "order_url": (
            reverse("services:public_order") + f"?community={community.pk}" if community else ""
        ),
        "board_url": board_url(zone),
    }


def poster_pdf(zone: ResponsibilityZone, *, size: str = "A4") -> bytes:
    """The board as a printable PDF (WeasyPrint), Noto Sans CJK SC embedded."""
    from weasyprint import HTML

    context = board_context(zone)
    context["size"] = size
    context["qr"] = "data:image/svg+xml;base64," + base64.b64encode(board_qr(zone)).decode()
    html = render_to_string("public/pdf/poster.html", context)
    return HTML(string=html, base_url="/").write_pdf()
