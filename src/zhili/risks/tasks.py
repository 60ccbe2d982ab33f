"""Background tasks of the risk register (django.tasks; enqueue from the worker loop)."""

from __future__ import annotations

from django.tasks import task


@task()
def risk_sweep() -> dict[str, int]:
    from zhili.risks.supervision import sweep

    return sweep()


@task()
def hotspot_scan() -> int:
    from zhili.risks.hotspots import scan

    return len(scan())
