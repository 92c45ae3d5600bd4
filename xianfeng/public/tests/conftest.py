import pytest


@pytest.fixture(autouse=True)
def _uploads_and_limits(settings, tmp_path):
    """Uploads land in the test's own folder; rate-limit counters start empty."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
