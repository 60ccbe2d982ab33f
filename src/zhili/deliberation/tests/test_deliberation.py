"""四议两公开 through the services: every step, the quorum refusals, the merged first step, the
township witness, the legal review, the publicity window and the public page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.deliberation import services
from zhili.deliberation.models import Assembly, Stage, Status, Step
from zhili.deliberation.publicity import current_publicity
from zhili.deliberation.services import StepInput, Upload
from zhili.testing import factories as f

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)
SIGNED = Upload("签到表.pdf", f.PDF)


def _new(secretary: Any, community: Any, **kw: Any) -> Any:
    return services.deliberation_create(
        actor=secretary,
        area=community,
        title="民生路老旧小区加装电梯选址",
        content="拟在 3 号楼东侧加装电梯一部",
        **kw,
    )


def _step(d: Any, actor: Any, action: str, **kw: Any) -> Any:
    base: dict[str, Any] = {"held_on": DAY, "text": f"{action} 记录"}
    return services.step_record(
        actor=actor, deliberation=d, action=action, step=StepInput(**{**base, **kw})
    )


def _through_party(d: Any, secretary: Any) -> Any:
    d = _step(d, secretary, "propose", due=5, present=5, votes_for=5)
    d = _step(d, secretary, "discuss", due=9, present=8, votes_for=8)
    return _step(d, secretary, "review", due=30, present=20, votes_for=16, signatures=SIGNED)


def _decide(d: Any, secretary: Any, **kw: Any) -> Any:
    """A representatives' meeting that passes (45 due, 30 present, 16 for), witnessed by the
    street's worker; ``kw`` changes any of it."""
    meeting = {"assembly": Assembly.REPRESENTATIVES, "due": 45, "present": 30, "votes_for": 16,
               "signatures": SIGNED, "witness": f.user("jiefangbei")}  # fmt: skip
    return _step(d, secretary, "decide", **{**meeting, **kw})


def test_a_record_goes_through_the_six_steps(secretary: Any, community: Any) -> None:
    d = _new(secretary, community)
    assert d.status == Status.PROPOSAL and d.number.startswith("SY")
    d = _through_party(d, secretary)
    assert d.status == Status.DECISION
    d = _decide(d, secretary)
    assert d.status == Status.RESOLUTION
    d = _step(
        d, secretary, "publish_resolution", public_from=DAY, public_until=DAY + dt.timedelta(days=6)
    )
    d = _step(
        d, secretary, "publish_result", public_from=DAY, public_until=DAY + dt.timedelta(days=9)
    )
    assert d.status == Status.DONE
    stages = list(Step.objects.filter(deliberation=d).values_list("stage", flat=True))
    assert stages == ["proposal", "committees", "party", "decision", "resolution", "result"]
    decision = Step.objects.get(deliberation=d, stage=Stage.DECISION)
    assert decision.witness.username == "jiefangbei" and decision.signatures.name.endswith(".pdf")
    assert [e.action for e in d.events.all()][-1] == "publish_result"


def test_a_party_meeting_one_short_of_two_thirds_cannot_pass(
    secretary: Any, community: Any
) -> None:
    d = _new(secretary, community)
    d = _step(d, secretary, "propose")
    d = _step(d, secretary, "discuss")
    with pytest.raises(ValidationFailed) as refused:
        _step(d, secretary, "review", due=30, present=19, votes_for=19, signatures=SIGNED)
    assert "不足应到党员 30 人的三分之二" in refused.value.message
    d.refresh_from_db()
    assert (
        d.status == Status.PARTY and not Step.objects.filter(deliberation=d, stage="party").exists()
    )
    with pytest.raises(ValidationFailed, match="未超过应到党员 30 人的半数"):
        _step(d, secretary, "review", due=30, present=20, votes_for=15, signatures=SIGNED)
    assert (
        _step(d, secretary, "review", due=30, present=20, votes_for=16, signatures=SIGNED).status
        == Status.DECISION
    )


def test_the_villagers_meeting_rules_and_the_witness(secretary: Any, community: Any) -> None:
    d = _through_party(_new(secretary, community), secretary)
    street = f.user("jiefangbei")
    meeting = {"assembly": Assembly.VILLAGERS, "signatures": SIGNED, "witness": street}
    with pytest.raises(ValidationFailed, match="会议无效"):
        _step(d, secretary, "decide", due=800, present=400, votes_for=300, **meeting)
    with pytest.raises(ValidationFailed, match="未超过到会 500 人的半数"):
        _step(d, secretary, "decide", due=800, present=500, votes_for=250, **meeting)
    with pytest.raises(ValidationFailed, match="见证"):
        _step(
            d,
            secretary,
            "decide",
            due=800,
            present=500,
            votes_for=251,
            **{**meeting, "witness": None},
        )
    # A grid worker is not a township officer: no witness right.
    with pytest.raises(ValidationFailed, match="不是该村（社区）所属乡镇（街道）的见证人"):
        _step(
            d,
            secretary,
            "decide",
            due=800,
            present=500,
            votes_for=251,
            **{**meeting, "witness": f.user("grid_jfb_01")},
        )
    # Nor is a district or city officer, who holds the right above the township.
    for above in ("yuzhong", "city_admin"):
        with pytest.raises(ValidationFailed, match="不是该村（社区）所属乡镇（街道）的见证人"):
            _step(d, secretary, "decide", due=800, present=500, votes_for=251,
                  **{**meeting, "witness": f.user(above)})  # fmt: skip
    from zhili.deliberation.selectors import witnesses

    offered = {u.username for u in witnesses(d)}
    assert "jiefangbei" in offered and not offered & {"yuzhong", "city_admin", "grid_jfb_01"}
    with pytest.raises(ValidationFailed, match="签字材料"):
        _step(
            d,
            secretary,
            "decide",
            due=800,
            present=500,
            votes_for=251,
            **{**meeting, "signatures": None},
        )
    with pytest.raises(ValidationFailed, match="PDF"):
        _step(
            d,
            secretary,
            "decide",
            due=800,
            present=500,
            votes_for=251,
            **{**meeting, "signatures": Upload("x.exe", b"MZ...")},
        )
    # Exactly 2/3 of the households make the meeting valid although adults are only half.
    d = _step(
        d,
        secretary,
        "decide",
        due=800,
        present=400,
        votes_for=201,
        households_due=300,
        households_present=200,
        **meeting,
    )
    assert d.status == Status.RESOLUTION


