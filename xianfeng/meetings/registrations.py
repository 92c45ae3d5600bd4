"""What meetings puts on core's pages: the home page's lines and panels. Called from
``MeetingsConfig.ready()``."""

from __future__ import annotations


def register() -> None:
    pass
