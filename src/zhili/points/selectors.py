"""Reads of the points bank: every one starts from the acting user's scope (``visible_to``);
rankings are sums over counted records; the public page reads only what the village publishes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from zhili.areas.models import Area, Level
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.privacy import mask_name
from zhili.core.scoping import one_visible
from zhili.points.models import (
    Account,
    Goods,
    Household,
    Member,
    Order,
    OrderStatus,
    Period,
    Record,
    RecordStatus,
    RuleVersion,
    Transfer,
    VillagePoints,
)
from zhili.points.rules import version_in_force


def households(user: Any, *, village: Area | None = None) -> QuerySet[Household]:
    qs = Household.objects.visible_to(user).select_related("account", "area")
    if village is not None:
        qs = qs.filter(village=village)
    return qs.order_by("number")


def household_rows(user: Any, village: Area, limit: int = 500) -> list[tuple[Household, str, str]]:
    """The village's households for its desk: the household, its head and its members' names
    masked (core privacy: the desk needs who is who, not full names), members with relation."""
    rows = []
    for h in households(user, village=village).prefetch_related("members")[:limit]:
        members = "、".join(
            mask_name(m.name) + (f"（{m.relation}）" if m.relation else "") for m in h.members.all()
        )
        rows.append((h, mask_name(h.head_name), members))
    return rows


def households_with_members(user: Any, village: Area) -> QuerySet[Household]:
    """Every household of the village the user may see, with its members (the export)."""
    members = Prefetch("members", queryset=Member.objects.order_by("pk"))
    return households(user, village=village).prefetch_related(members)


def village_place(village: Area, code: str) -> Area:
    """A current grid or building (or the village itself) under the village, by code: where a
    household is registered. (The village was read through ``village_get``.)"""
    found = (
        Area.objects.filter(code=code.strip(), valid_to__isnull=True)
        .filter(path__startswith=village.path)
        .first()
    )
    if found is None:
        raise ValidationFailed(
            _("区域 %(code)s 不是本村（社区）的网格或楼栋") % {"code": code.strip()},
            code="household_area",
        )
    return found


def household_get(user: Any, pk: int) -> Household:
    return one_visible(households(user).filter(pk=pk), noun=_("农户"))


def account_get(user: Any, pk: int) -> Account:
    return one_visible(Account.objects.visible_to(user).filter(pk=pk), noun=_("积分账户"))


def transfer_get(user: Any, pk: int) -> Transfer:
    return one_visible(
        Transfer.objects.visible_to(user).select_related("debit", "credit").filter(pk=pk),
        noun=_("积分流水"),
    )


def account_transfers(user: Any, account: Account, *, limit: int = 100) -> list[Transfer]:
    """An account's passbook, newest first (the account must be visible)."""
    account_get(user, account.pk)
    debit = Transfer.objects.filter(debit=account).order_by("-id")[:limit]
    credit = Transfer.objects.filter(credit=account).order_by("-id")[:limit]
    rows = sorted([*debit, *credit], key=lambda t: -t.pk)[:limit]
    return rows


def villages(user: Any) -> list[Area]:
    """The villages (communities) under the user's scope that keep points."""
    ids = Household.objects.visible_to(user).values_list("village_id", flat=True).distinct()
    return list(Area.objects.filter(pk__in=ids, level=Level.COMMUNITY).order_by("path"))


def village_get(user: Any, code: str) -> Area:
    found = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if found is None or not _may_view_village(user, found):
        raise NotFound(_("村（社区）不存在或不在您的管辖范围内"), code="village_not_found")
    return found


def _may_view_village(user: Any, village: Area) -> bool:
    from zhili.core.scoping import can

    return can(user, "view", Household, village.path)


def records(user: Any, *, status: str = "", village: Area | None = None) -> QuerySet[Record]:
    qs = Record.objects.visible_to(user).select_related("household", "item", "recorded_by")
    if status:
        qs = qs.filter(status=status)
    if village is not None:
        qs = qs.filter(household__village=village)
    return qs.order_by("-id")


def record_get(user: Any, pk: int) -> Record:
    return one_visible(records(user).filter(pk=pk), noun=_("积分记录"))


def goods(user: Any, village: Area) -> QuerySet[Goods]:
    return Goods.objects.visible_to(user).filter(area=village, active=True).order_by("name")


def goods_get(user: Any, pk: int) -> Goods:
    return one_visible(Goods.objects.visible_to(user).filter(pk=pk), noun=_("商品"))


def orders(user: Any, *, village: Area | None = None, status: str = "") -> QuerySet[Order]:
    qs = Order.objects.visible_to(user).select_related("household", "goods")
    if village is not None:
        qs = qs.filter(household__village=village)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def order_get(user: Any, pk: int) -> Order:
    return one_visible(orders(user).filter(pk=pk), noun=_("兑换单"))


def held_orders(user: Any, village: Area) -> QuerySet[Order]:
    return orders(user, village=village, status=OrderStatus.HELD)


def rule_versions(user: Any, village: Area) -> QuerySet[RuleVersion]:
    return (
        RuleVersion.objects.visible_to(user)
        .filter(area=village)
        .annotate(n=Count("items"))
        .order_by("-effective_from", "-number")
    )


def rule_version_get(user: Any, pk: int) -> RuleVersion:
    return one_visible(RuleVersion.objects.visible_to(user).filter(pk=pk), noun=_("积分规则"))


def rules_in_force(village: Area, on: dt.date) -> list[Any]:
    version = version_in_force(village, on)
    return list(version.items.order_by("code")) if version else []


# -- rankings -------------------------------------------------------------------------------------


