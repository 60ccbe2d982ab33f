"""Demo matters: a few thousand residents' matters over the last weeks in 渝中区 (most in 解放碑街道's
grids), 万州区 and 两江新区, each run through the real services with explicit timestamps, so the
events, the rollups, the metrics and the deadlines are what production would have recorded.

``demo_matters_setup`` creates (through the org and catalogue services) the responsible units, one
handling account per unit, a grid worker per 解放碑 grid and the routing rules; it is idempotent.
``demo_matters_generate`` then simulates the closed loop with realistic shares of returns, rework,
extensions, suspensions, self-handling, rejections and 私事 triage; recent matters stay open and
some stall, so the deadline sweep that follows finds warnings, overdue matters and escalations.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.test import override_settings
from django.utils import timezone

from zhili.areas.models import Area, Level
from zhili.core.errors import ZhiliError
from zhili.core.system import system_user
from zhili.demo import matter_texts as tx
from zhili.demo.loader import DEMO_PASSWORD, JIEFANGBEI, LIANGJIANG, WANZHOU, YUZHONG, DemoRefused
from zhili.matters import services as s
from zhili.matters import supervision
from zhili.matters.attachments import attachment_store
from zhili.matters.catalogue import routing_rule_set
from zhili.matters.models import Category, Channel, Matter, MatterEvent, RoutingRule, Triage
from zhili.org.models import Role, RoleGrant, Unit, UnitType, User
from zhili.org.services import grant_create, unit_create, user_create

DISTRICTS = {YUZHONG: ("渝中区", "yz"), WANZHOU: ("万州区", "wz"), LIANGJIANG: ("两江新区", "lj")}
OFFICERS = {YUZHONG: "yuzhong", WANZHOU: "wanzhou", LIANGJIANG: "liangjiang"}
# Streets with matters outside 解放碑 (real streets of the 2023 tree and the 2025 change).
STREETS = {
    YUZHONG: ["500103001", "500103004", "500103005", "500103007", "500103008", "500103010",
              "500103011", "500103012", "500103013", "500103014"],
    WANZHOU: ["500101001", "500101017", "500101018", "500101019", "500101020", "500101021",
              "500101022", "500101023"],
    LIANGJIANG: ["500105006", "500105001", "500105003", "500105004", "500105007", "500112011",
                 "500112012", "500112009"],
}  # fmt: skip
# Responsible departments: key, name (per district where it differs), categories routed to it.
DEPARTMENTS: list[tuple[str, dict[str, str], list[str]]] = [
    ("cg", {"": "城市管理局"}, ["streetlight", "road-damage", "sanitation", "illegal-building",
                                "greenery", "stray-animals", "septic-sewer", "water-supply"]),
    ("jw", {"": "住房城乡建委", LIANGJIANG: "建设管理局"}, ["property-service", "old-compound"]),
    ("sc", {"": "市场监管局"}, ["elevator", "market-order", "food-safety", "business-env"]),
    ("hb", {"": "生态环境局"}, ["noise"]),
    ("ga", {"": "公安分局"}, ["parking", "public-order", "fraud"]),
    ("rs", {"": "人力社保局", LIANGJIANG: "社会保障局"}, ["wage-arrears", "social-security",
                                                         "employment"]),
    ("mz", {"": "民政局"}, ["elderly-care", "subsistence", "disability"]),
    ("wj", {"": "卫生健康委"}, ["medical"]),
    ("jy", {"": "教委"}, ["education"]),
    ("yj", {"": "应急管理局"}, ["safety-hazard", "fire-lane"]),
    ("xf", {"": "信访办"}, ["petition-follow"]),
]  # fmt: skip
STREET_CATEGORIES = [
    "neighbour-dispute",
    "volunteer",
    "civility",
    "grassroots-party",
    "cadre-conduct",
]


class QuickDemoHasher(PBKDF2PasswordHasher):
    """Demo accounts share a published password, so they are hashed cheaply (Argon2 takes most of
    a second each here); Django verifies the hash by its own iteration count and upgrades it to
    Argon2 at the first login."""

    iterations = 1000


def _demo_accounts() -> Any:
    return override_settings(
        PASSWORD_HASHERS=["zhili.demo.matters.QuickDemoHasher", *settings.PASSWORD_HASHERS]
    )


@dataclass
class Place:
    area: Area
    district: str
    officer: User
    approver: User
    community: str = ""
    street: str = ""
    grid_worker: User | None = None
    lat: float | None = None
    lng: float | None = None


@dataclass
class Cast:
    places_jfb: list[Place]
    places_other: dict[str, list[Place]]
    handlers: dict[int, User]  # unit id -> its handling account
    fallback_unit: dict[str, Unit]  # district -> 城市管理局
    street_office: dict[str, Unit]  # street code -> its office
    evidence: list[Any] = field(default_factory=list)


def _account(actor: Any, username: str, full_name: str, area: Area, unit: Unit | None,
             role: str, grant_area: Area) -> User:  # fmt: skip
    user = User.objects.filter(username=username).first()
    if user is None:
        with _demo_accounts():
            user = user_create(
                actor=actor,
                username=username,
                password=DEMO_PASSWORD,
                area=area,
                full_name=full_name,
                unit=unit,
                check_password=False,
            )
    role_obj = Role.objects.get(slug=role)
    if not RoleGrant.objects.filter(user=user, role=role_obj, area=grant_area).exists():
        grant_create(actor=actor, user=user, role=role_obj, area=grant_area)
    return user


def _unit(actor: Any, name: str, kind: str, area: Area) -> Unit:
    unit = Unit.objects.filter(area=area, name=name).first()
    return unit or unit_create(actor=actor, name=name, type=kind, area=area)


def _handler(actor: Any, unit: Unit, username: str) -> User:
    existing = User.objects.filter(unit=unit, is_active=True).order_by("id").first()
    if existing is not None:
        return existing
    return _account(
        actor, username, f"{unit.name}经办人", unit.area, unit, "unit_handler", unit.area
    )


def _grid_point(grid: Area, rng: random.Random) -> tuple[float | None, float | None]:
    try:
        ring = grid.geometry["coordinates"][0]  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return None, None
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return round(rng.uniform(min(ys), max(ys)), 6), round(rng.uniform(min(xs), max(xs)), 6)


def _evidence() -> list[Any]:
    """A few small photos (made here, stored like uploads) for self-handled matters."""
    from PIL import Image, ImageDraw

    photos = []
    for i, colour in enumerate([(120, 144, 156), (141, 110, 99), (102, 187, 106), (66, 165, 245)]):
        img = Image.new("RGB", (160, 120), colour)
        ImageDraw.Draw(img).rectangle([20 + i * 8, 30, 120, 90], outline=(255, 255, 255), width=3)
        out = io.BytesIO()
        img.save(out, format="PNG")
        photos.append(attachment_store(data=out.getvalue(), name=f"现场照片{i + 1}.png"))
    return photos


@transaction.atomic
def demo_matters_setup(*, say: Callable[[str], None] = print) -> Cast:
    """Units, handling accounts, grid workers and routing rules for the demo districts."""
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入（生产环境不得有演示账号）")
    actor = system_user()
    areas = {a.code: a for a in Area.objects.filter(code__in=[*DISTRICTS, JIEFANGBEI])}
    officers = {
        u.username: u for u in User.objects.filter(username__in=[*OFFICERS.values(), "jiefangbei"])
    }
    if len(areas) < 4 or len(officers) < 4:
        raise DemoRefused("请先载入区划和演示数据：zhili load_areas && zhili load_demo")
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=False)}
    handlers: dict[int, User] = {}
    fallback: dict[str, Unit] = {}
    for code, (dname, prefix) in DISTRICTS.items():
        district = areas[code]
        for key, names, codes in DEPARTMENTS:
            unit = _unit(actor, dname + names.get(code, names[""]), UnitType.DEPARTMENT, district)
            handlers[unit.pk] = _handler(actor, unit, f"{prefix}_{key}")
            fallback.setdefault(code, unit)
            for c in codes:
                _rule(actor, categories[c], district, unit)
    offices: dict[str, Unit] = {}
    street_codes = [JIEFANGBEI, *[c for codes in STREETS.values() for c in codes]]
    streets = {a.code: a for a in Area.objects.filter(code__in=street_codes)}
    for code in street_codes:
        street = streets[code]
        unit = _unit(actor, f"{street.name}办事处", UnitType.STREET_OFFICE, street)
        prefix = DISTRICTS[_district_of(street)][1]
        handlers[unit.pk] = _handler(actor, unit, f"{prefix}_jd{code[-3:]}")
        offices[code] = unit
        for c in STREET_CATEGORIES:
            _rule(actor, categories[c], street, unit)
    cast = Cast(
        places_jfb=_jfb_places(actor, areas[JIEFANGBEI], officers),
        places_other=_other_places(officers),
        handlers=handlers,
        fallback_unit=fallback,
        street_office=offices,
    )
    say(f"责任单位 {len(handlers)} 个（每个一名经办人），解放碑网格员 {len(cast.places_jfb)} 名")
    return cast


def _rule(actor: Any, category: Category, area: Area, unit: Unit) -> None:
    if not RoutingRule.objects.filter(category=category, area=area, unit=unit).exists():
        routing_rule_set(actor=actor, category=category, area=area, unit=unit)


def _district_of(area: Area) -> str:
    return [c for c in area.path.split("/") if c][1]


def _jfb_places(actor: Any, street: Area, officers: dict[str, User]) -> list[Place]:
    grids = list(
        Area.objects.current()
        .filter(level=Level.GRID, path__startswith=street.path)
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    centre = Unit.objects.filter(area=street, type=UnitType.GOVERNANCE_CENTRE).first()
    rng = random.Random(0)
    places = []
    for i, grid in enumerate(grids, start=1):
        worker = _account(actor, f"grid_jfb_{i:02d}", f"解放碑网格员{i:02d}", street, centre,
                          "grid_worker", grid)  # fmt: skip
        lat, lng = _grid_point(grid, rng)
        places.append(
            Place(
                grid,
                YUZHONG,
                officers["jiefangbei"],
                officers["yuzhong"],
                community=grid.parent.name if grid.parent else "",
                street=street.name,
                grid_worker=worker,
                lat=lat,
                lng=lng,
            )
        )
    return places


def _other_places(officers: dict[str, User]) -> dict[str, list[Place]]:
    out: dict[str, list[Place]] = {}
    for district, codes in STREETS.items():
        officer = officers[OFFICERS[district]]
        communities = (
            Area.objects.current()
            .filter(level=Level.COMMUNITY, parent__code__in=codes)
            .select_related("parent")
            .order_by("code")
        )
        out[district] = [
            Place(c, district, officer, officer, c.name, c.parent.name if c.parent else "")
            for c in communities
        ]
    return out


# The simulation ---------------------------------------------------------------------------------

REPORT_HOURS = {"immediate": (2, 40), "timed": (10, 150), "consult": (48, 400), "urgent": (0.5, 20)}
SHARES = {  # of all matters, roughly (DOMAIN.md §3 measures)
    "reject": 0.03,
    "private": 0.02,
    "return": 0.05,
    "rework": 0.05,
    "extend": 0.04,
    "suspend": 0.012,
    "stall": 0.04,
    "reopen_unsatisfied": 0.3,  # of the unsatisfied call-backs
}


class Stop(Exception):
    """The next step would happen after now: the matter stays where it is."""


class Story:
    """One matter's life, step by step on its own clock; a step due after ``now`` ends it."""

    def __init__(self, rng: random.Random, now: dt.datetime, start: dt.datetime) -> None:
        self.rng, self.now, self.t = rng, now, start

    def after(self, low: float, high: float) -> dt.datetime:
        self.t += dt.timedelta(hours=self.rng.uniform(low, high))
        if self.t >= self.now:
            raise Stop
        return self.t


