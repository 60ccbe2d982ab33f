"""Hot-spot detection: propose risk candidates from matters, never register them silently.

Two rules (thresholds are settings):
- rising: in an area (street level), a category's matters in the last ``window`` days exceed
  ``ratio`` × its own baseline (the mean per window over the previous ``baseline_windows`` windows)
  and at least ``min_count`` — a Poisson-style guard keeps ordinary noise out: the count must also
  exceed baseline + 3·sqrt(baseline).
- repeated: the same address or the same reporter phone gave ``repeat_count`` or more matters in
  ``repeat_days`` days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhili.areas.models import Area
from zhili.core import tunables
from zhili.core.privacy import mask
from zhili.risks.models import CandidateKind, RiskCandidate


@dataclass(frozen=True)
class Thresholds:
    window_days: int = 7
    baseline_windows: int = 8
    ratio: float = 2.0
    min_count: int = 5
    repeat_count: int = 3
    repeat_days: int = 30


def thresholds() -> Thresholds:
    """The thresholds as the city set them on 业务参数 (``risks/tunables.py``)."""
    return Thresholds(
        window_days=int(tunables.value("risks.hotspot_window_days")),
        baseline_windows=int(tunables.value("risks.hotspot_baseline_windows")),
        ratio=float(tunables.value("risks.hotspot_ratio")),
        min_count=int(tunables.value("risks.hotspot_min_count")),
        repeat_count=int(tunables.value("risks.repeat_count")),
        repeat_days=int(tunables.value("risks.repeat_days")),
    )


def _street_code(path: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    return parts[2] if len(parts) > 2 else None


def rising_categories(now: dt.datetime, t: Thresholds) -> list[dict[str, Any]]:
    from zhili.matters.models import Matter, Status

    window = dt.timedelta(days=t.window_days)
    start = now - window * (t.baseline_windows + 1)
    rows = (
        Matter.objects.filter(created_at__gte=start, created_at__lt=now)
        .exclude(status__in=[Status.REJECTED, Status.MERGED])
        .values_list("area_path", "category_id", "category__name", "created_at", "id")
    )
    recent: Counter[tuple[str, int]] = Counter()
    base: Counter[tuple[str, int]] = Counter()
    names: dict[int, str] = {}
    ids: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    for path, cat, cat_name, created, pk in rows.iterator(chunk_size=5000):
        street = _street_code(path)
        if street is None:
            continue
        key = (street, cat)
        names[cat] = cat_name
        if created >= now - window:
            recent[key] += 1
            ids[key].append(pk)
        else:
            base[key] += 1
    found = []
    for key, n in recent.items():
        baseline = base[key] / t.baseline_windows
        if (
            n >= t.min_count
            and n >= t.ratio * max(baseline, 0.5)
            and n > baseline + 3 * math.sqrt(max(baseline, 1))
        ):
            found.append(
                {
                    "street": key[0],
                    "category": key[1],
                    "category_name": names[key[1]],
                    "count": n,
                    "baseline": round(baseline, 2),
                    "matter_ids": ids[key][:50],
                }
            )
    return found


def repeated(now: dt.datetime, t: Thresholds) -> list[dict[str, Any]]:
    from zhili.matters.models import Matter, Status

    since = now - dt.timedelta(days=t.repeat_days)
    rows = (
        Matter.objects.filter(created_at__gte=since, created_at__lt=now)
        .exclude(status=Status.REJECTED)
        .values_list("id", "address", "reporter_phone", "area_path", "area_id")
    )
    by_addr: defaultdict[str, list[tuple[int, str, int]]] = defaultdict(list)
    by_phone: defaultdict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for pk, address, phone, path, area_id in rows.iterator(chunk_size=5000):
        if address and len(address.strip()) >= 4:
            by_addr[address.strip()].append((pk, path, area_id))
        if phone:
            by_phone[phone].append((pk, path, area_id))
    found = []
    for kind, groups in (("address", by_addr), ("person", by_phone)):
        for value, items in groups.items():
            if len(items) >= t.repeat_count:
                found.append(
                    {
                        "kind": kind,
                        "value": value,
                        "count": len(items),
                        "matter_ids": [i[0] for i in items][:50],
                        "area_id": items[-1][2],
                    }
                )
    return found


@transaction.atomic
def scan(*, now: dt.datetime | None = None) -> list[RiskCandidate]:
    """Propose candidates (idempotent: one per area/category/window or per address/person/month)."""
    now = now or timezone.now()
    t = thresholds()
    created = []
    week = now.strftime("%G-W%V")
    for hit in rising_categories(now, t):
        area = Area.objects.filter(code=hit["street"]).first()
        if area is None:
            continue
        key = f"rising:{hit['street']}:{hit['category']}:{week}"
        cand = _propose(
            key=key,
            kind=CandidateKind.RISING_CATEGORY,
            area=area,
            title=f"{area.name}“{hit['category_name']}”类诉求近 {t.window_days} 天 {hit['count']} 件，"
            f"为平常的 {hit['count'] / max(hit['baseline'], 0.5):.1f} 倍",
            evidence={k: hit[k] for k in ("count", "baseline", "category_name")}
            | {"window_days": t.window_days},
            matter_ids=hit["matter_ids"],
        )
        if cand:
            created.append(cand)
    month = now.strftime("%Y-%m")
    for hit in repeated(now, t):
        area = Area.objects.get(pk=hit["area_id"])
        label = "同一地址" if hit["kind"] == "address" else "同一反映人"
        shown = hit["value"] if hit["kind"] == "address" else mask("phone", hit["value"])
        key = f"{hit['kind']}:{hit['value']}:{month}"
        cand = _propose(
            key=key,
            kind=CandidateKind.REPEATED_ADDRESS
            if hit["kind"] == "address"
            else CandidateKind.REPEATED_PERSON,
            area=area,
            title=f"{label}（{shown}）{t.repeat_days} 天内反映 {hit['count']} 次",
            evidence={"count": hit["count"], "days": t.repeat_days, "value": shown},
            matter_ids=hit["matter_ids"],
        )
        if cand:
            created.append(cand)
    return created


def _propose(
    *,
    key: str,
    kind: str,
    area: Area,
    title: str,
    evidence: dict[str, Any],
    matter_ids: list[int],
    dispute: Any = None,
) -> RiskCandidate | None:
    if RiskCandidate.objects.filter(key=key).exists():
        return None
    cand = RiskCandidate.objects.create(
        key=key[:200],
        kind=kind,
        area=area,
        area_path=area.path,
        title=title[:200],
        evidence=evidence,
        dispute=dispute,
    )
    cand.matters.set(matter_ids)
    return cand


def propose_from_dispute(dispute: Any) -> RiskCandidate | None:
    """A dispute showing signs of escalation becomes a candidate (once)."""
    return _propose(
        key=f"dispute:{dispute.pk}",
        kind=CandidateKind.DISPUTE_ESCALATION,
        area=dispute.area,
        title=f"纠纷 {dispute.number}“{dispute.subject}”有激化迹象",
        evidence={"dispute": dispute.number, "amount": str(dispute.amount or "")},
        matter_ids=[],
        dispute=dispute,
    )
