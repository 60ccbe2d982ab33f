"""Every quorum and majority edge of DOMAIN.md §7, in exact arithmetic."""

from __future__ import annotations

from zhili.deliberation.rules import (
    Tally,
    party_meeting,
    proposal_threshold,
    representatives_meeting,
    villagers_meeting,
)


def test_party_meeting_exactly_two_thirds_attend_and_one_short() -> None:
    # 30 due: 20 is exactly 2/3 (valid), 19 is one short.
    assert party_meeting(Tally(due=30, present=20, votes_for=16)) is None
    refused = party_meeting(Tally(due=30, present=19, votes_for=19))
    assert refused and "不足应到党员 30 人的三分之二" in refused and "至少须到会 20 人" in refused


def test_party_meeting_majority_is_of_those_due_not_of_those_present() -> None:
    # 30 due, 20 present: 15 for is exactly half of those due (fails), 16 passes; 11 is a
    # majority of the present but not of the due.
    assert "未超过应到党员 30 人的半数" in (
        party_meeting(Tally(due=30, present=20, votes_for=15)) or ""
    )
    assert party_meeting(Tally(due=30, present=20, votes_for=16)) is None
    assert party_meeting(Tally(due=30, present=20, votes_for=11)) is not None


def test_party_meeting_two_thirds_of_a_number_not_divisible_by_three() -> None:
    # 31 due: 2/3 is 20.67, so 21 present is needed; 20 is short.
    assert party_meeting(Tally(due=31, present=21, votes_for=16)) is None
    assert "至少须到会 21 人" in (party_meeting(Tally(due=31, present=20, votes_for=16)) or "")
    # more than half of 31 is 16
    assert "至少须 16 票" in (party_meeting(Tally(due=31, present=21, votes_for=15)) or "")


def test_villagers_meeting_over_half_of_adults() -> None:
    # 800 adults: exactly half (400) is not over half; 401 is.
    assert villagers_meeting(Tally(due=800, present=401, votes_for=201)) is None
    refused = villagers_meeting(Tally(due=800, present=400, votes_for=300))
    assert refused and "未超过十八周岁以上村（居）民 800 人的半数" in refused


def test_villagers_meeting_two_thirds_of_households_is_enough() -> None:
    # 400 adults present of 800 (not over half) but 200 of 300 households (exactly 2/3): valid.
    t = Tally(due=800, present=400, votes_for=201, households_due=300, households_present=200)
    assert villagers_meeting(t) is None
    short = Tally(due=800, present=400, votes_for=201, households_due=300, households_present=199)
    assert "至少须 200 户" in (villagers_meeting(short) or "")


def test_villagers_meeting_majority_of_those_present_exactly_half_fails() -> None:
    assert "未超过到会 500 人的半数" in (
        villagers_meeting(Tally(due=800, present=500, votes_for=250)) or ""
    )
    assert villagers_meeting(Tally(due=800, present=500, votes_for=251)) is None


def test_representatives_meeting_edges() -> None:
    # 45 representatives: 30 is exactly 2/3; 29 one short; majority of 30 present is 16.
    assert representatives_meeting(Tally(due=45, present=30, votes_for=16)) is None
    assert "至少须到会 30 人" in (
        representatives_meeting(Tally(due=45, present=29, votes_for=29)) or ""
    )
    assert "至少须 16 票" in (
        representatives_meeting(Tally(due=45, present=30, votes_for=15)) or ""
    )


def test_impossible_counts_are_refused() -> None:
    assert "多于应到" in (party_meeting(Tally(due=10, present=11, votes_for=6)) or "")
    assert "多于实到" in (
        representatives_meeting(Tally(due=30, present=20, votes_for=15, votes_against=6)) or ""
    )
    assert "应到人数须大于 0" in (villagers_meeting(Tally(due=0, present=0)) or "")


def test_proposal_thresholds_one_tenth_and_one_fifth() -> None:
    assert proposal_threshold("committee", 0, 0) is None
    assert proposal_threshold("villagers", 120, 1200) is None  # exactly 1/10
    assert "至少须 120 人" in (proposal_threshold("villagers", 119, 1200) or "")
    assert proposal_threshold("villagers", 121, 1201) is None  # 1/10 of 1201 is 120.1 → 121
    assert proposal_threshold("villagers", 120, 1201) is not None
    assert proposal_threshold("representatives", 9, 45) is None  # exactly 1/5
    assert "至少须 9 人" in (proposal_threshold("representatives", 8, 45) or "")
