"""A synthetic Chongqing at scale: grids, units, staff and matters over the real area tree.

``city_setup`` adds to the loaded tree (``zhili load_areas``) what a running city has: grids in
every community, each district's responsible departments and each street's office (through the org
service), one account per unit, per street, per district and per grid, and the routing rules.
Accounts, grants, grids and rules are written in bulk (tens of thousands of rows).

``city_generate`` then lives ``count`` matters through the demo's ``Generator`` (the same stories:
returns, rework, extensions, suspensions, self-handling, call-backs, reopening) on a ``Machine``
(machine.py) instead of the services, so the rows are those the services would write, in bulk.

Distributions (docs/performance.md "The synthetic city"):
- where: communities weigh equally (a community is a population unit of a few thousand people), so
  districts and streets weigh by how many communities they have; a matter sits in one of the
  community's grids;
- what: the demo's Zipf-like ranking of categories (weight 1/rank^0.9);
- when: Chongqing's full rate, 10 million matters a year (DOMAIN.md §10), so ``count`` matters span
  ``count / 27,397`` whole days of 24 hours ending now; weekdays carry more than weekends, a yearly cycle peaks in
  summer, hours follow the demo's working-day curve.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from zhili.areas.models import Area, Level
from zhili.areas.services import child_path
from zhili.bench.machine import (
    EVENT_ATTACHMENTS,
    ID_ROOM,
    Machine,
    PreloadedRecipients,
    reset_all_sequences,
)
from zhili.bench.sink import Ids, RollupStage, foreign_keys_deferred, indexes_deferred
from zhili.core import lookups
from zhili.core.models import AuditEvent, Notice
from zhili.core.system import system_user
from zhili.demo.matters import DEPARTMENTS, STREET_CATEGORIES, Cast, Generator, Place, _evidence
from zhili.matters import duplicates, rollups
from zhili.matters.models import Category, Matter, MatterEvent, RoutingRule
from zhili.org.models import Role, RoleGrant, Unit, UnitType, User
from zhili.org.services import unit_create

PER_YEAR = 10_000_000
PER_DAY = PER_YEAR / 365
GRIDS_PER_COMMUNITY = 3
WEEKDAY_WEIGHT = (1.12, 1.08, 1.05, 1.04, 1.0, 0.86, 0.8)  # Monday … Sunday
CITY_USER = "bench_city"


@dataclass
class City:
    """What the generator needs, read once."""

    cast: Cast
    places: list[Place]
    users: dict[str, str]  # role → username for the measures
    cumulative: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cumulative = list(accumulate(1.0 for _ in self.places))


def _username(kind: str, code: str) -> str:
    return f"bench_{kind}_{code}"


def city_setup(*, grids_per_community: int = GRIDS_PER_COMMUNITY,
               say: Callable[[str], None] = print) -> None:  # fmt: skip
    """Grids, units, staff and routing rules for the whole city (once per database)."""
    if User.objects.filter(username=CITY_USER).exists():
        say("城市已就绪（网格、单位、人员）")
        return
    actor = system_user()
    current = Area.objects.current()
    districts = list(current.filter(level=Level.DISTRICT).order_by("code"))
    streets = list(current.filter(level=Level.STREET).order_by("code"))
    communities = list(current.filter(level=Level.COMMUNITY).order_by("code"))
    if not communities:
        raise RuntimeError("请先载入区划：zhili load_areas")
    with transaction.atomic():
        grids = _grids(communities, grids_per_community)
        say(f"网格 {len(grids):,} 个")
        units = _units(actor, districts, streets)
        say(f"责任单位 {len(units):,} 个")
        _staff(districts, streets, grids, units)
        _rules(districts, streets, units)
    say(f"人员 {User.objects.count():,} 名，派单规则 {RoutingRule.objects.count():,} 条")


def _grids(communities: list[Area], n: int) -> list[Area]:
    today = timezone.localdate()
    have: dict[int, set[str]] = {}
    for parent_id, code in Area.objects.filter(level=Level.GRID).values_list("parent_id", "code"):
        have.setdefault(parent_id, set()).add(code)
    rows = []
    for c in communities:
        taken = have.get(c.pk, set())
        for i in range(len(taken) + 1, n + 1):  # communities with grids keep theirs
            code = f"{c.code}{i:03d}"
            if code in taken:
                continue
            short = c.name.removesuffix("社区").removesuffix("村委会").removesuffix("居委会")
            rows.append(
                Area(
                    code=code,
                    name=f"{short}第{i}网格",
                    level=Level.GRID,
                    parent=c,
                    path=child_path(c, code),
                    depth=c.depth + 1,
                    valid_from=today,
                    code_official=False,
                )
            )
    Area.objects.bulk_create(rows, batch_size=2000)
    return list(Area.objects.filter(level=Level.GRID).select_related("parent"))


def _units(actor: Any, districts: list[Area], streets: list[Area]) -> dict[tuple[str, str], Unit]:
    """(area code, department key or "jd") → unit: each district's departments, each street's
    office, created through the org service (with their audit records)."""
    existing = {(u.area_id, u.name): u for u in Unit.objects.all()}

    def unit(area: Area, name: str, kind: str) -> Unit:
        found = existing.get((area.pk, name))
        return found or unit_create(actor=actor, name=name, type=kind, area=area)

    units: dict[tuple[str, str], Unit] = {}
    for d in districts:
        for key, names, _codes in DEPARTMENTS:
            name = d.name + names.get(d.code, names[""])
            units[(d.code, key)] = unit(d, name, UnitType.DEPARTMENT)
    for s in streets:
        units[(s.code, "jd")] = unit(s, f"{s.name}办事处", UnitType.STREET_OFFICE)
    return units


def _staff(districts: list[Area], streets: list[Area], grids: list[Area],
           units: dict[tuple[str, str], Unit]) -> None:  # fmt: skip
    """One account per district (district_officer), street (street_worker), unit (unit_handler)
    and grid (grid_worker); they log in through tokens or sessions made by the bench."""
    roles = {r.slug: r for r in Role.objects.all()}
    city = Area.objects.get(level=Level.CITY)
    unusable = make_password(None)
    people: list[tuple[User, str, Area]] = [
        (User(username=CITY_USER, full_name="基准测试市级账号", area=city), "city_admin", city)
    ]
    for d in districts:
        people.append((User(username=_username("d", d.code), full_name=f"{d.name}治理办",
                            area=d), "district_officer", d))  # fmt: skip
    for s in streets:
        people.append((User(username=_username("s", s.code), full_name=f"{s.name}综治中心",
                            area=s, unit=units[(s.code, "jd")]), "street_worker", s))  # fmt: skip
    for (code, key), unit in units.items():
        if key != "jd":
            people.append((User(username=_username("u", f"{code}_{key}"),
                                full_name=f"{unit.name}经办人", area=unit.area, unit=unit),
                           "unit_handler", unit.area))  # fmt: skip
    for g in grids:
        street_code = g.path.split("/")[3]
        people.append((User(username=_username("g", g.code), full_name=f"{g.name}网格员",
                            area=g, unit=units.get((street_code, "jd"))), "grid_worker", g))  # fmt: skip
    for user, _role, _area in people:
        user.password = unusable
    User.objects.bulk_create([p[0] for p in people], batch_size=2000)
    saved = {u.username: u for u in User.objects.filter(username__startswith="bench_")}
    RoleGrant.objects.bulk_create(
        [RoleGrant(user=saved[u.username], role=roles[r], area=a) for u, r, a in people],
        batch_size=2000,
    )


def _rules(districts: list[Area], streets: list[Area], units: dict[tuple[str, str], Unit]) -> None:
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=False)}
    rows = []
    for d in districts:
        for key, _names, codes in DEPARTMENTS:
            rows += [RoutingRule(category=categories[c], area=d, unit=units[(d.code, key)])
                     for c in codes if c in categories]  # fmt: skip
    for s in streets:
        rows += [RoutingRule(category=categories[c], area=s, unit=units[(s.code, "jd")])
                 for c in STREET_CATEGORIES if c in categories]  # fmt: skip
    RoutingRule.objects.bulk_create(rows, batch_size=2000)
    lookups.changed("routing")


def city_load() -> City:
    """The cast of the set-up city (every grid a place, with its street's and district's staff)."""
    users = {u.username: u for u in User.objects.filter(username__startswith="bench_")}
    units = {u.pk: u for u in Unit.objects.filter(is_active=True)}
    handlers = {u.unit_id: u for n, u in users.items() if n.startswith("bench_u_") and u.unit_id}
    street_office = {u.area.code: u for u in units.values() if u.type == UnitType.STREET_OFFICE}
    fallback = {
        u.area.code: u
        for u in units.values()
        if u.type == UnitType.DEPARTMENT and u.name.endswith("城市管理局")
    }
    for u in street_office.values():
        handlers.setdefault(u.pk, users[_username("s", u.area.code)])
    grids = Area.objects.current().filter(level=Level.GRID).select_related("parent__parent")
    places = []
    for g in grids.order_by("code"):
        codes = g.path.split("/")
        district, street = codes[1], codes[2]
        places.append(
            Place(
                area=g,
                district=district,
                officer=users[_username("s", street)],
                approver=users[_username("d", district)],
                community=g.parent.name if g.parent else "",
                street=g.parent.parent.name if g.parent and g.parent.parent else "",
                grid_worker=users.get(_username("g", g.code)),
            )
        )
    cast = Cast(places_jfb=[], places_other={}, handlers=handlers, fallback_unit=fallback,
                street_office=street_office)  # fmt: skip
    return City(cast=cast, places=places, users=bench_users(users))


def bench_users(users: dict[str, User]) -> dict[str, str]:
    """The accounts the measures act as: the city, 渝中区, 解放碑街道 and 渝中区城市管理局."""
    unit = next((n for n in users if n.startswith("bench_u_500103_cg")), "")
    return {
        "city": CITY_USER,
        "district": _username("d", "500103"),
        "street": _username("s", "500103003"),
        "unit": unit,
    }


# Matters ------------------------------------------------------------------------------------------


def day_weights(days: list[dt.date]) -> list[float]:
    """Weekly cycle × a yearly cycle peaking in late July (rain, heat, construction season)."""
    return [
        WEEKDAY_WEIGHT[d.weekday()] * (1 + 0.15 * math.cos(2 * math.pi * (d.toordinal() - 207) / 365))
        for d in days
    ]  # fmt: skip


HOURS = [
    1,
    1,
    1,
    1,
    1,
    2,
    4,
    8,
    14,
    16,
    15,
    13,
    10,
    12,
    14,
    14,
    13,
    12,
    10,
    9,
    8,
    6,
    4,
    2,
]  # by hour


class CityGenerator(Generator):
    """The demo's stories over the whole city, created in time order at the city's rate."""

    def __init__(self, city: City, *, days: list[tuple[dt.date, int]], seed: int,
                 now: dt.datetime, since: dt.datetime, services: Any) -> None:  # fmt: skip
        super().__init__(city.cast, seed=seed, now=now, days=len(days), services=services)
        self.city, self.since = city, since
        self.shares["stall"] = 0.01  # stalled for good: the city's overdue backlog
        self._times = self._schedule(days)

    def place(self) -> Place:
        r = self.rng.random() * self.city.cumulative[-1]
        return self.city.places[bisect.bisect_right(self.city.cumulative, r)]

    def created_at(self) -> dt.datetime:
        return next(self._times)

    def _schedule(self, days: list[tuple[dt.date, int]]) -> Iterator[dt.datetime]:
        """The creation times, in order: each day's count spread over the day's hours that lie
        inside the window (``since`` to ``now``), weighted by the working-day curve."""
        rng = random.Random(self.rng.random())
        latest = self.now - dt.timedelta(minutes=1)
        for day, n in days:
            spans = hour_spans(day, self.since, self.now)
            weights = [w * (b - a) for w, (a, b) in zip(HOURS, spans, strict=True)]
            hours = rng.choices(range(24), weights=weights, k=n)
            seconds = sorted(h * 3600 + rng.uniform(*spans[h]) for h in hours)
            midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
            for s in seconds:
                yield min(midnight + dt.timedelta(seconds=s), latest)


def window_start(count: int, now: dt.datetime) -> dt.datetime:
    """Where the generated matters begin: ``count / PER_DAY`` whole days of 24 hours before
    ``now`` (the first and the last calendar day of the window are partial)."""
    return now - dt.timedelta(days=max(1, math.ceil(count / PER_DAY)))


def hour_spans(day: dt.date, since: dt.datetime, now: dt.datetime) -> list[tuple[float, float]]:
    """For each local hour of ``day``, the seconds of it (from, to) inside ``since``–``now``."""
    midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    spans = []
    for h in range(24):
        start = midnight + dt.timedelta(hours=h)
        a = min(max((since - start).total_seconds(), 0.0), 3600.0)
        b = min(max((now - start).total_seconds(), 0.0), 3600.0)
        spans.append((a, max(a, b)))
    return spans


def day_counts(count: int, now: dt.datetime) -> list[tuple[dt.date, int]]:
    """How many matters each calendar day gets: ``count`` over the window of
    ``count / PER_DAY`` whole days ending ``now`` (``window_start``); a day weighs its place in
    the week and year times the share of its working-day curve inside the window, so a run just
    after midnight puts today's few matters in today's few minutes and the rest before."""
    since = window_start(count, now)
    first, today = timezone.localtime(since).date(), timezone.localtime(now).date()
    dates = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    inside = [
        sum(w * (b - a) for w, (a, b) in zip(HOURS, hour_spans(d, since, now), strict=True))
        for d in dates
    ]
    weights = [w * share for w, share in zip(day_weights(dates), inside, strict=True)]
    kept = [(d, w) for d, w in zip(dates, weights, strict=True) if w > 0]
    total = sum(w for _, w in kept)
    per_day = [int(count * w / total) for _, w in kept]
    heaviest = max(range(len(kept)), key=lambda i: kept[i][1])
    per_day[heaviest] += count - sum(per_day)
    return [(d, n) for (d, _), n in zip(kept, per_day, strict=True)]


def shards(days: list[tuple[dt.date, int]], n: int) -> list[list[tuple[dt.date, int]]]:
    """Consecutive runs of days with about the same number of matters each (a day is never
    split, so each shard numbers its own days)."""
    total, acc = sum(c for _, c in days), 0
    out: list[list[tuple[dt.date, int]]] = []
    current: list[tuple[dt.date, int]] = []
    for day, c in days:
        current.append((day, c))
        acc += c
        if acc >= total * (len(out) + 1) / n and len(out) < n - 1:
            out.append(current)
            current = []
    out.append(current)
    return [s for s in out if s]


class Progress:
    """A progress line on stderr: done/total, rate and time left."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.start = total, label, time.monotonic()
        self.tty = sys.stderr.isatty()

    def show(self, done: int, *, last: bool = False) -> None:
        elapsed = time.monotonic() - self.start
        rate = done / elapsed if elapsed else 0
        left = (self.total - done) / rate if rate else 0
        width = 30
        bar = "█" * int(width * done / max(1, self.total))
        line = (f"{self.label} [{bar:<{width}}] {done:,}/{self.total:,} "
                f"{rate:,.0f}/s, {elapsed:,.0f}s, 剩余约 {left:,.0f}s")  # fmt: skip
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if last else ""))
        elif last or done % max(1, self.total // 20) < 1000:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def city_generate(*, count: int, seed: int = 1, now: dt.datetime | None = None, batch: int = 10_000,
                  workers: int = 1, say: Callable[[str], None] = print) -> dict[str, Any]:  # fmt: skip
    """Live ``count`` matters in bulk; returns the tally of outcomes and the rows written.

    With ``workers`` > 1 the days are split into consecutive shards, each lived by its own
    process (forked, sharing the loaded city) in its own range of primary keys."""
    now = now or timezone.now()
    city = city_load()
    city.cast.evidence = _evidence()
    days, since = day_counts(count, now), window_start(count, now)
    if connection.vendor == "sqlite":
        # One writer: with two, neither lets the other checkpoint, and the WAL grew past 50 GB.
        workers = 1
    parts = shards(days, max(1, workers))
    base = {model: Ids.top(model) + 1 for model in ID_ROOM}
    starts, offset = [], 0
    for part in parts:
        starts.append({m: base[m] + offset * room for m, room in ID_ROOM.items()})
        offset += sum(c for _, c in part)
    recipients = PreloadedRecipients()  # read once, before the fork
    progress = Progress(count, "生成诉求")
    # The tables the load writes: their secondary indexes and foreign keys are built once after
    # it (the rollup tables' indexes alone outgrow the matters' several times over; each row
    # would otherwise also fire a foreign-key trigger at every commit). The unique indexes stay:
    # the rollups' additive upsert needs them.
    loaded: list[type[models.Model]] = [
        Matter,
        MatterEvent,
        EVENT_ATTACHMENTS,
        AuditEvent,
        Notice,
        *rollups.ROLLUP_MODELS,
    ]
    # On PostgreSQL the rollups' rows are staged and summed once after the load (RollupStage).
    stage = RollupStage(rollups.COUNT_MODELS) if connection.vendor == "postgresql" else None
    phases: dict[str, float] = {}  # seconds of each step, for the record (docs/performance.md)
    clock = time.perf_counter()

    def lap(name: str) -> float:
        """The seconds since the last lap, recorded as ``name``."""
        nonlocal clock
        last, clock = clock, time.perf_counter()
        phases[name] = round(clock - last, 1)
        return clock - last

    with indexes_deferred(loaded) as deferred, foreign_keys_deferred(loaded) as keys:
        if stage:
            stage.create()
        try:
            if len(parts) == 1:
                one = _live_shard(city, parts[0], seed, (since, now), starts[0], recipients,
                                  batch, progress, stage=stage)  # fmt: skip
                results = [one]
            else:
                results = _live_in_processes(city, parts, seed, (since, now), starts, recipients,
                                             batch, progress, stage)  # fmt: skip
        finally:
            # Also after a failure or a stop (SIGTERM): the matters written so far keep the
            # rollups their rollup state says were counted.
            lap("live_s")
            if stage:
                merged = stage.merge()
                say(f"汇总统计行 {sum(merged.values()):,} 行，{lap('merge_s'):.1f} s")
        say(f"重建索引 {len(deferred)} 个、外键 {len(keys)} 个")
    say(f"索引与外键 {lap('indexes_s'):.1f} s")
    reset_all_sequences()
    missed = repeats_across(parts, starts)
    lap("repeats_s")
    if missed:
        say(f"跨分片的重复诉求 {missed} 件")
    progress.show(count, last=True)
    outcomes: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    for r in results:
        outcomes.update(r["outcomes"])
        rows.update(r["rows"])
    return {"outcomes": dict(outcomes), "rows": dict(rows), "days": len(days),
            "workers": len(parts), "users": city.users, "phases": phases}  # fmt: skip


