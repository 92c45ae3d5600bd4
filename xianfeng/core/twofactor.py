"""Two-factor login (TOTP through django-otp, recovery codes as its static tokens).

Required for district and street admins and the superuser (等保三级), optional for everyone
else: a user who has set up an authenticator is asked for it too. The second factor is asked
at the login page (after the password) and at ``POST /api/v1/auth/token`` (its ``otp`` field).
A session exists only through that login, so a session is always past both factors.
"""

from __future__ import annotations

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from xianfeng.core.choices import RoleKind
from xianfeng.core.models import User

REQUIRED_ROLE_KINDS = frozenset({RoleKind.DISTRICT_ADMIN, RoleKind.STREET_ADMIN})
RECOVERY_DEVICE = "recovery"
RECOVERY_CODES = 10
TOTP_NAME = "authenticator"


def otp_required(user: User) -> bool:
    """The superuser and every district or street admin must use a second factor."""
    if user.is_superuser:
        return True
    return user.roles.filter(is_active=True, kind__in=REQUIRED_ROLE_KINDS).exists()


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def otp_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_needed(user: User) -> bool:
    """This login must pass a second factor (required, or set up by choice)."""
    return otp_enrolled(user) or otp_required(user)


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()[:32]


def match(user: User, code: str):
    """The device that accepts ``code`` (a TOTP code, or a recovery code which is used up),
    else None. Each device's own throttling applies."""
    code = _normalise(code)
    if not code:
        return None
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
        devices += list(StaticDevice.objects.filter(user=user, confirmed=True))
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return device
    return None


def start_totp(user: User) -> TOTPDevice:
    """An unconfirmed authenticator for ``user`` (the same one until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def pending_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def confirm_totp(user: User, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it; it replaces any earlier one and
    new recovery codes are made (returned, to be shown once). None for a wrong code."""
    device = pending_totp(user)
    if device is None or not device.verify_token(_normalise(code)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


def disable(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in."""
    return b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no script, no external asset)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        '<svg width="220" height="220" aria-hidden="true" focusable="false"',
        svg,
        count=1,
    )
