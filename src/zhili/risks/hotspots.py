"""Hot-spot detection: propose risk candidates from matters, never register them silently.

Two rules (thresholds are 业务参数, ``risks/tunables.py``):
- rising: in an area (street level), a category's matters in the last ``window`` days exceed
  ``ratio`` × its own baseline (the mean per window over the previous ``baseline_windows`` windows)
  and at least ``min_count`` — a Poisson-style guard keeps ordinary noise out: the count must also
  exceed baseline + 3·sqrt(baseline).
- repeated: the same address or the same reporter phone gave ``repeat_count`` or more matters in
  ``repeat_days`` days; a candidate keys a reporter on a keyed hash of the phone (``phone_key``),
  never the number.

Neither reads every matter of the period into Python: ``rising`` sums the daily rollups,
``repeated`` lets the database group the window (``make bench`` measures both: hotspot_scan).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Length
from django.utils import timezone
from django.utils.crypto import salted_hmac

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


STREET_DEPTH = 2  # 市 0, 区县 1, 街道 2 (matters.rollups.level_paths)


def _street_path(path: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[:3]) + "/" if len(parts) > 2 else None


def _street_code(path: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    return parts[2] if len(parts) > 2 else None


def _day(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


def rising_categories(now: dt.datetime, t: Thresholds) -> list[dict[str, Any]]:
    """Read from the daily rollups (``matters.MatterAreaDay`` at street depth), never the matters
    themselves: per street and category, matters received less those rejected or merged, in the
    last ``window_days`` days (today included) and in the ``baseline_windows`` windows before.
    Only the streets and categories that rise are then looked up for their matters (≤ 50)."""
    from zhili.matters.models import Category, Matter, MatterAreaDay, Status

    today = _day(now)
    recent_from = today - dt.timedelta(days=t.window_days - 1)
    start = recent_from - dt.timedelta(days=t.window_days * t.baseline_windows)
    net = F("created") - F("rejected") - F("merged")
    rows = (
        MatterAreaDay.objects.filter(depth=STREET_DEPTH, day__gte=start, day__lte=today)
        .values("area_path", "category_id")
        .annotate(
            recent=Coalesce(Sum(net, filter=Q(day__gte=recent_from)), 0),
            base=Coalesce(Sum(net, filter=Q(day__lt=recent_from)), 0),
        )
        .filter(recent__gte=t.min_count)
    )
    hits = []
    for r in rows:
        n, baseline = int(r["recent"]), max(0, int(r["base"])) / t.baseline_windows
        if n >= t.ratio * max(baseline, 0.5) and n > baseline + 3 * math.sqrt(max(baseline, 1)):
            hits.append((r["area_path"], r["category_id"], n, baseline))
    names = dict(Category.objects.filter(pk__in={h[1] for h in hits}).values_list("pk", "name"))
    # The matters behind the hits: one read of the recent window, of the hit categories only.
    since = timezone.make_aware(dt.datetime.combine(recent_from, dt.time()))
    wanted = {(path, cat) for path, cat, _, _ in hits}
    ids: dict[tuple[str, int], list[int]] = {key: [] for key in wanted}
    recent = (
        Matter.objects.filter(created_at__gte=since, category_id__in={c for _, c in wanted})
        .exclude(status__in=[Status.REJECTED, Status.MERGED])
        .order_by("id")
        .values_list("id", "area_path", "category_id")
    )
    for pk, path, cat in recent.iterator(chunk_size=5000) if hits else ():
        street = _street_path(path)
        found_ids = ids.get((street, cat)) if street else None
        if found_ids is not None and len(found_ids) < 50:
            found_ids.append(pk)
    return [
        {
            "street": _street_code(path),
            "category": cat,
            "category_name": names.get(cat, ""),
            "count": n,
            "baseline": round(baseline, 2),
            "matter_ids": ids[(path, cat)],
        }
        for path, cat, n, baseline in hits
    ]


def phone_key(phone: str) -> str:
    """What a candidate keys a reporter on: a keyed hash of the phone, never the number.
    HMAC-SHA1, named: stored keys cannot be rehashed (the phone is not kept), and Django's default
    for ``salted_hmac`` moves to SHA-256, which would give a reporter a second key and a second
    candidate in the same month."""
    return salted_hmac("zhili.risks.hotspots.phone", phone, algorithm="sha1").hexdigest()[:32]


def repeated(now: dt.datetime, t: Thresholds) -> list[dict[str, Any]]:
    """Same address, or same reporter phone, ``repeat_count`` times in ``repeat_days`` days:
    counted by the database (GROUP BY over the bounded window); only the groups that repeat are
    read, their matters up to 50 each."""
    from zhili.matters.models import Matter, Status

    since = now - dt.timedelta(days=t.repeat_days)
    window = Matter.objects.filter(created_at__gte=since, created_at__lt=now).exclude(
        status=Status.REJECTED
    )
    found = []
    for kind, field in (("address", "address"), ("person", "reporter_phone")):
        groups = (
            window.exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("id"))
            .filter(n__gte=t.repeat_count)
        )
        if kind == "address":
            groups = groups.annotate(chars=Length(field)).filter(chars__gte=4)
        for g in groups:
            value = g[field]
            items = list(
                window.filter(**{field: value}).order_by("id").values_list("id", "area_id")[:50]
            )
            found.append(
                {
                    "kind": kind,
                    "value": value,
                    "key": value.strip() if kind == "address" else phone_key(value),
                    "count": g["n"],
                    "matter_ids": [i[0] for i in items],
                    "area_id": items[-1][1],
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
        key = f"{hit['kind']}:{hit['key']}:{month}"
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