def repeats_across(parts: list[list[tuple[dt.date, int]]], starts: list[dict[Any, int]],
                   chunk: int = 10_000) -> int:  # fmt: skip
    """Each shard told repeats among its own reports (``duplicates.RecentReports``); the reports
    of its first window that repeat one of the days before (another shard's, or the database's)
    are counted now that every report is written: the window before the shard and the shard's
    first window go through one ``RecentReports`` in order (the same test as the services'
    query, without a query per 50 groups), and what it finds is counted where not yet counted."""
    span = duplicates.window()
    fields = (*duplicates.REPEAT_FIELDS, "triage", "handling_mode")
    total = 0
    for part, start in zip(parts, starts, strict=True):
        lo = start[Matter]
        shard = Matter.objects.filter(pk__gte=lo, pk__lt=lo + sum(c for _, c in part))
        first = shard.order_by("pk").values_list("created_at", flat=True).first()
        if first is None:
            continue
        before = Matter.objects.filter(pk__lt=lo, created_at__gte=first - span)
        if not before.exists():
            continue  # nothing before it
        recent = duplicates.RecentReports()
        _in_order(before.only(*fields), chunk, recent.repeated_ids)
        opening = shard.filter(created_at__lt=first + span).only(*fields)

        def count(matters: list[Matter], recent: Any = recent) -> None:
            nonlocal total
            total += rollups.add_missed_repeats(matters, recent.repeated_ids(matters))

        _in_order(opening, chunk, count)
    return total


