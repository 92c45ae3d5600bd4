import pytest


@pytest.fixture(autouse=True)
def _photos_in_a_temporary_folder(settings, tmp_path):
    """Uploaded photos land in a folder of the test's own, not in the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
