"""Small gettext helpers."""

from __future__ import annotations

from django.utils.functional import Promise


def command_help(message: Promise) -> property:
    """A management command's ``help`` from a lazy message: argparse needs a real str, and a
    class attribute made with plain gettext would be translated once, at import."""
    return property(lambda self: str(message))