def _in_order(rows: Any, chunk: int, use: Callable[[list[Matter]], Any]) -> None:
    """``use`` each ``chunk`` of ``rows`` in id order (keyset pages: no OFFSET)."""
    last = 0
    while True:
        page = list(rows.filter(pk__gt=last).order_by("pk")[:chunk])
        if not page:
            return
        use(page)
        last = page[-1].pk


def _live_shard(city: City, days: list[tuple[dt.date, int]], seed: int,
                span: tuple[dt.datetime, dt.datetime], start: dict[Any, int], recipients: Any, batch: int, progress: Any,
                done_counter: Any = None, stage: RollupStage | None = None
                ) -> dict[str, Any]:  # fmt: skip
    if connection.vendor == "sqlite":  # shards take turns writing; a flush takes seconds
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 600000")
    since, now = span
    machine = Machine(ids=Ids(start), stage=stage)
    machine.sweep_as_of(now, recipients=recipients)  # the worker has been running
    gen = CityGenerator(city, days=days, seed=seed, now=now, since=since, services=machine)
    rows: Counter[str] = Counter()
    n = sum(c for _, c in days)
    for done in range(1, n + 1):
        gen.one()
        if done % batch == 0 or done == n:
            rows.update(machine.flush())
            step = batch if done % batch == 0 else done % batch
            if done_counter is not None:
                with done_counter.get_lock():
                    done_counter.value += step
            elif progress is not None:
                progress.show(done)
    machine.finish(sequences=False)
    outcomes = {**gen.counts, **{f"sweep_{k}": v for k, v in machine.swept.items()}}
    return {"outcomes": outcomes, "rows": dict(rows)}


