"""Repeated matters (重复诉求): the same problem reported again at the same place, recently.

One definition serves the suggestions at intake and the 重复诉求率 counter (docs/matters.md):
two reports are of the same problem when they share the category, lie at the same place — the
same grid (a building is in its grid; a matter located only to a community or street shares it
with matters located to that same community or street), or within ``ZHILI_DUPLICATE_RADIUS_M``
metres of each other's coordinates, or at the same written address — were received at most
``ZHILI_DUPLICATE_WINDOW_DAYS`` days apart, and their words overlap (Jaccard of jieba tokens) at
least ``ZHILI_DUPLICATE_MIN_SIMILARITY``. Candidates are read from the street that holds the
matter, one range scan of the ``matter_dup_idx`` index (category, area_path, created_at).

``duplicate_candidates`` suggests likely duplicates of a matter to merge (not rejected or merged,
before or after it); ``repeat_of`` / ``repeated_ids`` decide whether a matter repeats a report
recorded before it (any status: a report made again is a repeat however the first was handled).

The tokenizer is shared with the learned routing: jieba with a user dictionary of the city's street,
community and grid names (built once per process), minus stop words.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db.models import Q

from zhili.areas.models import Area, Level
from zhili.core import tunables
from zhili.core.scoping import path_prefix_q
from zhili.matters.models import Matter, Status

DEFAULT_RADIUS_M = 200.0
DEFAULT_WINDOW_DAYS = 7
DEFAULT_MIN_SIMILARITY = 0.3
MAX_SCAN = (
    500  # rows read per suggestion at most (a safety valve; a week of one street is far less)
)
EARTH_RADIUS_M = 6_371_000.0

_STOP_TEXT = """
    的 了 着 过 地 得 在 是 我 我们 你 你们 他 她 它 他们 有 和 与 及 或 就 都 也 很 还 又 再 被 把 让
    给 对 向 从 到 于 这 那 这个 那个 这些 那些 这里 那里 这边 那边 一个 一些 一直 一下 什么 怎么 怎么办
    为什么 如何 哪里 请 请问 希望 要求 反映 投诉 举报 问题 情况 现在 目前 已经 没有 不 没 能 能否 会 可以
    可 需要 要 想 因为 所以 但是 但 而且 如果 并且 然后 市民 居民 群众 本人 家里 一下子 谢谢 麻烦 及时
    尽快 处理 解决 相关 部门 有关 进行 造成 导致 影响 严重 非常 特别 比较 多次 经常 每天 天天 好几天
    几天 问题反映 呢 吗 吧 啊 呀 哦 嘛 啦 个 些 次 处 时候 时间 之前 以后 之后 近期 最近
    附近 周边 街道 社区 网格 第 位于 地方 这样 那样 大家
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
# Words of residents' matters that jieba's general dictionary splits badly (路灯不亮 → 路/灯不亮).
_DOMAIN_TEXT = """
    路灯 井盖 下水道 化粪池 污水 外溢 堵塞 积水 漏水 渗水 停水 停电 停气 水压 电梯 困人 物业 物业费
    业委会 业主 小区 楼栋 单元 外墙 脱落 坠物 噪声 噪音 扰民 油烟 广场舞 装修 违章 违建 搭建 占道
    乱停 乱放 垃圾 清运 保洁 绿化 树木 流浪狗 流浪猫 消防通道 安全隐患 欠薪 拖欠 工资 农民工 工地
    施工 渣土 道路 破损 坑洼 人行道 盲道 红绿灯 公交 低保 养老 残疾人 就业 医保 社保 学位 诈骗
"""
DOMAIN_WORDS = frozenset(_DOMAIN_TEXT.split())
WORD_FREQ = 20000
_AREA_SUFFIX = re.compile(r"(街道办事处|街道|社区居委会|居委会|村委会|社区|镇|乡|村)$")
_GRID_SUFFIX = re.compile(r"第?[0-9一二三四五六七八九十百]+网格$|网格$")

_lock = threading.Lock()
_tokenizer: Any = None


def radius_m() -> float:
    return float(tunables.value("matters.duplicate_radius_m"))


def window() -> dt.timedelta:
    return dt.timedelta(days=float(tunables.value("matters.duplicate_window_days")))


def min_similarity() -> float:
    return float(tunables.value("matters.duplicate_min_similarity"))


# Tokens ----------------------------------------------------------------------------------------


