"""`zhili worker`: the background worker. It runs the queued tasks — from the database (the
django_tasks_db worker), or from Redis through RQ when REDIS_URL is set — and, on a timer in a
second thread, enqueues the periodic tasks (by default the deadline sweep, 时限巡查、督办, every
ZHILI_SWEEP_INTERVAL_SECONDS). Any number of workers may run on any number of machines: only the
holder of the scheduler lease (core.leader) enqueues, the others take over if it stops. SIGTERM or
Ctrl+C stops a worker after the task in hand."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, Task, TaskResultStatus, task_backends
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from zhili.core.leader import Lease, lease_seconds, scheduler_lease

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


def uses_redis_queue() -> bool:
    """Whether the default task backend is RQ (REDIS_URL), not the database queue."""
    return type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__module__.startswith("django_tasks_rq")


def enqueue_if_idle(task: Task) -> bool:
    """Enqueue ``task`` unless a run of it is already waiting (a slow or stopped worker must not
    pile up copies). Returns whether it was enqueued."""
    if not uses_redis_queue():
        waiting = DBTaskResult.objects.filter(
            task_path=task.module_path, status=TaskResultStatus.READY
        ).exists()
        if waiting:
            return False
        task.enqueue()
        return True
    # RQ: the id of the last run enqueued is kept in the (then shared, Redis) cache.
    key = f"zhili:periodic:{task.module_path}"
    last = cache.get(key)
    if last:
        try:
            status = task.get_result(last).status  # django_tasks' own enum under RQ
            waiting = getattr(status, "value", status) == TaskResultStatus.READY.value
        except Exception:  # expired from Redis: not waiting
            waiting = False
        if waiting:
            return False
    cache.set(key, task.enqueue().id, None)
    return True


class Scheduler(threading.Thread):
    """Enqueues each periodic task at start and then every interval, until ``stop`` is set —
    while this worker holds the scheduler lease; otherwise it only keeps asking for it."""

    # A task that could not be enqueued (SQLite busy past its timeout while the demo loads, the
    # database restarting) is tried again this soon, not a whole interval later (a day, for the
    # nightly tasks).
    retry_seconds = 30.0

    def __init__(self, tasks: list[tuple[Task, float]], lease: Lease | None = None) -> None:
        super().__init__(name="zhili-scheduler", daemon=True)
        self.tasks = tasks
        self.lease = lease
        self.stop = threading.Event()
        self.leading = False

    def holds_lease(self) -> bool:
        if self.lease is None:
            return True
        try:
            leading = self.lease.hold()
        except Exception:  # the store is unreachable: not the leader until it answers
            log.exception("scheduler lease")
            leading = False
        if leading != self.leading:
            log.info("scheduler %s", "elected" if leading else "standing by")
        self.leading = leading
        return leading

    def run(self) -> None:
        due = dict.fromkeys(range(len(self.tasks)), 0.0)
        clock = 0.0
        renew = (getattr(self.lease, "seconds", None) or lease_seconds()) / 3
        try:
            while not self.stop.is_set():
                close_old_connections()
                if self.holds_lease():
                    for i, (task, interval) in enumerate(self.tasks):
                        if clock >= due[i]:
                            due[i] = clock + interval
                            try:
                                if enqueue_if_idle(task):
                                    log.info("enqueued %s", task.name)
                            except Exception:  # a locked database: try again soon
                                log.warning(
                                    "could not enqueue %s; trying again in %.0f s",
                                    task.name,
                                    self.retry_seconds,
                                    exc_info=True,
                                )
                                due[i] = clock + min(interval, self.retry_seconds)
                wait = max(0.5, min(min(due.values(), default=renew) - clock, renew))
                self.stop.wait(wait)
                clock += wait
        finally:
            if self.lease is not None and self.leading:
                try:
                    self.lease.release()
                except Exception:
                    log.exception("scheduler lease release")
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
            help="只执行任务，不参与定时任务调度（多台机器时不必指定：调度者由租约自动选出）",
        )
        parser.add_argument(
            "--queue-name", default="*", help="处理的队列，逗号分隔；* 为全部（默认）"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        tasks_logger = logging.getLogger("django.tasks")
        if opts["verbosity"] >= 1:
            tasks_logger.setLevel(logging.INFO)
            log.setLevel(logging.INFO)
        worker_id = get_random_string(32)
        queues = opts["queue_name"].split(",")
        schedule = [] if opts["no_schedule"] else periodic_tasks()
        if opts["once"]:
            for task, _ in schedule:
                enqueue_if_idle(task)
            ran = self.run_redis(queues, burst=True) if uses_redis_queue() else None
            if ran is None:
                ran = run_ready(self.db_worker(queues, opts["interval"], worker_id))
            self.stdout.write(f"已执行 {ran} 个任务")
            return
        scheduler = Scheduler(schedule, scheduler_lease(worker_id) if schedule else None)
        names = "、".join(f"{t.name} 每 {int(s)} 秒" for t, s in schedule) or "无"
        store = "Redis" if uses_redis_queue() else "数据库"
        self.stdout.write(
            f"后台任务进程 {worker_id} 已启动（队列：{store}；定时任务：{names}，"
            "由持有调度租约的进程排入；Ctrl+C 停止）",
        )
        self.stdout.flush()
        scheduler.start()
        try:
            if uses_redis_queue():
                self.run_redis(queues, burst=False)
            else:
                worker = self.db_worker(queues, opts["interval"], worker_id)
                worker.configure_signals()
                worker.run()
        finally:
            scheduler.stop.set()
            scheduler.join(timeout=10)
            self.stdout.write("后台任务进程已停止")

    @staticmethod
    def db_worker(queues: list[str], interval: float, worker_id: str) -> Worker:
        return Worker(
            queue_names=queues,
            interval=interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    @staticmethod
    def run_redis(queues: list[str], burst: bool) -> int:
        """Run RQ's worker on the queues (all configured ones for ``*``). A SimpleWorker runs each
        job in this process (no fork beside the scheduler thread); RQ handles SIGTERM after the job
        in hand. Returns how many jobs ran (burst mode)."""
        import django_rq
        from django_tasks.signals import task_finished
        from django_tasks_rq.backend import Job
        from rq import SimpleWorker

        ran = 0

        def count(**_: Any) -> None:
            nonlocal ran
            ran += 1

        names = list(settings.RQ_QUEUES) if queues == ["*"] else queues
        worker = django_rq.get_worker(*names, job_class=Job, worker_class=SimpleWorker)  # type: ignore[arg-type]
        task_finished.connect(count, weak=False)
        try:
            worker.work(burst=burst, with_scheduler=True)
        finally:
            task_finished.disconnect(count)
        return ran
