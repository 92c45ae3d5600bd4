import pytest


@pytest.fixture(autouse=True)
def _photos_and_limits(settings, tmp_path):
    """Uploaded photos land in a folder of the test's own; rate-limit counters start empty."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