def area_words() -> set[str]:
    """Street, community and grid names in the form residents write them: 解放碑街道 → 解放碑,
    民生路社区 → 民生路, 民生路第1网格 → 民生路 (so "解放碑街道" and "解放碑" share a word)."""
    names = Area.objects.current().filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID])
    words: set[str] = set()
    for name in names.values_list("name", flat=True).iterator(chunk_size=5000):
        short = _GRID_SUFFIX.sub("", _AREA_SUFFIX.sub("", name))
        words.add(short if len(short) >= 2 else name)
    return words


def _get_tokenizer() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for word in sorted(area_words() | DOMAIN_WORDS):
                    tk.add_word(word, freq=WORD_FREQ)
                _tokenizer = tk
    return _tokenizer


def forget_tokenizer() -> None:
    """Rebuild the user dictionary on next use (after large area changes)."""
    global _tokenizer
    with _lock:
        _tokenizer = None


def tokenize(text: str) -> list[str]:
    """jieba words of ``text``: area names kept whole, stop words and punctuation dropped."""
    out = []
    # Without HMM new-word guessing, the same phrase splits the same way in every text.
    for raw in _get_tokenizer().lcut(text or "", HMM=False):
        word = raw.strip().lower()
        if word and word not in STOP_WORDS and any(ch.isalnum() for ch in word):
            out.append(word)
    return out


def matter_tokens(matter: Matter) -> set[str]:
    return set(tokenize(f"{matter.title}\n{matter.description}"))


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


# Places ----------------------------------------------------------------------------------------


def distance_m(a: Matter, b: Matter) -> float | None:
    """Great-circle (haversine) distance in metres, or None when either has no coordinates."""
    if None in (a.lat, a.lng, b.lat, b.lng):
        return None
    lat1, lng1, lat2, lng2 = map(math.radians, (a.lat, a.lng, b.lat, b.lng))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@functools.lru_cache(maxsize=65_536)  # a pure function of a path; the city has ~50,000 areas
def street_path(area_path: str) -> str:
    """The path of the street (乡镇/街道) holding ``area_path``: city/district/street/."""
    parts = [p for p in area_path.split("/") if p]
    return "/".join(parts[:3]) + "/"


GRID_CODES = 5  # a grid's path holds five codes: city/district/street/community/grid/


@functools.lru_cache(maxsize=65_536)
def place_path(area_path: str) -> str:
    """The place a matter is at, as an area path: its grid (a building's grid), or its own area
    when it is located only to a community or street."""
    parts = [p for p in area_path.split("/") if p]
    return "/".join(parts[:GRID_CODES]) + "/"


def same_place(a: Matter, b: Matter, radius: float | None = None) -> bool:
    """The same grid, within ``radius`` metres (both with coordinates), or the same address."""
    if place_path(a.area_path) == place_path(b.area_path):
        return True
    if a.address and a.address == b.address:
        return True
    d = distance_m(a, b)
    return d is not None and d <= (radius_m() if radius is None else radius)


def near(a: Matter, b: Matter, radius: float) -> bool:
    return same_place(a, b, radius)


def _place_q(matter: Matter, radius: float) -> Q:
    """The rows that may be at ``matter``'s place (``same_place`` decides exactly)."""
    place = place_path(matter.area_path)
    deep = place.count("/") >= GRID_CODES
    q = path_prefix_q("area_path", place) if deep else Q(area_path=place)
    if matter.address:
        q |= Q(address=matter.address)
    if matter.lat is not None and matter.lng is not None:
        dlat = radius / 111_000 * 1.01
        dlng = dlat / max(0.01, math.cos(math.radians(matter.lat)))
        q |= Q(lat__range=(matter.lat - dlat, matter.lat + dlat)) & Q(
            lng__range=(matter.lng - dlng, matter.lng + dlng)
        )
    return q


# Candidates ------------------------------------------------------------------------------------


def candidate_rows(matter: Matter, *, user: Any = None) -> Any:
    """The indexed query: same category, the matter's street subtree, the time window."""
    base = Matter.objects.all() if user is None else Matter.objects.visible_to(user)
    span = window()
    return (
        base.filter(category_id=matter.category_id)
        .filter(path_prefix_q("area_path", street_path(matter.area_path)))
        .filter(created_at__gte=matter.created_at - span, created_at__lte=matter.created_at + span)
        .exclude(pk=matter.pk)
        .exclude(status__in=[Status.REJECTED, Status.MERGED])
        .select_related("area", "category")
        .order_by()[:MAX_SCAN]  # no ORDER BY: it would tempt the planner onto created_at's index
    )


