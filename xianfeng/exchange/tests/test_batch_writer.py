"""The member import writes batch N on a helper thread, on the import's own connection, while
batch N+1 is read (PostgreSQL). A query from the reading thread during that write must never
run beside the batch's statements: it waits until the batch is written (issue 11, the closing
note's "import thread")."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from xianfeng.exchange.importers.base import BatchWriter
from xianfeng.orgs.models import Organization

# Inside the test's transaction, as the import runs inside its own: the helper thread shares it.
pytestmark = pytest.mark.django_db


def _slow_batch(started: threading.Event, code: str):
    def work() -> None:
        started.set()
        time.sleep(0.5)  # the batch is still being written when the caller queries
        Organization.objects.filter(code=code).update(name="批次已写入")

    return work


@pytest.fixture
def org():
    return Organization.objects.create(name="旧名", code="BATCH-1", kind="community", path="zz/")


def test_a_query_during_a_batch_waits_for_it(org):
    if not BatchWriter.available():
        pytest.skip("the helper thread is PostgreSQL's; SQLite writes at once")
    writer = BatchWriter()
    started = threading.Event()
    with transaction.atomic():
        writer.start(_slow_batch(started, org.code))
        assert started.wait(5)
        # Without the guard this read would run beside the helper's UPDATE, see the old name
        # and leave the connection to two threads at once.
        assert Organization.objects.get(pk=org.pk).name == "批次已写入"
        assert writer._thread is None  # the read waited for the batch to end
        assert writer._guard not in connection.execute_wrappers


def test_a_savepoint_rolled_back_during_a_batch_keeps_the_batch(org):
    if not BatchWriter.available():
        pytest.skip("the helper thread is PostgreSQL's; SQLite writes at once")
    writer = BatchWriter()
    started = threading.Event()
    with transaction.atomic():
        writer.start(_slow_batch(started, org.code))
        assert started.wait(5)
        try:
            with transaction.atomic():  # a savepoint: taken only after the batch is written
                Organization.objects.filter(pk=org.pk).update(code="BATCH-2")
                raise RuntimeError("a row check gave up")
        except RuntimeError:
            pass
        writer.wait()
        org.refresh_from_db()
        assert (org.name, org.code) == ("批次已写入", "BATCH-1")


def test_the_batchs_error_reaches_the_caller_at_its_next_query(org):
    if not BatchWriter.available():
        pytest.skip("the helper thread is PostgreSQL's; SQLite writes at once")
    writer = BatchWriter()

    def failing() -> None:
        time.sleep(0.2)
        raise ValueError("批次写入失败")

    with pytest.raises(ValueError, match="批次写入失败"), transaction.atomic():
        writer.start(failing)
        Organization.objects.count()
    assert writer._guard not in connection.execute_wrappers


def test_without_the_helper_the_batch_is_written_at_once(org):
    writer = BatchWriter()
    if writer.available():
        pytest.skip("on PostgreSQL the helper thread writes")
    started = threading.Event()
    writer.start(_slow_batch(started, org.code))
    assert Organization.objects.get(pk=org.pk).name == "批次已写入"


def test_the_switch_interval_is_short_while_a_batch_is_written_and_restored_after(org):
    """The helper thread takes the GIL back after each wait on PostgreSQL within the short
    interval; once no batch is written the process's own interval is back (errors too)."""
    import sys

    if not BatchWriter.available():
        pytest.skip("the helper thread is PostgreSQL's; SQLite writes at once")
    before = sys.getswitchinterval()
    seen: list[float] = []

    def work() -> None:
        seen.append(sys.getswitchinterval())

    def failing() -> None:
        raise RuntimeError("批次失败")

    with transaction.atomic():
        first, second = BatchWriter(), BatchWriter()
        first.start(work)
        second.start(work)  # two imports in one process at once
        first.wait()
        assert sys.getswitchinterval() < before  # the second still writes
        second.wait()
        assert seen == [0.0005, 0.0005] and sys.getswitchinterval() == before
        first.start(failing)
        with pytest.raises(RuntimeError):
            first.wait()
    assert sys.getswitchinterval() == before
