"""The public API under ``/api/v1/``."""

from ninja import Router

router = Router(tags=["public"])