def period_bounds(period: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) of the week (Monday first), month or year containing ``on``."""
    if period == Period.WEEK:
        start = on - dt.timedelta(days=on.weekday())
        return start, start + dt.timedelta(days=7)
    if period == Period.MONTH:
        start = on.replace(day=1)
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        return start, nxt
    if period == Period.YEAR:
        return on.replace(month=1, day=1), on.replace(year=on.year + 1, month=1, day=1)
    raise ValidationFailed(_("周期须为 week、month 或 year"), code="period")


@dataclass(frozen=True)
class RankRow:
    rank: int  # 0: out of the yearly assessment (一票否决)
    household_id: int
    number: str
    name: str  # masked head name
    points: int
    veto: str = ""  # the veto item that took the household out of the year's assessment


def _counted(start: dt.date, end: dt.date) -> QuerySet[Record]:
    return Record.objects.filter(
        status=RecordStatus.COUNTED, occurred_on__gte=start, occurred_on__lt=end
    )


def _rank(rows: list[tuple[int, str, str, int]]) -> list[RankRow]:
    """Competition ranking (1, 2, 2, 4): equal points share a rank."""
    rows = sorted(rows, key=lambda r: (-r[3], r[1]))
    out: list[RankRow] = []
    for i, (pk, number, name, points) in enumerate(rows):
        rank = out[-1].rank if out and out[-1].points == points else i + 1
        out.append(RankRow(rank, pk, number, name, points))
    return out


def vetoes(village: Area, start: dt.date, end: dt.date) -> dict[int, str]:
    """Households with a counted veto item (一票否决) in [start, end): household → the item."""
    found: dict[int, str] = {}
    for pk, name in (
        _counted(start, end)
        .filter(household__village=village, item__veto=True)
        .order_by("occurred_on", "pk")
        .values_list("household_id", "item__name")
    ):
        found.setdefault(pk, name)
    return found


def household_ranking(village: Area, period: str, on: dt.date) -> list[RankRow]:
    """Every household of the village with its counted points of the period (0 included). In the
    yearly assessment a counted veto item (一票否决) takes the household out of the ranking,
    whatever its points: it is listed last, without a rank, with the item."""
    start, end = period_bounds(period, on)
    sums = dict(
        _counted(start, end)
        .filter(household__village=village)
        .values("household_id")
        .annotate(s=Sum("points"))
        .values_list("household_id", "s")
    )
    homes = Household.objects.filter(village=village).values_list("pk", "number", "head_name")
    out = [(pk, num, mask_name(name), sums.get(pk, 0)) for pk, num, name in homes]
    vetoed = vetoes(village, start, end) if period == Period.YEAR else {}
    ranked = _rank([r for r in out if r[0] not in vetoed])
    excluded = sorted((r for r in out if r[0] in vetoed), key=lambda r: r[1])
    return ranked + [RankRow(0, pk, num, name, pts, vetoed[pk]) for pk, num, name, pts in excluded]


def household_ranking_for(user: Any, village: Area, period: str, on: dt.date) -> list[RankRow]:
    village_get(user, village.code)
    return household_ranking(village, period, on)


@dataclass(frozen=True)
class VillageRow:
    rank: int
    code: str
    name: str
    households: int
    points: int
    per_household: float


def village_ranking(user: Any, period: str, on: dt.date) -> list[VillageRow]:
    """The villages in the user's scope by counted points per household of the period."""
    start, end = period_bounds(period, on)
    visible = Household.objects.visible_to(user)
    counts = dict(
        visible.values("village_id").annotate(n=Count("pk")).values_list("village_id", "n")
    )
    sums = dict(
        _counted(start, end)
        .filter(household__in=visible)
        .values("household__village_id")
        .annotate(s=Sum("points"))
        .values_list("household__village_id", "s")
    )
    names = Area.objects.filter(pk__in=counts).values_list("pk", "code", "name")
    rows = sorted(
        ((code, name, counts[pk], sums.get(pk, 0)) for pk, code, name in names),
        key=lambda r: (-(r[3] / r[2]), r[0]),
    )
    out: list[VillageRow] = []
    for i, (code, name, n, points) in enumerate(rows):
        per = round(points / n, 2)
        rank = out[-1].rank if out and out[-1].per_household == per else i + 1
        out.append(VillageRow(rank, code, name, n, points, per))
    return out


def public_board(code: str, period: str, on: dt.date) -> tuple[Area, list[RankRow], bool]:
    """What the public page may show for a village: its ranking if it publishes one (names
    masked unless it chose otherwise — the default masks); 404 when it publishes nothing."""
    village = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if village is None:
        raise NotFound(_("该村（社区）未公开积分排名"), code="board_not_public")
    # A village that has not chosen yet shows the defaults: ranking published, names masked.
    settings = VillagePoints.objects.filter(area=village).first() or VillagePoints()
    if not settings.publish_ranking:
        raise NotFound(_("该村（社区）未公开积分排名"), code="board_not_public")
    rows = household_ranking(village, period, on)
    if not settings.mask_names:
        names = dict(Household.objects.filter(village=village).values_list("pk", "head_name"))
        rows = [
            RankRow(r.rank, r.household_id, r.number, names[r.household_id], r.points, r.veto)
            for r in rows
        ]
    return village, rows, settings.mask_names


def public_records(village: Area) -> QuerySet[Record]:
    """Records in their public window (公示): what the village shows for objections."""
    return (
        Record.objects.filter(household__village=village, status=RecordStatus.PUBLIC)
        .select_related("household", "item")
        .order_by("public_until")
    )
