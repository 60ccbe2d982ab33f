"""`zhili demo_data`: everything `make demo` loads, in one process.

The steps are the commands an operator can run one by one (``migrate``, ``load_areas``,
``load_demo``, ``demo_matters`` …); run here in order in one process, Django starts, imports the
project and runs its system checks once instead of once per step. Each step prints its own output
and, at the end, the time it took (wall clock and CPU), for docs/performance.md.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STEPS: list[tuple[str, ...]] = [
    ("migrate", "--noinput"),
    ("load_areas",),
    ("load_demo",),
    ("demo_matters",),
    ("demo_cases",),
    ("load_targets_demo",),
    ("demo_outreach",),
    ("demo_villages",),
    ("demo_cockpit",),
    ("demo_points",),
    ("demo_wages",),
]


class Command(BaseCommand):
    help = "在一个进程中依次执行 make demo 的全部载入步骤（迁移、区划、演示数据），并报告各步用时；仅限 DEBUG=1"

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("演示数据只能在 DEBUG=1 时载入（生产环境不得有演示数据）")
        timings: list[tuple[str, float, float]] = []
        for name, *rest in STEPS:
            wall, cpu = time.perf_counter(), time.process_time()
            self.stdout.write(f"== zhili {' '.join([name, *rest])}")
            call_command(name, *rest)
            timings.append((name, time.perf_counter() - wall, time.process_time() - cpu))
        width = max(len(n) for n, _, _ in timings)
        self.stdout.write("演示数据载入完成，各步用时（墙钟 / CPU，秒）：")
        for name, wall, cpu in timings:
            self.stdout.write(f"  {name:<{width}}  {wall:6.1f}  {cpu:6.1f}")
        total_wall = sum(w for _, w, _ in timings)
        total_cpu = sum(c for _, _, c in timings)
        self.stdout.write(f"  {'合计':<{width - 2}}  {total_wall:6.1f}  {total_cpu:6.1f}")
