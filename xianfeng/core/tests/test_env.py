"""The environment helpers that settings.py reads everything through."""

import pytest

from xianfeng.env import EnvError, env_int, env_rate


def test_a_rate_reads_requests_per_seconds(monkeypatch):
    monkeypatch.setenv("XF_TEST_RATE", "5/60")
    assert env_rate("XF_TEST_RATE", (10, 600)) == (5, 60)
    monkeypatch.setenv("XF_TEST_RATE", "")
    assert env_rate("XF_TEST_RATE", (10, 600)) == (10, 600)


@pytest.mark.parametrize("raw", ["5", "5/", "a/60", "0/60", "5/0"])
def test_a_bad_rate_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("XF_TEST_RATE", raw)
    with pytest.raises(EnvError):
        env_rate("XF_TEST_RATE", (10, 600))


def test_a_bad_integer_fails_loudly(monkeypatch):
    monkeypatch.setenv("XF_TEST_INT", "ten")
    with pytest.raises(EnvError):
        env_int("XF_TEST_INT", 10)
