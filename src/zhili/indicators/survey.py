"""The sense-of-security rate and its confidence interval (pure arithmetic, no database).

Rate: the (weighted) share of the instrument's positive answers (default 很安全/安全/基本安全)
among valid answers (answers on the scale; 拒答/不清楚/blank are invalid and left out).

Interval: Wilson score interval at the instrument's confidence level. With weights, ``n`` in the
Wilson formula is Kish's effective sample size n_eff = (Σw)² / Σw² over the valid answers (equal
weights give n_eff = n, so the unweighted case is the same formula).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist


@dataclass(frozen=True)
class Rate:
    valid: int  # valid answers
    invalid: int
    positive: int  # valid answers counted as safe (unweighted count)
    rate: float | None  # weighted share in 0..1
    n_eff: float  # Kish effective sample size (= valid when unweighted)
    low: float | None
    high: float | None
    confidence: float
    weighted: bool


def z_of(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval for a share ``p`` observed over ``n`` (possibly effective) cases."""
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Group:
    """The answers that gave one answer, summed: how many, how many carried a weight, Σw and Σw²
    (a missing weight counts as 1). What the database returns grouped by answer."""

    answer: str
    n: int
    weighted: int
    sw: float
    sw2: float


def groups_of(answers: Iterable[tuple[str, Decimal | float | None]]) -> list[Group]:
    """(answer, weight or None) pairs summed per answer."""
    sums: dict[str, list[float]] = {}
    for answer, weight in answers:
        w = 1.0 if weight is None else float(weight)
        s = sums.setdefault(answer, [0, 0, 0.0, 0.0])
        s[0] += 1
        s[1] += weight is not None
        s[2] += w
        s[3] += w * w
    return [Group(a, int(s[0]), int(s[1]), s[2], s[3]) for a, s in sums.items()]


def rate_of(
    answers: Iterable[tuple[str, Decimal | float | None]],
    *,
    scale: Sequence[str],
    positive: Sequence[str],
    confidence: float = 0.95,
) -> Rate:
    """``answers``: (answer, weight or None). A missing weight counts as 1."""
    return rate_of_groups(groups_of(answers), scale=scale, positive=positive, confidence=confidence)


def rate_of_groups(
    groups: Iterable[Group],
    *,
    scale: Sequence[str],
    positive: Sequence[str],
    confidence: float = 0.95,
) -> Rate:
    """The rate from answers already summed per answer (``Group``), e.g. by the database."""
    valid = invalid = pos = 0
    sw = sw2 = swp = 0.0
    weighted = False
    scale_set, positive_set = set(scale), set(positive)
    for g in groups:
        if g.answer not in scale_set:
            invalid += g.n
            continue
        weighted = weighted or g.weighted > 0
        valid += g.n
        sw += g.sw
        sw2 += g.sw2
        if g.answer in positive_set:
            pos += g.n
            swp += g.sw
    if valid == 0 or sw <= 0:
        return Rate(0, invalid, 0, None, 0.0, None, None, confidence, weighted)
    p = swp / sw
    n_eff = sw * sw / sw2
    low, high = wilson(p, n_eff, z_of(confidence))
    return Rate(valid, invalid, pos, p, n_eff, low, high, confidence, weighted)
