"""The quorum and majority rules of DOMAIN.md §7, in exact integer arithmetic (no floats).

Each function answers None when the meeting is valid and its vote passes, or the reason in
Chinese. "以上" includes the boundary (≥ 2/3), "过半数" does not (more than half: exactly half
fails). The same functions serve the 四议两公开 steps and the 一事一议 vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext

TWO_THIRDS = Fraction(2, 3)
HALF = Fraction(1, 2)


@dataclass(frozen=True)
class Tally:
    """Who was due and present, and how they voted."""

    due: int = 0
    present: int = 0
    votes_for: int = 0
    votes_against: int = 0
    abstain: int = 0
    households_due: int = 0
    households_present: int = 0


def at_least(part: int, whole: int, share: Fraction) -> bool:
    """part ≥ share × whole, exactly."""
    return part * share.denominator >= whole * share.numerator


def more_than(part: int, whole: int, share: Fraction) -> bool:
    """part > share × whole, exactly."""
    return part * share.denominator > whole * share.numerator


def smallest_at_least(whole: int, share: Fraction) -> int:
    """The smallest count that is ≥ share × whole."""
    return -(-whole * share.numerator // share.denominator)


def smallest_more_than(whole: int, share: Fraction) -> int:
    """The smallest count that is > share × whole."""
    return whole * share.numerator // share.denominator + 1


def consistent(t: Tally, *, voting: bool = True) -> str | None:
    """Counts that cannot be: more present than due, more votes than people present."""
    for value in (
        t.due,
        t.present,
        t.votes_for,
        t.votes_against,
        t.abstain,
        t.households_due,
        t.households_present,
    ):
        if value < 0:
            return gettext("人数和票数不能为负数")
    if t.due <= 0:
        return gettext("应到人数须大于 0")
    if t.present > t.due:
        return gettext("实到 %(present)s 人多于应到 %(due)s 人") % {
            "present": t.present,
            "due": t.due,
        }
    if t.households_present > t.households_due:
        return gettext("到会户数 %(households_present)s 多于总户数 %(households_due)s") % {
            "households_present": t.households_present,
            "households_due": t.households_due,
        }
    if voting and t.votes_for + t.votes_against + t.abstain > t.present:
        return gettext("赞成、反对、弃权合计 %(votes)s 票，多于实到 %(present)s 人") % {
            "votes": t.votes_for + t.votes_against + t.abstain,
            "present": t.present,
        }
    return None


def party_meeting(t: Tally) -> str | None:
    """党员大会: at least 2/3 of the members due attend; more than half of those DUE agree."""
    wrong = consistent(t)
    if wrong:
        return wrong
    if not at_least(t.present, t.due, TWO_THIRDS):
        need = smallest_at_least(t.due, TWO_THIRDS)
        return gettext(
            "党员大会实到 %(present)s 人，不足应到党员 %(due)s 人的三分之二（至少须到会 %(need)s 人），会议无效"
        ) % {"present": t.present, "due": t.due, "need": need}
    if not more_than(t.votes_for, t.due, HALF):
        need = smallest_more_than(t.due, HALF)
        return gettext(
            "赞成 %(votes_for)s 票，未超过应到党员 %(due)s 人的半数（至少须 %(need)s 票赞成），未通过"
        ) % {"votes_for": t.votes_for, "due": t.due, "need": need}
    return None


def villagers_meeting(t: Tally) -> str | None:
    """村（居）民会议: over half of the adults, or at least 2/3 of the households, attend; more
    than half of those present agree."""
    wrong = consistent(t)
    if wrong:
        return wrong
    by_adults = more_than(t.present, t.due, HALF)
    by_households = t.households_due > 0 and at_least(
        t.households_present, t.households_due, TWO_THIRDS
    )
    if not (by_adults or by_households):
        return gettext(
            "村（居）民会议到会 %(present)s 人，未超过十八周岁以上村（居）民 %(due)s 人的半数（至少须 %(need_people)s 人），到会户数 %(households_present)s 也不足总户数 %(households_due)s 的三分之二（至少须 %(need_households)s 户），会议无效"
        ) % {
            "present": t.present,
            "due": t.due,
            "need_people": smallest_more_than(t.due, HALF),
            "households_present": t.households_present,
            "households_due": t.households_due,
            "need_households": smallest_at_least(t.households_due, TWO_THIRDS),
        }
    return _majority_of_present(t)


def representatives_meeting(t: Tally) -> str | None:
    """村（居）民代表会议: at least 2/3 of the representatives attend; more than half of those
    present agree."""
    wrong = consistent(t)
    if wrong:
        return wrong
    if not at_least(t.present, t.due, TWO_THIRDS):
        need = smallest_at_least(t.due, TWO_THIRDS)
        return gettext(
            "代表会议实到 %(present)s 人，不足应到代表 %(due)s 人的三分之二（至少须到会 %(need)s 人），会议无效"
        ) % {"present": t.present, "due": t.due, "need": need}
    return _majority_of_present(t)


def _majority_of_present(t: Tally) -> str | None:
    if not more_than(t.votes_for, t.present, HALF):
        need = smallest_more_than(t.present, HALF)
        return gettext(
            "赞成 %(votes_for)s 票，未超过到会 %(present)s 人的半数（至少须 %(need)s 票赞成），未通过"
        ) % {"votes_for": t.votes_for, "present": t.present, "need": need}
    return None


def proposal_threshold(kind: str, signers: int, total: int) -> str | None:
    """一事一议 proposers: the village committee, or ≥ 1/10 of the villagers, or ≥ 1/5 of the
    representatives (联名提议)."""
    if kind == "committee":
        return None
    share, who = {
        "villagers": (Fraction(1, 10), gettext("村民")),
        "representatives": (Fraction(1, 5), gettext("村民代表")),
    }[kind]
    if total <= 0:
        return gettext("请填写%(who)s总数") % {"who": who}
    if signers > total:
        return gettext("联名人数 %(signers)s 多于%(who)s总数 %(total)s") % {
            "signers": signers,
            "who": who,
            "total": total,
        }
    if not at_least(signers, total, share):
        return gettext(
            "联名%(who)s %(signers)s 人，不足%(who)s总数 %(total)s 的%(share)s（至少须 %(need)s 人）"
        ) % {
            "who": who,
            "signers": signers,
            "total": total,
            "share": _share_words(share),
            "need": smallest_at_least(total, share),
        }
    return None


def _share_words(share: Fraction) -> str:
    return {Fraction(1, 10): gettext("十分之一"), Fraction(1, 5): gettext("五分之一")}.get(
        share, str(share)
    )
