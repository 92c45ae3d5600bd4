"""Helpers for tests: find demo objects by where they sit, not by hard-coded ids.

These know no domain app; ``xianfeng.demo.testing.objects_under`` gives one object of each
domain kind under an organization."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xianfeng.core.models import User

if TYPE_CHECKING:
    from xianfeng.orgs.models import Organization


def role_org(user: User) -> Organization:
    return user.roles.select_related("organization").order_by("id").first().organization


def first_in(model: Any, org: Organization, lookup: str = "organization") -> Any:
    obj = model.objects.filter(**{f"{lookup}__path__startswith": org.path}).order_by("pk").first()
    assert obj is not None, f"demo data has no {model.__name__} under {org}"
    return obj


def otp_code(user: User) -> str:
    """A code the user's authenticator would show and the server has not yet accepted (a
    TOTP code works once: a second login in the same 30 seconds takes the next step's)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    assert device is not None, f"{user} has no authenticator"
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now_t = totp.t()
    wanted = max(now_t, device.last_t + 1)
    if wanted > now_t + device.tolerance:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
        return otp_code(user)
    # t() adds the device's drift, which the server learns at each accepted code.
    totp.time = device.t0 + (wanted - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol_totp(user: User) -> None:
    """Give ``user`` a confirmed authenticator (a random secret), as if set up on the page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
