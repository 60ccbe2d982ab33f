"""Issue 10's dispute defects, each pinned by a test that failed before its fix.

- Defect 2: a mediator sees and acts on the disputes assigned to them only; the conflict-of-interest
  rule guards every action (not only the assignment).
- Defect 5: linked risks are read through the risks' own scoping.
- Defect 1: a dispute registered from a matter never shows nor stores a masked copy of the
  reporter's personal data.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from zhili.core.errors import NotFound, PermissionDenied
from zhili.core.models import AuditEvent
from zhili.core.system import system_user
from zhili.disputes import services as ds
from zhili.disputes.models import Dispute, Party, Session, Status
from zhili.matters import services as ms
from zhili.matters.models import Category
from zhili.org.models import Role, RoleGrant, Unit, User
from zhili.org.services import grant_create, user_create

GRID = "500103003013001"
JIEFANGBEI = "500103003"
COMMITTEE = "解放碑街道人民调解委员会"


def register(
    users: Any,
    area: Any,
    parties: list[dict[str, Any]] | None = None,
    channel: str = "direct",
    **extra: Any,
) -> Dispute:
    return ds.dispute_register(
        actor=users["jiefangbei"],
        channel=channel,
        **extra,
        subject="相邻通行纠纷",
        facts="邻居在公共通道堆放杂物",
        area=area(GRID),
        parties=parties
        or [
            {"role": "applicant", "name": "赵六", "phone": "13600001111"},
            {"role": "respondent", "name": "钱七", "phone": "13700002222"},
        ],
    )


def assign(users: Any, d: Dispute, mediator: Any) -> Dispute:
    return ds.dispute_assign(
        actor=users["jiefangbei"],
        dispute=d,
        committee=Unit.objects.get(name=COMMITTEE),
        mediator=mediator,
    )


def second_mediator(area: Any) -> User:
    """Another mediator of the same committee, with the demo mediator role over the street."""
    actor = system_user()
    user = user_create(
        actor=actor,
        username="mediator_jfb_2",
        password="x-unused-Password-2026",
        area=area(JIEFANGBEI),
        full_name="解放碑调解员二",
        unit=Unit.objects.get(name=COMMITTEE),
        check_password=False,
    )
    grant_create(
        actor=actor, user=user, role=Role.objects.get(slug="mediator"), area=area(JIEFANGBEI)
    )
    return user


# -- defect 2: a mediator's scope is the disputes assigned to them ------------------------------


def test_mediator_does_not_see_an_unassigned_dispute(
    users: Any, area: Any, login: Any, bearer: Any
) -> None:
    d = register(users, area)
    assert login("mediator_jfb").get(f"/disputes/{d.number}/").status_code == 404
    api = f"/api/v1/disputes/{d.number}"
    assert login("mediator_jfb").get(api).status_code == 404
    assert ds_get_api(bearer, "mediator_jfb", api) == 404
    r = post_api(bearer, "mediator_jfb", d, "extend", {"days": 10, "parties_request": True})
    assert r.status_code == 404
    d.refresh_from_db()
    assert d.extended_days == 0
    with pytest.raises(NotFound):
        ds.dispute_extend(actor=users["mediator_jfb"], dispute=d, days=5, parties_request=True)
    listed = login("mediator_jfb").get("/api/v1/disputes").json()["items"]
    assert d.number not in {row["number"] for row in listed}


def test_mediator_sees_and_mediates_the_disputes_assigned_to_them(
    users: Any, area: Any, login: Any
) -> None:
    d = assign(users, register(users, area), users["mediator_jfb"])
    page = login("mediator_jfb").get(f"/disputes/{d.number}/")
    assert page.status_code == 200
    assert 'id="form-session"' in page.content.decode()
    ds.session_add(actor=users["mediator_jfb"], dispute=d, at=timezone.now(), notes="双方到场")
    assert Session.objects.filter(dispute=d).count() == 1


def test_a_party_mediator_cannot_mediate_a_dispute_assigned_to_another(
    users: Any, area: Any, bearer: Any
) -> None:
    me = users["mediator_jfb"]
    d = register(
        users,
        area,
        parties=[
            {"role": "applicant", "name": me.full_name},
            {"role": "respondent", "name": "钱七"},
        ],
    )
    with pytest.raises(Exception, match="回避"):
        assign(users, d, me)
    d = assign(users, d, second_mediator(area))
    with pytest.raises((NotFound, PermissionDenied)):
        ds.session_add(actor=me, dispute=d, at=timezone.now(), notes="我来调解")
    with pytest.raises((NotFound, PermissionDenied)):
        ds.dispute_agree(actor=me, dispute=d, agreement="对我有利的协议")
    r = post_api(bearer, "mediator_jfb", d, "session", {"at": timezone.now().isoformat()})
    assert r.status_code in (403, 404)
    r = post_api(bearer, "mediator_jfb", d, "agree", {"agreement": "对我有利的协议"})
    assert r.status_code in (403, 404)
    d.refresh_from_db()
    assert d.status == Status.MEDIATING and not d.sessions.exists()


def test_an_assigned_mediator_who_is_a_party_is_refused_by_the_guard(
    users: Any, area: Any, bearer: Any
) -> None:
    me = users["mediator_jfb"]
    d = assign(users, register(users, area), me)
    # After the assignment, the mediator turns out to be related to a party.
    Party.objects.get(dispute=d, name="赵六").related_staff.add(me)
    with pytest.raises(PermissionDenied) as exc:
        ds.session_add(actor=me, dispute=d, at=timezone.now(), notes="调解")
    assert "回避" in exc.value.message
    r = post_api(bearer, "mediator_jfb", d, "session", {"at": timezone.now().isoformat()})
    assert r.status_code == 403 and "回避" in r.json()["message"]
    d.refresh_from_db()
    assert not d.sessions.exists()


def test_a_party_added_as_a_namesake_also_trips_the_guard(users: Any, area: Any) -> None:
    me = users["mediator_jfb"]
    d = assign(users, register(users, area), me)
    ds.session_add(actor=me, dispute=d, at=timezone.now(), notes="调解")
    Party.objects.create(dispute=d, role="third", name=me.full_name)
    with pytest.raises(PermissionDenied):
        ds.dispute_agree(actor=me, dispute=d, agreement="协议")
    d.refresh_from_db()
    assert d.status == Status.MEDIATING


# -- defect 5: linked risks through the risks' scoping ----------------------------------------


def test_linked_risks_are_read_through_the_risks_scoping(
    users: Any, area: Any, login: Any, bearer: Any
) -> None:
    from zhili.risks import services as rs

    d = assign(users, register(users, area), users["mediator_jfb"])
    rs.risk_register(
        actor=users["jiefangbei"],
        title="通道堵塞可能引发肢体冲突",
        description="双方多次争吵",
        category="dispute",
        source="dispute",
        dispute=d,
        area=area(GRID),
        address="民生路 1 号",
        persons=[{"name": "赵六"}],
    )
    # The mediator may see the dispute but holds no right over risks.
    page = login("mediator_jfb").get(f"/disputes/{d.number}/").content.decode()
    assert "通道堵塞可能引发肢体冲突" not in page
    body = login("mediator_jfb").get(f"/api/v1/disputes/{d.number}").json()
    assert body["risks"] == []
    # The street officer, who may see risks, still sees it.
    page = login("jiefangbei").get(f"/disputes/{d.number}/").content.decode()
    assert "通道堵塞可能引发肢体冲突" in page


# -- defect 1: no unmasked personal data in the prefill -----------------------------------------


def _matter(users: Any, area: Any) -> Any:
    return ms.matter_create(
        actor=users["jiefangbei"],
        category=Category.objects.get(code="noise"),
        channel="staff",
        description="楼上装修噪声，多次协商无果",
        area=area(GRID),
        reporter_name="孙八",
        reporter_phone="13512345678",
    )


def test_the_prefill_from_a_matter_shows_masked_personal_data_only(
    users: Any, area: Any, login: Any
) -> None:
    m = _matter(users, area)
    before = AuditEvent.objects.filter(action="privacy.reveal").count()
    page = login("jiefangbei").get(f"/disputes/new/?matter={m.number}")
    html = page.content.decode()
    assert page.status_code == 200 and "楼上装修噪声" in html
    assert "13512345678" not in html and "孙八" not in html
    assert "135****5678" in html  # what the actor may see without a reveal
    assert AuditEvent.objects.filter(action="privacy.reveal").count() == before


def test_the_prefill_is_refused_to_who_may_not_register_a_dispute(
    users: Any, area: Any, login: Any
) -> None:
    m = _matter(users, area)
    grid = RoleGrant.objects.filter(user=users["grid_jfb_01"]).select_related("area").first()
    assert grid is not None and m.area_path.startswith(grid.area.path)  # they see the matter
    page = login("grid_jfb_01").get(f"/disputes/new/?matter={m.number}")
    html = page.content.decode()
    assert "13512345678" not in html and "孙八" not in html
    assert page.status_code == 403


def test_registering_from_a_matter_copies_the_reporter_server_side(
    users: Any, area: Any, login: Any
) -> None:
    m = _matter(users, area)
    form = {
        "channel": "matter",
        "matter": m.number,
        "subject": "装修噪声纠纷",
        "facts": m.description,
        "area_code": GRID,
        "applicant_is_reporter": "on",
        "applicant": "",
        "applicant_phone": "",
        "respondent": "楼上住户",
    }
    r = login("jiefangbei").post("/disputes/new/", form)
    assert r.status_code == 302, r.content.decode()
    d = Dispute.objects.get(subject="装修噪声纠纷")
    applicant = d.parties.get(role="applicant")
    assert (applicant.name, applicant.phone) == ("孙八", "13512345678")
    audit = AuditEvent.objects.filter(action="privacy.reveal", object_id=str(m.pk)).last()
    assert audit is not None and audit.actor_name == "jiefangbei"


def test_a_masked_value_is_never_stored_as_a_party_phone(users: Any, area: Any, login: Any) -> None:
    m = _matter(users, area)
    form = {
        "channel": "matter",
        "matter": m.number,
        "subject": "装修噪声纠纷",
        "facts": m.description,
        "area_code": GRID,
        "applicant": "孙*",
        "applicant_phone": "135****5678",
        "respondent": "楼上住户",
    }
    r = login("jiefangbei").post("/disputes/new/", form)
    assert r.status_code == 200
    assert "完整" in r.content.decode()
    assert not Dispute.objects.filter(subject="装修噪声纠纷").exists()


def test_copying_the_reporter_needs_the_right_to_see_it(users: Any, area: Any, client: Any) -> None:
    """A role that may register disputes and view matters, but not their personal data."""
    m = _matter(users, area)
    role = Role.objects.create(
        slug="dispute_clerk",
        name="纠纷登记员",
        permissions=["matters.matter.view", "disputes.dispute.view", "disputes.dispute.add"],
    )
    clerk = user_create(
        actor=system_user(),
        username="clerk_jfb",
        password="x-unused-Password-2026",
        area=area(JIEFANGBEI),
        check_password=False,
    )
    grant_create(actor=system_user(), user=clerk, role=role, area=area(JIEFANGBEI))
    client.force_login(clerk)
    html = client.get(f"/disputes/new/?matter={m.number}").content.decode()
    assert "applicant_is_reporter" not in html and "孙*" in html and "孙八" not in html
    with pytest.raises(PermissionDenied):
        ds.dispute_register(
            actor=clerk,
            channel="matter",
            subject="装修噪声纠纷",
            facts=m.description,
            area=area(GRID),
            matter=m,
            reporter_as_applicant=True,
            parties=[{"role": "respondent", "name": "楼上住户"}],
        )
    assert not Dispute.objects.filter(subject="装修噪声纠纷").exists()


# -- helpers ----------------------------------------------------------------------------------


def ds_get_api(bearer: Any, username: str, path: str) -> int:
    from django.test import Client

    return int(Client().get(path, headers=bearer(username)).status_code)


def post_api(bearer: Any, username: str, d: Dispute, action: str, body: dict[str, Any]) -> Any:
    from django.test import Client

    return Client().post(
        f"/api/v1/disputes/{d.number}/actions/{action}",
        body,
        content_type="application/json",
        headers=bearer(username),
    )
