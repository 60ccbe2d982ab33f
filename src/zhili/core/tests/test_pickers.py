"""Pickers (core.pickers): areas and people chosen by name within the user's scope, on every form
and list filter that took a typed 区域代码 or username; a typed value is validated in Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zhili.core import pickers
from zhili.core.errors import ValidationFailed
from zhili.disputes.models import Dispute
from zhili.org.models import Unit
from zhili.risks import services as rs
from zhili.risks.models import Risk

GRID = "500103003013001"
MINSHENGLU = "500103003013"
JIEFANGBEI = "500103003"


def _risk(users: Any, area: Any, title: str = "楼道堆物") -> Risk:
    return rs.risk_register(
        actor=users["jiefangbei"],
        title=title,
        description="可能引发火灾",
        category="other",
        source="manual",
        area=area(GRID),
        address="民生路 1 号",
        persons=[{"name": "某人"}],
    )


# -- the area endpoint ---------------------------------------------------------------------------


def test_the_area_picker_browses_and_searches_within_the_users_scope(login: Any) -> None:
    client = login("jiefangbei")
    roots = client.get("/api/v1/pick/areas", {"for": "risks.risk.add"}).json()
    assert [a["name"] for a in roots["items"]] == ["解放碑街道"]
    children = client.get(
        "/api/v1/pick/areas", {"for": "risks.risk.add", "parent": JIEFANGBEI}
    ).json()
    names = [a["name"] for a in children["items"]]
    assert "民生路社区" in names and children["parent"]["code"] == JIEFANGBEI
    found = client.get(
        "/api/v1/pick/areas", {"for": "risks.risk.add", "q": "民生路", "levels": "community"}
    ).json()["items"]
    assert [a["code"] for a in found] == [MINSHENGLU]
    assert found[0]["value"] == f"解放碑街道 · 民生路社区（{MINSHENGLU}）"
    assert found[0]["selectable"] and found[0]["has_children"]
    # Another district's officer finds nothing of 渝中区, and cannot walk into it.
    other = login("wanzhou")
    assert other.get("/api/v1/pick/areas", {"for": "risks.risk.add", "q": "民生路"}).json() == {
        "items": [],
        "parent": None,
    }
    refused = other.get("/api/v1/pick/areas", {"for": "risks.risk.add", "parent": JIEFANGBEI})
    assert refused.status_code == 404 and "管辖范围" in refused.json()["message"]
    bad = client.get("/api/v1/pick/areas", {"for": "risks.nothing.add"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_scope"


def test_resolve_area_takes_a_name_a_path_a_value_or_a_code(users: Any) -> None:
    user = users["jiefangbei"]

    def resolve(text: str, levels: tuple[str, ...] = ()) -> str:
        return pickers.resolve_area(
            user, text, permission="disputes.dispute.add", levels=levels
        ).code

    assert resolve("民生路社区") == MINSHENGLU
    assert resolve("解放碑街道 · 民生路社区") == MINSHENGLU
    assert resolve(f"解放碑街道 · 民生路社区（{MINSHENGLU}）") == MINSHENGLU
    assert resolve(MINSHENGLU) == MINSHENGLU
    with pytest.raises(ValidationFailed, match="没有名为“七星岗社区”"):
        resolve("七星岗社区")  # 七星岗 is another street of 渝中区: not the street worker's
    with pytest.raises(ValidationFailed, match="区域代码 500101001 不存在或不在您的管辖范围内"):
        resolve("500101001")
    with pytest.raises(ValidationFailed, match="解放碑街道是乡镇/街道，这里须选择村/社区、网格"):
        resolve("解放碑街道", ("community", "grid"))


# -- the people endpoint -------------------------------------------------------------------------


def test_the_people_picker_lists_who_may_hold_the_role_there(login: Any) -> None:
    client = login("jiefangbei")

    def names(kind: str, **params: Any) -> list[str]:
        answer = client.get(f"/api/v1/pick/people/{kind}", {"area": GRID, **params})
        assert answer.status_code == 200, answer.content
        return [p["username"] for p in answer.json()["items"]]

    responsible = names("risks.responsible")
    assert "jiefangbei" in responsible
    assert "grid_jfb_01" not in responsible  # views risks only
    assert "mediator_jfb" not in responsible
    assert "grid_jfb_01" in names("risks.measure_owner")
    committee = Unit.objects.get(name="解放碑街道人民调解委员会")
    mediators = ["mediator_jfb", "mediator_jfb2", "mediator_jfb3"]  # the committee of three
    assert sorted(names("disputes.mediator")) == mediators  # not the street worker: no committee
    assert sorted(names("disputes.mediator", unit=committee.pk)) == mediators
    other = Unit.objects.get(name="解放碑街道综治中心")
    assert names("disputes.mediator", unit=other.pk) == []
    assert names("risks.responsible", q="解放碑街道") == ["jiefangbei"]
    value = client.get("/api/v1/pick/people/risks.responsible", {"area": GRID, "q": "jiefangbei"})
    assert value.json()["items"][0]["value"] == "解放碑街道工作人员（jiefangbei）"
    # A place outside the user's scope, an unknown kind: refused with the API's error body.
    far = login("wanzhou").get("/api/v1/pick/people/risks.responsible", {"area": GRID})
    assert far.status_code == 404 and far.json()["code"] == "area_not_found"
    assert client.get("/api/v1/pick/people/x.y", {"area": GRID}).status_code == 404


# -- the forms -----------------------------------------------------------------------------------


def test_the_risk_form_takes_a_picked_area_and_keeps_a_bad_one(login: Any) -> None:
    client = login("jiefangbei")
    page = client.get("/risks/new/").content.decode()
    assert 'data-picker="area"' in page and 'data-picker-for="risks.risk.add"' in page
    form = {
        "title": "广场聚集风险",
        "category": "other",
        "source": "manual",
        "description": "节假日人流过大",
        "area_code": "七星岗社区",
        "address": "解放碑广场",
        "person_name": "某人",
    }
    bad = client.post("/risks/new/", form).content.decode()
    assert "您的管辖范围内没有名为“七星岗社区”的区域" in bad and 'value="七星岗社区"' in bad
    assert not Risk.objects.filter(title="广场聚集风险").exists()
    form["area_code"] = f"解放碑街道 · 民生路社区（{MINSHENGLU}）"
    ok = client.post("/risks/new/", form)
    assert ok.status_code == 302
    assert Risk.objects.get(title="广场聚集风险").area.code == MINSHENGLU


def test_risk_owners_are_picked_among_those_who_may_hold_the_risk(
    login: Any, users: Any, area: Any
) -> None:
    risk = _risk(users, area)
    client = login("jiefangbei")
    url = f"/risks/{risk.number}/"
    page = client.get(url).content.decode()
    assert 'data-picker-kind="risks.responsible"' in page and f'data-picker-area="{GRID}"' in page
    unit = Unit.objects.get(name="解放碑街道综治中心")
    refused = client.post(
        url, {"action": "assign", "version": risk.version, "person": "grid_jfb_01", "unit": unit.pk}
    ).content.decode()
    assert "解放碑网格员01没有处置本辖区风险的权限，不能担任责任人" in refused
    unknown = client.post(
        url, {"action": "assign", "version": risk.version, "person": "nobody", "unit": unit.pk}
    ).content.decode()
    assert "账号“nobody”不存在或不在您的管辖范围内" in unknown
    risk.refresh_from_db()
    assert risk.responsible_person is None
    ok = client.post(
        url,
        {
            "action": "assign",
            "version": risk.version,
            "person": "解放碑街道工作人员（jiefangbei）",
            "unit": unit.pk,
        },
    )
    assert ok.status_code == 302
    risk.refresh_from_db()
    assert risk.responsible_person == users["jiefangbei"]
    # A measure's owner may be the grid worker (who sees the risk), by name too.
    ok = client.post(
        url,
        {
            "action": "measure",
            "version": risk.version,
            "text": "清理楼道",
            "owner": "解放碑网格员01",
            "due": "2099-01-01",
        },
    )
    assert ok.status_code == 302
    assert risk.measures.get().owner == users["grid_jfb_01"]


def test_the_service_refuses_an_owner_who_may_not_hold_the_risk(users: Any, area: Any) -> None:
    risk = _risk(users, area)
    with pytest.raises(ValidationFailed) as exc:
        rs.risk_assign(
            actor=users["jiefangbei"],
            risk=risk,
            person=users["mediator_jfb"],
            unit=users["jiefangbei"].unit,
        )
    assert exc.value.code == "not_a_holder"
    with pytest.raises(ValidationFailed):
        rs.measure_add(
            actor=users["jiefangbei"],
            risk=risk,
            text="x",
            owner=users["wanzhou"],
            due=risk.created_at.date().replace(year=2099),
        )


def test_the_dispute_form_and_mediator_picker(login: Any) -> None:
    client = login("jiefangbei")
    form = {
        "channel": "direct",
        "subject": "邻里漏水纠纷",
        "facts": "楼上漏水",
        "area_code": "民生路",
        "applicant": "周九",
        "respondent": "吴十",
    }
    bad = client.post("/disputes/new/", form).content.decode()
    assert "您的管辖范围内没有名为“民生路”的区域" in bad and 'value="民生路"' in bad
    form["area_code"] = "民生路社区"
    assert client.post("/disputes/new/", form).status_code == 302
    d = Dispute.objects.get(subject="邻里漏水纠纷")
    assert d.area.code == MINSHENGLU
    page = client.get(f"/disputes/{d.number}/").content.decode()
    assert (
        'data-picker-kind="disputes.mediator"' in page and 'data-picker-unit="id_committee"' in page
    )
    committee = Unit.objects.get(name="解放碑街道人民调解委员会")
    refused = client.post(
        f"/disputes/{d.number}/",
        {"action": "assign", "committee": committee.pk, "mediator": "jiefangbei"},
    ).content.decode()
    assert "不能担任调解员" in refused
    ok = client.post(
        f"/disputes/{d.number}/",
        {"action": "assign", "committee": committee.pk, "mediator": "解放碑调解员（mediator_jfb）"},
    )
    assert ok.status_code == 302, re.findall(
        r"(?:alert|invalid-feedback)[^>]*>([^<]+)", ok.content.decode()
    )


# -- the list filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "permission"),
    [
        ("/risks/", "risks.risk.view"),
        ("/wages/warnings/", "wages.warning.view"),
        ("/wages/", "wages.project.view"),
        ("/matters/", "matters.matter.view"),
        ("/disputes/", "disputes.dispute.view"),
    ],
)
def test_list_filters_pick_an_area_and_say_what_is_wrong(
    login: Any, url: str, permission: str
) -> None:
    client = login("jiefangbei")
    page = client.get(url).content.decode()
    assert f'data-picker-for="{permission}"' in page
    assert client.get(url, {"area": "民生路社区"}).status_code == 200
    bad = client.get(url, {"area": "不存在的社区"}).content.decode()
    assert "您的管辖范围内没有名为“不存在的社区”的区域" in bad


def test_the_risk_filter_keeps_the_picked_area_only(login: Any, users: Any, area: Any) -> None:
    inside = _risk(users, area, "民生路的风险")
    client = login("jiefangbei")
    found = client.get("/risks/", {"area": f"解放碑街道 · 民生路社区（{MINSHENGLU}）"})
    assert inside.number in found.content.decode()
    other = client.get("/risks/", {"area": "解放碑街道 · 自力巷社区"}).content.decode()
    assert inside.number not in other


def test_the_extension_queue_is_only_for_approvers(login: Any) -> None:
    """待审批延期 is the district's (approve); the street worker neither sees the tab nor gets
    the queue by typing its address."""
    page = login("yuzhong").get("/matters/").content.decode()
    assert "待审批延期" in page
    street = login("jiefangbei")
    assert "待审批延期" not in street.get("/matters/").content.decode()
    typed = street.get("/matters/", {"queue": "extension"}).content.decode()
    assert "待审批延期" not in typed and "您不办理这个队列" in typed


def test_a_kind_without_a_place_offers_the_staff_the_user_may_see(login: Any) -> None:
    """A visit plan's cadre may hold any role (visits.workflow.is_cadre): the picker offers the
    active staff the planner may see, and no one from another district."""
    client = login("jiefangbei")
    found = client.get("/api/v1/pick/people/visits.cadre", {"q": "网格员"}).json()["items"]
    assert "grid_jfb_01" in [p["username"] for p in found]
    everyone = client.get("/api/v1/pick/people/visits.cadre").json()["items"]
    assert "wanzhou" not in [p["username"] for p in everyone]
    page = client.get("/visits/plans/").content.decode()
    assert 'data-picker-kind="visits.cadre"' in page


def test_the_org_forms_pick_areas_and_people(login: Any) -> None:
    client = login("yuzhong")
    liaisons = client.get("/org/liaisons/").content.decode()
    assert 'data-picker-for="org.liaison.view"' in liaisons
    assert 'data-picker-kind="org.leader"' in liaisons
    units = client.get("/org/units/new/").content.decode()
    assert 'data-picker-for="org.unit.view"' in units
    refused = client.post(
        "/org/units/new/", {"name": "某单位", "type": "other", "area_code": "万州区"}
    ).content.decode()
    assert "您的管辖范围内没有名为“万州区”的区域" in refused


def test_the_disputes_list_filters_by_a_picked_area(login: Any) -> None:
    client = login("jiefangbei")
    form = {
        "channel": "direct",
        "subject": "区域筛选测试纠纷",
        "facts": "x",
        "area_code": GRID,
        "applicant": "周九",
        "respondent": "吴十",
    }
    assert client.post("/disputes/new/", form).status_code == 302
    number = Dispute.objects.get(subject="区域筛选测试纠纷").number
    inside = client.get("/disputes/", {"area": "解放碑街道 · 民生路社区"}).content.decode()
    assert number in inside
    other = client.get("/disputes/", {"area": "解放碑街道 · 自力巷社区"}).content.decode()
    assert number not in other
