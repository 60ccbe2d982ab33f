"""`zhili worker`: the background worker. It runs the tasks queued in the database (the
django_tasks_db worker) and, on a timer in a second thread, enqueues the periodic tasks — by default
the deadline sweep (时限巡查、督办) every ZHILI_SWEEP_INTERVAL_SECONDS. SIGTERM or Ctrl+C stops it
after the task in hand."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, Task, TaskResultStatus
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

log = logging.getLogger("zhili.worker")


def periodic_tasks() -> list[tuple[Task, float]]:
    """(task, interval in seconds): ZHILI_PERIODIC_TASKS, a dict of dotted task path → seconds;
    by default the deadline sweep every ZHILI_SWEEP_INTERVAL_SECONDS and, daily, the pruning of
    old task results."""
    spec = getattr(settings, "ZHILI_PERIODIC_TASKS", None) or collected_periodic_tasks()
    return [(import_string(path), float(seconds)) for path, seconds in spec.items()]


def collected_periodic_tasks() -> dict[str, float]:
    """Each app lists its periodic tasks in ``AppConfig.periodic_tasks`` (dotted path → seconds,
    or a callable returning that dict, so intervals can come from settings)."""
    from django.apps import apps

    spec: dict[str, float] = {}
    for config in apps.get_app_configs():
        tasks = getattr(config, "periodic_tasks", None)
        if callable(tasks):
            tasks = tasks()
        spec.update(tasks or {})
    return spec


def enqueue_if_idle(task: Task) -> bool:
    """Enqueue ``task`` unless a run of it is already waiting (a slow or stopped worker must not
    pile up copies). Returns whether it was enqueued."""
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    task.enqueue()
    return True


class Scheduler(threading.Thread):
    """Enqueues each periodic task at start and then every interval, until ``stop`` is set."""

    def __init__(self, tasks: list[tuple[Task, float]]) -> None:
        super().__init__(name="zhili-scheduler", daemon=True)
        self.tasks = tasks
        self.stop = threading.Event()

    def run(self) -> None:
        due = dict.fromkeys(range(len(self.tasks)), 0.0)
        clock = 0.0
        try:
            while not self.stop.is_set():
                close_old_connections()
                for i, (task, interval) in enumerate(self.tasks):
                    if clock >= due[i]:
                        try:
                            if enqueue_if_idle(task):
                                log.info("enqueued %s", task.name)
                        except Exception:  # a locked database: try again next tick
                            log.exception("could not enqueue %s", task.name)
                        due[i] = clock + interval
                wait = max(0.5, min(due.values()) - clock)
                self.stop.wait(wait)
                clock += wait
        finally:
            connections.close_all()


def run_ready(worker: Worker) -> int:
    """Run every task that is ready now, then return how many ran (the worker's --batch mode,
    without its connection recycling, so it also runs inside a test's transaction)."""
    ran = 0
    while True:
        tasks = DBTaskResult.objects.ready().filter(backend_name=worker.backend_name)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            return ran
        worker.run_task(task_result)
        ran += 1


class Command(BaseCommand):
    help = "后台任务进程：执行排队的任务，并定时排入时限巡查（临期提醒、超期督办、升级）任务"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="队列为空时每隔多少秒查看一次（默认 1）",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="立即排入定时任务，执行完所有排队任务后退出（用于 cron 或检查）",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="只执行任务，不排入定时任务（多台机器时只让一个进程排入）",
        )
        parser.add_argument(
            "--queue-name", default="*", help="处理的队列，逗号分隔；* 为全部（默认）"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        tasks_logger = logging.getLogger("django.tasks")
        if opts["verbosity"] >= 1:
            tasks_logger.setLevel(logging.INFO)
            log.setLevel(logging.INFO)
        worker = Worker(
            queue_names=opts["queue_name"].split(","),
            interval=opts["interval"],
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        schedule = [] if opts["no_schedule"] else periodic_tasks()
        if opts["once"]:
            for task, _ in schedule:
                enqueue_if_idle(task)
            ran = run_ready(worker)
            self.stdout.write(f"已执行 {ran} 个任务")
            return
        scheduler = Scheduler(schedule)
        names = "、".join(f"{t.name} 每 {int(s)} 秒" for t, s in schedule) or "无"
        self.stdout.write(f"后台任务进程已启动（定时任务：{names}；Ctrl+C 停止）")
        worker.configure_signals()
        scheduler.start()
        try:
            worker.run()
        finally:
            scheduler.stop.set()
            scheduler.join(timeout=10)
            self.stdout.write("后台任务进程已停止")
