"""The project's settings with the ceiling benchmark's URLs (``bench/ceiling_urls.py``)."""

from xianfeng.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"