def duplicate_candidates(
    matter: Matter, limit: int = 5, *, user: Any = None
) -> list[tuple[Matter, float]]:
    """Likely duplicates of ``matter``, most similar first, with their similarity (0–1).

    With ``user``, only matters that user may view are considered."""
    radius, threshold = radius_m(), min_similarity()
    mine = matter_tokens(matter)
    if not mine:
        return []
    found = []
    for other in candidate_rows(matter, user=user):
        if not near(matter, other, radius):
            continue
        score = jaccard(mine, matter_tokens(other))
        if score >= threshold:
            found.append((other, round(score, 3)))
    found.sort(key=lambda pair: (-pair[1], -pair[0].created_at.timestamp()))
    return found[: max(0, limit)]


# Repeats (the 重复诉求 counter) ------------------------------------------------------------------

REPEAT_FIELDS = (
    "id", "category", "area_path", "address", "lat", "lng", "created_at", "title", "description",
)  # fmt: skip
REPORT_COLUMNS = tuple("category_id" if f == "category" else f for f in REPEAT_FIELDS)


class RepeatRules(NamedTuple):
    """The business parameters of the repeat test, read once for a batch of comparisons (a
    matter is compared with up to ``MAX_SCAN`` earlier reports; each read of a parameter is a
    lookup in ``core.tunables``)."""

    span: dt.timedelta
    radius: float
    similarity: float

    @classmethod
    def now(cls) -> RepeatRules:
        return cls(window(), radius_m(), min_similarity())


def repeats(
    matter: Matter,
    earlier: Matter,
    tokens: dict[int, set[str]] | None = None,
    rules: RepeatRules | None = None,
) -> bool:
    """Does ``matter`` repeat ``earlier`` (recorded before it: a smaller id)? ``tokens`` caches
    each matter's words by id; ``rules``: the parameters, if the caller read them already."""
    if earlier.pk >= matter.pk or earlier.category_id != matter.category_id:
        return False
    rules = rules or RepeatRules.now()
    if abs(matter.created_at - earlier.created_at) > rules.span:
        return False
    if not same_place(matter, earlier, rules.radius):
        return False
    cache = {} if tokens is None else tokens
    for m in (matter, earlier):
        if m.pk not in cache:
            cache[m.pk] = matter_tokens(m)
    return jaccard(cache[matter.pk], cache[earlier.pk]) >= rules.similarity


def reports(rows: Any) -> list[_Report]:
    """The rows of a Matter queryset as ``_Report`` values: one query and no model instances
    (the intake reads up to ``MAX_SCAN`` of them and usually needs the first)."""
    return [_Report.of_values(values) for values in rows.values_list(*REPORT_COLUMNS)]


def _repeat_id(matter: Matter) -> int | None:
    """The id of the latest report ``matter`` repeats, if any (one indexed query)."""
    rules = RepeatRules.now()
    span = rules.span
    rows = (
        Matter.objects.filter(category_id=matter.category_id, pk__lt=matter.pk)
        .filter(path_prefix_q("area_path", street_path(matter.area_path)))
        .filter(created_at__gte=matter.created_at - span, created_at__lte=matter.created_at + span)
        .filter(_place_q(matter, rules.radius))
        .order_by()[:MAX_SCAN]
    )
    tokens: dict[int, set[str]] = {}
    for other in sorted(reports(rows), key=lambda m: -m.pk):
        if repeats(matter, other, tokens, rules):  # type: ignore[arg-type]
            return other.pk
    return None


def repeat_of(matter: Matter) -> Matter | None:
    """The latest report ``matter`` repeats, if any."""
    found = _repeat_id(matter)
    return None if found is None else Matter.objects.only(*REPEAT_FIELDS).get(pk=found)


GROUPS_PER_QUERY = 50  # (category, street) pairs OR-ed in one query (SQLite's expression depth)


