"""The compounds registry and its joint meetings: where a compound may sit, cost sharing that
must add up, follow-up tasks through the workflow, matters linked both ways, scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from zhili.compounds import selectors, services
from zhili.compounds.models import Coverage, FollowUpEvent, FollowUpStatus, Meeting
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent
from zhili.core.related import related_to
from zhili.testing import factories as f

pytestmark = pytest.mark.django_db

COMMUNITY = "500103003013"  # 民生路社区, 解放碑街道


def make_compound(name: str = "民生路 1 号院", **kw: Any) -> Any:
    args: dict[str, Any] = {
        "actor": f.user("jiefangbei"),
        "area": f.area(COMMUNITY),
        "name": name,
        "coverage": Coverage.NONE,
        "built_year": 1988,
        "households": 120,
    }
    args.update(kw)
    return services.compound_create(**args)


PARTIES = [
    {"role": "party_org", "name": "民生路社区党委", "share": "0"},
    {"role": "community", "name": "民生路社区居委会", "share": "2000"},
    {"role": "owners", "name": "民生路 1 号院业委会", "share": "3000.50"},
    {"role": "property", "name": "渝中区物业服务中心", "share": "4999.50"},
    {"role": "police", "name": "解放碑派出所", "share": "0"},
]


def make_meeting(compound: Any, **kw: Any) -> Meeting:
    args: dict[str, Any] = {
        "actor": f.user("jiefangbei"),
        "compound": compound,
        "kind": "five",
        "held_on": timezone.localdate(),
        "topic": "楼道照明和化粪池改造",
        "decisions": "更换楼道灯；化粪池清掏，费用按比例分摊",
        "total_cost": "10000",
        "parties": PARTIES,
        "attendees": [{"party": 1, "name": "王书记", "post": "主任"}],
        "followups": [{"text": "联系施工队", "owner": 3, "due": timezone.localdate()}],
    }
    args.update(kw)
    return services.meeting_create(**args)


def test_compound_sits_in_a_community_or_grid() -> None:
    c = make_compound()
    assert c.area_path.endswith(f"{COMMUNITY}/")
    with pytest.raises(ValidationFailed) as exc:
        make_compound("街道级", area=f.area(f.JIEFANGBEI))
    assert exc.value.code == "invalid_area"
    with pytest.raises(ValidationFailed) as exc:
        make_compound("物业小区", coverage=Coverage.COMPANY)
    assert exc.value.code == "company_required"
    with pytest.raises(ValidationFailed):
        make_compound()  # the same name twice in one community
    with pytest.raises(PermissionDenied):
        make_compound("网格员登记", actor=f.user("grid_jfb_01"), area=f.area(f.GRID))
    with pytest.raises(NotFound):
        make_compound("越界", actor=f.user("wanzhou"))


def test_coverage_counts_recomputed_from_the_registry() -> None:
    make_compound("甲院", coverage=Coverage.NONE)
    make_compound("乙院", coverage=Coverage.SELF, has_owners_committee=True)
    make_compound("丙院", coverage=Coverage.COMPANY, property_company="某物业", area=f.area(f.GRID))
    user = f.user("jiefangbei")
    counts = selectors.coverage_counts(user)
    rows = list(selectors.compound_list(user))
    assert counts["total"] == len(rows) == 3
    for code in Coverage.values:
        assert counts["by_coverage"][code] == sum(1 for r in rows if r.coverage == code)
    assert counts["with_committee"] == sum(1 for r in rows if r.has_owners_committee) == 1
    assert selectors.coverage_counts(f.user("wanzhou"))["total"] == 0


@pytest.mark.parametrize(
    ("total", "shares", "ok"),
    [
        ("10000", ["0", "2000", "3000.50", "4999.50", "0"], True),
        ("10000", ["0", "2000", "3000.50", "4999.49", "0"], False),  # one cent short
        ("10000", ["0", "2000", "3000.50", "4999.51", "0"], False),  # one cent over
        ("0", ["0", "0"], True),
        ("100", ["150", "-50"], False),  # no negative share
        ("100", ["33.333", "66.667"], False),  # cents only
        ("abc", ["0"], False),
    ],
)
def test_cost_shares_must_sum_to_the_total(total: str, shares: list[str], ok: bool) -> None:
    if ok:
        amount, parts = services.check_shares(total, shares)
        assert sum(parts) == amount == Decimal(total)
    else:
        with pytest.raises(ValidationFailed):
            services.check_shares(total, shares)


def test_meeting_refuses_unbalanced_shares_and_keeps_nothing() -> None:
    c = make_compound()
    bad = [dict(p) for p in PARTIES]
    bad[3]["share"] = "4999.49"
    with pytest.raises(ValidationFailed) as exc:
        make_meeting(c, parties=bad)
    assert exc.value.code == "shares_mismatch"
    assert not Meeting.objects.filter(compound=c).exists()
    with pytest.raises(ValidationFailed) as exc:
        make_meeting(c, parties=PARTIES[:1], total_cost="0")
    assert exc.value.code == "too_few_parties"
    with pytest.raises(ValidationFailed):
        make_meeting(c, held_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        make_meeting(c, attendees=[{"party": 9, "name": "某人"}])


def test_meeting_records_parties_shares_people_and_tasks() -> None:
    c = make_compound()
    m = make_meeting(c)
    parties = selectors.parties_of(m)
    assert [p.name for p in parties] == [p["name"] for p in PARTIES]
    assert sum(p.share for p in parties) == m.total_cost == Decimal("10000")
    assert selectors.attendees_of(m)[0].party == parties[1]
    (task,) = selectors.followups_of(f.user("jiefangbei"), m)
    assert task.owner == parties[3] and task.status == FollowUpStatus.OPEN
    assert AuditEvent.objects.filter(action="meeting.create", object_id=str(m.pk)).exists()


def test_followup_open_to_done_through_the_workflow() -> None:
    m = make_meeting(make_compound(area=f.area(f.GRID)))  # the grid worker's grid
    (task,) = selectors.followups_of(f.user("jiefangbei"), m)
    with pytest.raises(PermissionDenied):  # may see it, may not complete it
        services.followup_complete(actor=f.user("grid_jfb_01"), followup=task, result="已完成")
    with pytest.raises(NotFound):
        services.followup_complete(actor=f.user("wanzhou"), followup=task, result="已完成")
    with pytest.raises(Conflict):
        services.followup_complete(
            actor=f.user("jiefangbei"), followup=task, result="x", version=task.version + 1
        )
    done = services.followup_complete(
        actor=f.user("jiefangbei"), followup=task, result="施工队已进场", version=task.version
    )
    assert done.status == FollowUpStatus.DONE and done.done_at is not None
    with pytest.raises(Conflict):
        services.followup_complete(actor=f.user("jiefangbei"), followup=done, result="again")
    assert list(FollowUpEvent.objects.filter(followup=task).values_list("action", flat=True)) == [
        "create",
        "complete",
    ]
    with pytest.raises(ValidationFailed):
        services.followup_add(
            actor=f.user("jiefangbei"),
            meeting=m,
            text="早于会议",
            owner=selectors.parties_of(m)[0],
            due=m.held_on - dt.timedelta(days=1),
        )


def test_overdue_followups_are_listed() -> None:
    m = make_meeting(make_compound(), held_on=timezone.localdate() - dt.timedelta(days=10))
    services.followup_add(
        actor=f.user("jiefangbei"),
        meeting=m,
        text="过期任务",
        owner=selectors.parties_of(m)[1],
        due=timezone.localdate() - dt.timedelta(days=1),
    )
    overdue = list(selectors.followups_overdue(f.user("jiefangbei")))
    assert [t.text for t in overdue] == ["过期任务"]


def test_meeting_and_matters_linked_both_ways() -> None:
    matter = f.make_matter("jiefangbei")
    m = make_meeting(make_compound(), matters=[matter])
    street = f.user("jiefangbei")
    assert [x.number for x in selectors.matters_of_meeting(street, m)] == [matter.number]
    links = [link.url for r in related_to(street, matter) for link in r.items]
    assert f"/compounds/meetings/{m.pk}/" in links
    with pytest.raises(Conflict):
        services.meeting_link_matter(actor=street, meeting=m, matter=matter)
    other = f.make_matter("jiefangbei", description="化粪池堵塞外溢")
    services.meeting_link_matter(actor=street, meeting=m, matter=other)
    assert len(selectors.matters_of_meeting(street, m)) == 2
    far = [link.url for r in related_to(f.user("wanzhou"), matter) for link in r.items]
    assert not any(u.startswith("/compounds/") for u in far)


def test_done_followup_reopens_with_a_reason() -> None:
    m = make_meeting(make_compound())
    street = f.user("jiefangbei")
    (task,) = selectors.followups_of(street, m)
    done = services.followup_complete(actor=street, followup=task, result="已完成")
    with pytest.raises(ValidationFailed):
        services.followup_reopen(actor=street, followup=done, reason="")
    again = services.followup_reopen(actor=street, followup=done, reason="群众反映未修好")
    assert again.status == FollowUpStatus.OPEN and again.done_at is None
    assert (
        FollowUpEvent.objects.filter(followup=task, action="reopen").get().note == "群众反映未修好"
    )