def test_steps_one_and_two_merge_only_where_one_person_holds_both_posts(
    secretary: Any, community: Any
) -> None:
    d = _new(secretary, community)
    with pytest.raises(PermissionDenied, match="一肩挑"):
        _step(d, secretary, "propose_merged")
    merged = _new(secretary, community, merged_posts=True)
    merged = _step(merged, secretary, "propose_merged", due=9, present=9, votes_for=9)
    assert merged.status == Status.PARTY
    assert list(Step.objects.filter(deliberation=merged).values_list("stage", flat=True)) == [
        "merged"
    ]


def test_legal_review_before_the_decision(secretary: Any, community: Any, adviser: Any) -> None:
    from zhili.legal.services import review_decide

    d = _through_party(_new(secretary, community, review_before=Stage.DECISION), secretary)
    meeting = {
        "assembly": Assembly.REPRESENTATIVES,
        "due": 45,
        "present": 30,
        "votes_for": 20,
        "signatures": SIGNED,
        "witness": f.user("jiefangbei"),
    }
    with pytest.raises(PermissionDenied, match="请先送审"):
        _step(d, secretary, "decide", **meeting)
    review = services.deliberation_request_review(
        actor=secretary, deliberation=d, question="选址是否合法"
    )
    assert review.adviser == adviser
    with pytest.raises(PermissionDenied, match="尚未出具审查意见"):
        _step(d, secretary, "decide", **meeting)
    # Only the assigned adviser decides: not the street's worker, not the secretary.
    for who in ("jiefangbei", "secretary_msl"):
        with pytest.raises(PermissionDenied):
            review_decide(actor=f.user(who), review=review, approve=True, opinion="同意")
    review_decide(
        actor=f.user("lawyer_jfb"), review=review, approve=False, opinion="须补充规划许可"
    )
    with pytest.raises(PermissionDenied, match="修改意见"):
        _step(d, secretary, "decide", **meeting)
    again = services.deliberation_request_review(actor=secretary, deliberation=d, question="已补充")
    review_decide(actor=f.user("lawyer_jfb"), review=again, approve=True, opinion="合法")
    assert _step(d, secretary, "decide", **meeting).status == Status.RESOLUTION


def test_scope_and_rights(secretary: Any, community: Any) -> None:
    d = _new(secretary, community)
    with pytest.raises(NotFound):
        _step(d, f.user("wanzhou"), "propose")
    with pytest.raises(PermissionDenied):
        _step(d, f.user("jiefangbei"), "propose")  # the township sees and witnesses, not records
    with pytest.raises(NotFound):
        _step(d, f.user("grid_jfb_01"), "propose")  # a grid's worker sees only the grid
    other = f.area("500103003016")  # 莲花池社区: not the secretary's
    with pytest.raises(NotFound):
        services.deliberation_create(actor=secretary, area=other, title="x", content="y")


def test_publicity_for_its_window_on_the_public_page(secretary: Any, community: Any) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    d = _through_party(_new(secretary, community), secretary)
    d = _decide(d, secretary, held_on=today)
    with pytest.raises(ValidationFailed, match="不少于 7 天"):
        _step(
            d,
            secretary,
            "publish_resolution",
            public_from=today,
            public_until=today + dt.timedelta(days=5),
            held_on=today,
        )
    _step(
        d,
        secretary,
        "publish_resolution",
        text="决议：同意在 3 号楼东侧加装电梯",
        held_on=today,
        public_from=today,
        public_until=today + dt.timedelta(days=6),
    )
    now = current_publicity()
    assert [(p.kind, p.title) for p in now] == [("决议公开", "民生路老旧小区加装电梯选址")]
    assert current_publicity(on=today + dt.timedelta(days=7)) == []
    assert current_publicity(under="500000/500101/") == []
    page = Client().get("/public/notices/")
    assert page.status_code == 200 and "同意在 3 号楼东侧加装电梯" in page.content.decode()
    item = Client().get(f"/public/notices/{d.number}/")
    assert item.status_code == 200 and "决议公开" in item.content.decode()


def test_a_step_cannot_be_dated_before_the_one_it_follows(secretary: Any, community: Any) -> None:
    """The steps are held in their order: a resolution dated a month before the proposal is
    refused with the date it must not precede, and nothing is recorded."""
    d = _through_party(_new(secretary, community), secretary)  # every step on DAY
    with pytest.raises(ValidationFailed) as caught:
        _decide(d, secretary, held_on=DAY - dt.timedelta(days=30))
    assert caught.value.code == "before_previous_step" and DAY.isoformat() in caught.value.message
    assert Step.objects.filter(deliberation=d).count() == 3
    d = _decide(d, secretary)  # the same day as the step before: allowed
    with pytest.raises(ValidationFailed, match="结束日期不能早于开始日期") as reversed_:
        _step(
            d,
            secretary,
            "publish_resolution",
            public_from=DAY + dt.timedelta(days=18),
            public_until=DAY + dt.timedelta(days=8),
        )
    assert reversed_.value.code == "window_reversed"