def repeated_ids(matters: Sequence[Matter]) -> set[int]:
    """The ids of ``matters`` (saved) that repeat a report recorded before them, with one query
    per 50 (category, street) pairs among them (the batch intake and the rebuild)."""
    if len(matters) == 1:
        return {matters[0].pk} if _repeat_id(matters[0]) is not None else set()
    if not matters:
        return set()
    rules = RepeatRules.now()
    span = rules.span
    groups: dict[tuple[int, str], list[Matter]] = defaultdict(list)
    for m in matters:
        groups[(m.category_id, street_path(m.area_path))].append(m)
    lo = min(m.created_at for m in matters) - span
    hi = max(m.created_at for m in matters) + span
    top = max(m.pk for m in matters)
    found: dict[tuple[int, str], list[_Report]] = defaultdict(list)
    keys = sorted(groups)
    for i in range(0, len(keys), GROUPS_PER_QUERY):
        q = Q(pk__in=[])
        for category_id, street in keys[i : i + GROUPS_PER_QUERY]:
            q |= Q(category_id=category_id) & path_prefix_q("area_path", street)
        rows = Matter.objects.filter(q, pk__lt=top, created_at__gte=lo, created_at__lte=hi)
        for other in reports(rows.order_by()):
            found[(other.category_id, street_path(other.area_path))].append(other)
    out: set[int] = set()
    tokens: dict[int, set[str]] = {}
    for key, mine in groups.items():
        others = sorted(found.get(key, ()), key=lambda m: m.created_at)
        times = [m.created_at for m in others]
        for m in mine:
            start = bisect.bisect_left(times, m.created_at - span)
            end = bisect.bisect_right(times, m.created_at + span)
            if any(repeats(m, o, tokens, rules) for o in _newest_first(others[start:end])):  # type: ignore[arg-type]
                out.add(m.pk)
    return out


class RecentReports:
    """``repeated_ids`` without a query, for a writer that holds every earlier report of the
    window itself (the bench's generator, which writes a month of matters in bulk with the
    matters' secondary indexes dropped: the query would read the whole table once per 50 groups
    per flush, and the load slowed with its size; the demo's loop, which runs on it too).

    ``repeated_ids(matters)`` adds ``matters`` (ids above those added before; their times in any
    order — the demo's stories are not lived in time order — but none more than the window
    before the earliest of the previous batch) and answers exactly as ``repeated_ids`` would on
    a database holding the matters added so far: the same groups, the same window, the same
    ``repeats`` test. Reports older than the window are let go. A report recorded before the
    first one added (another process's days, or the database's) is not seen: the caller counts
    those with ``repeated_ids``."""

    def __init__(self) -> None:
        self._groups: dict[tuple[int, str], list[_Report]] = defaultdict(list)
        # Words by matter id, made only for pairs that pass the cheaper tests (as ``repeats``
        # does), kept while the report is in the window.
        self._tokens: dict[int, set[str]] = {}

    def repeated_ids(self, matters: Sequence[Matter]) -> set[int]:
        if not matters:
            return set()
        rules = RepeatRules.now()
        span = rules.span
        for m in matters:  # each group stays in time order (bisect below, pruning after)
            group = self._groups[(m.category_id, street_path(m.area_path))]
            bisect.insort(group, _Report(m), key=lambda r: r.created_at)
        out: set[int] = set()
        for m in matters:
            group = self._groups[(m.category_id, street_path(m.area_path))]
            times = [r.created_at for r in group]
            start = bisect.bisect_left(times, m.created_at - span)
            end = bisect.bisect_right(times, m.created_at + span)
            for other in _newest_first(group[start:end]):
                if repeats(m, other, self._tokens, rules):  # type: ignore[arg-type]
                    out.add(m.pk)
                    break
        self._forget_before(min(m.created_at for m in matters) - span)
        return out

    def _forget_before(self, earliest: dt.datetime) -> None:
        for key in list(self._groups):
            group = self._groups[key]
            k = 0
            while k < len(group) and group[k].created_at < earliest:
                self._tokens.pop(group[k].pk, None)
                k += 1
            if k == len(group):
                del self._groups[key]
            elif k:
                del group[:k]


class _Report:
    """What ``repeats`` reads of an earlier report (not the whole model instance)."""

    __slots__ = (
        "address", "area_path", "category_id", "created_at", "description", "lat", "lng", "pk",
        "title",
    )  # fmt: skip

    def __init__(self, m: Any) -> None:
        self.pk, self.category_id, self.area_path = m.pk, m.category_id, m.area_path
        self.address, self.lat, self.lng = m.address, m.lat, m.lng
        self.created_at, self.title, self.description = m.created_at, m.title, m.description

    @classmethod
    def of_values(cls, values: Sequence[Any]) -> _Report:
        """From a row of ``REPORT_COLUMNS``."""
        r = cls.__new__(cls)
        (r.pk, r.category_id, r.area_path, r.address, r.lat, r.lng, r.created_at, r.title,
         r.description) = values  # fmt: skip
        return r


def _newest_first[R: (Matter, _Report)](rows: Iterable[R]) -> list[R]:
    return sorted(rows, key=lambda m: -m.pk)