def _live_in_processes(city: City, parts: list[list[tuple[dt.date, int]]], seed: int,
                       span: tuple[dt.datetime, dt.datetime], starts: list[dict[Any, int]], recipients: Any,
                       batch: int, progress: Progress,
                       stage: RollupStage | None = None) -> list[dict[str, Any]]:  # fmt: skip
    import multiprocessing as mp

    from django.db import connections

    ctx = mp.get_context("fork")
    done, queue = ctx.Value("q", 0), ctx.Queue()
    connections.close_all()  # each process opens its own connection

    def child(i: int) -> None:
        try:
            r = _live_shard(city, parts[i], seed + 7919 * i, span, starts[i], recipients,
                            batch, None, done, stage)  # fmt: skip
            queue.put((i, r, None))
        except BaseException as exc:  # report, do not hang the parent
            queue.put((i, None, repr(exc)))
            raise
        finally:
            connections.close_all()

    procs = [ctx.Process(target=child, args=(i,)) for i in range(len(parts))]
    for p in procs:
        p.start()
    results: dict[int, dict[str, Any]] = {}
    while len(results) < len(procs):
        try:
            i, r, err = queue.get(timeout=2)
        except Exception:  # queue.Empty: show progress, check the children are alive
            progress.show(done.value)
            if not any(p.is_alive() for p in procs) and queue.empty():
                raise RuntimeError("生成进程意外退出") from None
            continue
        if err:
            for p in procs:
                p.terminate()
            raise RuntimeError(f"生成进程 {i} 失败：{err}")
        results[i] = r
    for p in procs:
        p.join()
    return [results[i] for i in sorted(results)]
