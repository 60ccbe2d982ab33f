"""The worker's scheduler thread: a periodic task it could not enqueue is tried again soon."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import OperationalError

from zhili.core.management.commands import worker


class _Task:
    name = "wages_nightly"


def test_a_task_not_enqueued_is_tried_again_soon_not_an_interval_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo's first start: SQLite is busy loading while the scheduler enqueues a nightly
    task. It used to wait a whole interval (a day) before trying again."""
    calls: list[float] = []
    enqueued = threading.Event()

    def enqueue(task: Any) -> bool:
        calls.append(len(calls))
        if len(calls) == 1:
            raise OperationalError("database is locked")
        enqueued.set()
        return True

    monkeypatch.setattr(worker, "enqueue_if_idle", enqueue)
    scheduler = worker.Scheduler([(_Task(), 86_400.0)])  # type: ignore[list-item]
    scheduler.retry_seconds = 0.5
    scheduler.start()
    try:
        assert enqueued.wait(5), f"tried {len(calls)} time(s) in 5 s"
    finally:
        scheduler.stop.set()
        scheduler.join(5)
    assert len(calls) == 2
