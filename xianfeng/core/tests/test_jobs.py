import pytest

from xianfeng.core.jobs import enqueue, execute, job
from xianfeng.core.models import JobRun

pytestmark = pytest.mark.django_db


@job("tests.count_to")
def count_to(run, *, n):
    for i in range(1, n + 1):
        run.report(i, n, f"第{i}步")
    return {"counted": n}


@job("tests.explode")
def explode(run):
    raise RuntimeError("坏了")


def test_a_job_runs_when_the_transaction_commits_and_reports_progress(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue("tests.count_to", n=3, label="数数")
        assert JobRun.objects.get(pk=run.pk).status == JobRun.Status.QUEUED
    run.refresh_from_db()
    assert run.status == JobRun.Status.DONE
    assert (run.done, run.total, run.percent) == (3, 3, 100)
    assert run.result == {"counted": 3}


def test_a_rolled_back_enqueue_never_runs(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue("tests.count_to", n=1)
    assert len(callbacks) == 1  # queued for commit only, not run inline


def test_a_failing_job_is_recorded_not_raised(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue("tests.explode")
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED
    assert "坏了" in run.message
    assert "RuntimeError" in run.error


def test_a_job_runs_only_once_even_if_delivered_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue("tests.count_to", n=2)
    again = execute(run.pk)
    assert again.status == JobRun.Status.DONE
    assert again.done == 2


def test_an_unknown_job_is_refused():
    with pytest.raises(KeyError):
        enqueue("tests.no_such_job")