ALL_ROADS = [r for roads in tx.ROADS.values() for r in roads]  # for districts without their own


def _fill(text: str, rng: random.Random, place: Place) -> str:
    return text.format(
        road=rng.choice(tx.ROADS.get(place.district) or ALL_ROADS),
        no=rng.randint(1, 268),
        estate=rng.choice(tx.ESTATES),
        b=rng.randint(1, 24),
        u=rng.randint(1, 4),
        community=place.community,
        street=place.street,
        n=rng.randint(3, 40),
    )


def _created_at(rng: random.Random, now: dt.datetime, days: int) -> dt.datetime:
    local = timezone.localtime(now)
    day = local.date() - dt.timedelta(days=int(rng.random() ** 0.9 * days))
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 13, 10, 12, 14,
                                           14, 13, 12, 10, 9, 8, 6, 4, 2])[0]  # fmt: skip
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59))))
    return min(at, now - dt.timedelta(minutes=rng.randint(5, 600)))


class Generator:
    """Lives matters through ``services`` (the real services module; the benchmark passes a
    machine with the same functions that writes the same rows in bulk, zhili.bench.machine)."""

    def __init__(self, cast: Cast, *, seed: int, now: dt.datetime, days: int,
                 services: Any = None) -> None:  # fmt: skip
        self.cast, self.rng, self.now, self.days = cast, random.Random(seed), now, days
        self.s = services or s
        self.shares = dict(SHARES)
        self.categories = {c.code: c for c in Category.objects.filter(parent__isnull=False)}
        ranked = [c for c in tx.RANKING if c in self.categories]
        self.codes, self.weights = ranked, [1 / (i + 1) ** 0.9 for i in range(len(ranked))]
        self.counts: dict[str, int] = {}

    def tally(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def place(self) -> Place:
        r = self.rng.random()
        if r < 0.5 or not any(self.cast.places_other.values()):
            return self.rng.choice(self.cast.places_jfb)
        district = YUZHONG if r < 0.7 else WANZHOU if r < 0.85 else LIANGJIANG
        return self.rng.choice(self.cast.places_other[district] or self.cast.places_jfb)

    def created_at(self) -> dt.datetime:
        return _created_at(self.rng, self.now, self.days)

    def one(self) -> None:
        rng, place = self.rng, self.place()
        code = rng.choices(self.codes, weights=self.weights)[0]
        category = self.categories[code]
        title, text = rng.choice(tx.TEMPLATES[code])
        grid = place.grid_worker is not None
        channels = (
            [Channel.GRID, Channel.HOTLINE, Channel.BUILDING_DAY, Channel.WEB, Channel.STAFF,
             Channel.REFERRAL] if grid else
            [Channel.HOTLINE, Channel.WEB, Channel.STAFF, Channel.BUILDING_DAY, Channel.REFERRAL]
        )  # fmt: skip
        weights = [45, 20, 12, 10, 8, 5] if grid else [45, 20, 15, 10, 10]
        channel = rng.choices(channels, weights=weights)[0]
        anonymous = channel == Channel.WEB and category.allow_anonymous and rng.random() < 0.15
        creator: Any = place.officer
        if channel == Channel.GRID:
            creator = place.grid_worker
        elif channel in (Channel.WEB, Channel.OPEN311):
            creator = None
        answers = dict(tx.ANSWERS.get(code, {}))
        if code == "wage-arrears":
            answers["workers"] = rng.randint(3, 40)
        story = Story(rng, self.now, self.created_at())
        m = self.s.matter_create(
            actor=creator,
            category=category,
            channel=channel,
            title=_fill(title, rng, place),
            description=_fill(text, rng, place),
            area=place.area,
            lat=place.lat,
            lng=place.lng,
            reporter_name="" if anonymous else rng.choice(tx.SURNAMES) + rng.choice("先生女士"),
            reporter_phone=""
            if anonymous
            else f"1{rng.choice('3578')}{rng.randint(0, 10**9 - 1):09d}",
            anonymous=anonymous,
            answers=answers,
            at=story.t,
        )
        self.tally("created")
        try:
            self.live(m, place, story, channel)
        except Stop:
            self.tally("open")

    def live(self, m: Matter, place: Place, story: Story, channel: str) -> None:
        rng, officer, r = self.rng, place.officer, self.rng.random()
        if channel == Channel.GRID and rng.random() < 0.35:
            self.s.matter_self_handle(
                actor=place.grid_worker,
                matter=m,
                result=rng.choice(tx.SELF_HANDLED),
                attachments=[rng.choice(self.cast.evidence)],
                at=story.after(0.1, 1.5),
            )
            return self.tally("self_handled")
        if r < self.shares["reject"]:
            self.s.matter_reject(actor=officer, matter=m, reason=rng.choice(tx.REJECT_REASONS),
                            at=story.after(0.3, 8))  # fmt: skip
            return self.tally("rejected")
        if r < self.shares["reject"] + self.shares["private"]:
            self.s.matter_triage(actor=officer, matter=m, triage=Triage.PRIVATE,
                            reason=tx.PRIVATE_REASONS[0], at=story.after(0.3, 8))  # fmt: skip
            return self.tally("private")
        dispatcher = officer
        if rng.random() < 0.15:
            # 大事: the district dispatches (matters.triage). 小事 would go to the community's
            # committee, which the demo does not register.
            m = self.s.matter_triage(actor=officer, matter=m, triage=Triage.BIG,
                                     reason="按三事分流规则分类办理", at=story.after(0.3, 6))  # fmt: skip
            dispatcher = place.approver
        else:
            m = self.s.matter_accept(actor=officer, matter=m, at=story.after(0.2, 6))
        unit = m.suggested_unit or self.cast.fallback_unit[place.district]
        m = self.s.matter_dispatch(actor=dispatcher, matter=m, unit=unit, at=story.after(0.1, 3))
        r = rng.random()
        if r < self.shares["stall"] / 2:
            raise Stop  # the unit never signs
        if r < self.shares["stall"] / 2 + self.shares["return"]:
            handler = self.cast.handlers[unit.pk]
            m = self.s.matter_return(actor=handler, matter=m, reason=rng.choice(tx.RETURN_REASONS),
                                at=story.after(1, 10))  # fmt: skip
            self.tally("returned")
            street = [c for c in place.area.path.split("/") if c][2]
            other = self.cast.street_office.get(street)
            if other is None or other.pk == unit.pk:
                other = self.cast.fallback_unit[place.district]
            unit = other
            m = self.s.matter_dispatch(actor=dispatcher, matter=m, unit=unit,
                                       at=story.after(0.3, 5))  # fmt: skip
        handler = self.cast.handlers[unit.pk]
        m = self.s.matter_sign(actor=handler, matter=m, contacted=rng.random() < 0.8,
                          at=story.after(0.3, 22))  # fmt: skip
        self.handle(m, place, story, handler)

    def handle(self, m: Matter, place: Place, story: Story, handler: User) -> None:
        rng, officer = self.rng, place.officer
        r = rng.random()
        if r < self.shares["stall"] / 2:
            raise Stop  # signed, then nothing: overdue in the end
        if r < self.shares["stall"] / 2 + self.shares["suspend"]:
            self.s.matter_suspend(actor=place.approver, matter=m, reason=rng.choice(tx.SUSPEND_REASONS),
                             at=story.after(2, 48))  # fmt: skip
            return self.tally("suspended")
        if rng.random() < self.shares["extend"]:
            m = self.s.matter_extend(actor=handler, matter=m, days=rng.randint(3, 10),
                                reason=rng.choice(tx.EXTEND_REASONS), at=story.after(4, 48))  # fmt: skip
            m = self.s.matter_approve_extension(actor=place.approver, matter=m,
                                           approved=rng.random() < 0.9, at=story.after(1, 20))  # fmt: skip
            self.tally("extended")
        low, high = REPORT_HOURS[m.handling_mode]
        late = 1.7 if rng.random() < 0.08 else 1.0
        m = self.s.matter_report(actor=handler, matter=m, result=rng.choice(tx.REPORTS),
                            at=story.after(low * late, high * late))  # fmt: skip
        if rng.random() < self.shares["rework"]:
            m = self.s.matter_verify(actor=officer, matter=m, passed=False,
                                note=rng.choice(tx.REWORK_NOTES), at=story.after(2, 30))  # fmt: skip
            self.tally("reworked")
            m = self.s.matter_report(actor=handler, matter=m, result=rng.choice(tx.REPORTS),
                                at=story.after(12, 72))  # fmt: skip
        m = self.s.matter_verify(actor=officer, matter=m, passed=True, at=story.after(2, 30))
        m = self.s.matter_close(actor=officer, matter=m, at=story.after(0.2, 12))
        self.tally("closed")
        if rng.random() < 0.95:
            solved = rng.random() < 0.92
            satisfied = rng.random() < (0.93 if solved else 0.25)
            m = self.s.matter_rate(actor=officer, matter=m, solved=solved, satisfied=satisfied,
                                   at=story.after(2, 72))  # fmt: skip
            self.tally("rated")
            if not satisfied and rng.random() < self.shares["reopen_unsatisfied"]:
                self.reopen(m, place, story, handler)

    def reopen(self, m: Matter, place: Place, story: Story, handler: User) -> None:
        """重新办理 after an unsatisfied call-back: back to the unit, handled and closed again."""
        rng, officer = self.rng, place.officer
        m = self.s.matter_reopen(actor=officer, matter=m, reason=rng.choice(tx.REOPEN_REASONS),
                                 at=story.after(2, 48))  # fmt: skip
        self.tally("reopened")
        m = self.s.matter_sign(actor=handler, matter=m, contacted=True, at=story.after(0.3, 22))
        m = self.s.matter_report(actor=handler, matter=m, result=rng.choice(tx.REPORTS),
                                 at=story.after(12, 96))  # fmt: skip
        m = self.s.matter_verify(actor=officer, matter=m, passed=True, at=story.after(2, 30))
        self.s.matter_close(actor=officer, matter=m, at=story.after(0.2, 12))


def demo_has_matters() -> bool:
    return Matter.objects.exists()


def demo_matters_generate(
    *,
    count: int = 3000,
    days: int = 90,
    seed: int = 1,
    now: dt.datetime | None = None,
    batch: int = 100,
    say: Callable[[str], None] = print,
    engine: str = "machine",
) -> dict[str, Any]:
    """Create ``count`` matters over the last ``days`` days, then run the deadline sweep once.

    ``engine="machine"`` (the default) lives the stories in memory with ``zhili.bench.machine``,
    which writes, in bulk, the rows the services would (proven by bench/tests/test_machine.py):
    3,000 matters in well under a minute. ``engine="services"`` runs every step through the
    services one transaction each (several minutes)."""
    cast = demo_matters_setup(say=say)
    cast.evidence = _evidence()
    now = now or timezone.now()
    if engine == "machine":
        return _generate_with_machine(cast, count=count, days=days, seed=seed, now=now, say=say)
    gen = Generator(cast, seed=seed, now=now, days=days)
    # A batch job needs no DEBUG query log (it costs a tenth of the time).
    with override_settings(DEBUG=False):
        for start in range(0, count, batch):
            with transaction.atomic():
                for _ in range(min(batch, count - start)):
                    try:
                        gen.one()
                    except ZhiliError as exc:  # a rule refused a step (its own savepoint undid
                        gen.tally("skipped")  # it): the matter keeps the steps before
                        say(f"跳过一步：{exc.message}")
            done = min(start + batch, count)
            if done % 500 == 0 or done == count:
                say(f"已生成 {done}/{count} 件")
    swept = _sweep_as_if_running(now)
    say(
        "时限巡查：临期提醒 {warned} 件、超期督办 {supervised} 件、升级督办 {escalated} 件，"
        "通知 {notices} 条".format(**swept.as_dict())
    )
    return {**gen.counts, "sweep": swept.as_dict()}


def _generate_with_machine(
    cast: Cast, *, count: int, days: int, seed: int, now: dt.datetime, say: Callable[[str], None]
) -> dict[str, Any]:
    from zhili.bench.machine import Machine

    machine = Machine()
    gen = Generator(cast, seed=seed, now=now, days=days, services=machine)
    with override_settings(DEBUG=False), transaction.atomic():
        for done in range(1, count + 1):
            gen.one()
            if done % 500 == 0 or done == count:
                machine.flush()
                say(f"已生成 {done}/{count} 件")
        machine.finish()
    swept = _sweep_as_if_running(now)
    say(
        "时限巡查：临期提醒 {warned} 件、超期督办 {supervised} 件、升级督办 {escalated} 件，"
        "通知 {notices} 条".format(**swept.as_dict())
    )
    return {**gen.counts, "sweep": swept.as_dict()}


def _sweep_as_if_running(now: dt.datetime) -> supervision.SweepResult:
    """The deadline sweep as if the worker had been running: first as of a day and a half ago
    over the matters nobody has touched since (so those overdue then were supervised then), then
    now, which escalates those still overdue a day after their supervision notice."""
    earlier = now - supervision.escalate_after() - dt.timedelta(hours=12)
    untouched = ~Exists(MatterEvent.objects.filter(matter=OuterRef("pk"), at__gt=earlier))
    before = supervision.sweep(earlier, scope=Q(untouched))
    result = supervision.sweep(now)
    for name in ("warned", "overdue", "supervised", "escalated", "notices", "failed"):
        setattr(result, name, getattr(result, name) + getattr(before, name))
    return result
