"""Risk and dispute pages: reachable for the right people, 404 out of scope, Chinese errors in place."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.disputes.models import Dispute
from zhili.matters import services as ms
from zhili.matters.models import Category
from zhili.risks.models import Risk

GRID = "500103003013001"


@pytest.mark.parametrize(
    "url",
    [
        "/risks/",
        "/risks/map/",
        "/risks/map.json",
        "/risks/queue/",
        "/risks/new/",
        "/risks/candidates/",
        "/disputes/",
        "/disputes/new/",
        "/disputes/stats/",
    ],
)
def test_pages_open_for_the_street_officer(login: Any, url: str) -> None:
    assert login("jiefangbei").get(url).status_code == 200


def test_register_a_risk_from_a_matter_through_the_page(login: Any, users: Any, area: Any) -> None:
    m = ms.matter_create(
        actor=users["jiefangbei"],
        category=Category.objects.get(code="wage-arrears"),
        channel="staff",
        description="某工地拖欠 30 名工人工资",
        area=area(GRID),
        reporter_name="孙八",
        reporter_phone="13512345678",
        answers={"workers": 30, "site": "是"},
    )
    client = login("jiefangbei")
    page = client.get(f"/risks/new/?matter={m.number}")
    assert "某工地拖欠" in page.content.decode()
    form = {
        "title": "工地欠薪可能引发聚集",
        "category": "labour",
        "source": "matter",
        "matter": m.number,
        "description": m.description,
        "area_code": GRID,
        "address": "民生路工地",
        "person_name": "",
    }
    bad = client.post("/risks/new/", form)
    assert bad.status_code == 200 and "见人" in bad.content.decode()
    assert not Risk.objects.filter(matter=m).exists()
    form["person_name"] = "孙八"
    ok = client.post("/risks/new/", form)
    risk = Risk.objects.get(matter=m)
    assert ok.status_code == 302 and ok.url == f"/risks/{risk.number}/"
    detail = client.get(ok.url).content.decode()
    assert m.number in detail and "孙八" in detail
    assessed = client.post(
        ok.url,
        {
            "action": "assess",
            "kind": "current",
            "likelihood": "9",
            "impact": "1",
            "confidence": "high",
        },
    )
    assert assessed.status_code == 200 and "可能性须在 1 到 5 之间" in assessed.content.decode()


def test_out_of_scope_is_404(login: Any, users: Any, area: Any) -> None:
    from zhili.risks.services import risk_register

    risk = risk_register(
        actor=users["jiefangbei"],
        title="t",
        description="d",
        category="other",
        source="manual",
        area=area(GRID),
        address="a",
        persons=[{"name": "某人"}],
    )
    assert login("wanzhou").get(f"/risks/{risk.number}/").status_code == 404


def test_dispute_form_and_actions(login: Any, users: Any) -> None:
    client = login("jiefangbei")
    form = {
        "channel": "court_assigned",
        "referral_no": "",
        "subject": "租赁纠纷",
        "facts": "押金未退",
        "area_code": GRID,
        "applicant": "周九",
        "respondent": "吴十",
    }
    bad = client.post("/disputes/new/", form)
    assert bad.status_code == 200 and "文书号" in bad.content.decode()
    form["referral_no"] = "(2026)渝0103民诉前调88号"
    ok = client.post("/disputes/new/", form)
    d = Dispute.objects.get(subject="租赁纠纷")
    assert ok.status_code == 302
    from zhili.org.models import Unit

    committee = Unit.objects.get(name="解放碑街道人民调解委员会")
    r = client.post(
        f"/disputes/{d.number}/",
        {"action": "assign", "committee": committee.pk, "mediator": "nobody"},
    )
    assert r.status_code == 200 and "不存在" in r.content.decode()
    r = client.post(
        f"/disputes/{d.number}/",
        {"action": "assign", "committee": committee.pk, "mediator": "mediator_jfb"},
    )
    assert r.status_code == 302
    assert login("wanzhou").get(f"/disputes/{d.number}/").status_code == 404


def test_settings_page_edits_policies_for_the_city_only(login: Any) -> None:
    from zhili.risks.models import LevelPolicy

    assert login("jiefangbei").get("/risks/settings/").status_code == 200
    denied = login("jiefangbei").post(
        "/risks/settings/",
        {"action": "policy", "level": "red", "handle_days": "1", "review_days": "2"},
        follow=True,
    )
    assert (
        "市级管理员" in denied.content.decode()
        and LevelPolicy.objects.get(level="red").handle_days == 3
    )
    ok = login("city_admin").post(
        "/risks/settings/",
        {
            "action": "policy",
            "level": "red",
            "handle_days": "2",
            "review_days": "5",
            "escalate": "on",
        },
    )
    assert ok.status_code == 302 and LevelPolicy.objects.get(level="red").handle_days == 2
    bad = login("city_admin").post(
        "/risks/settings/",
        {
            "action": "matrix",
            "name": "3×3",
            "cells": "blue purple\nred",
            "likelihood_labels": "低 高",
            "impact_labels": "小 大",
        },
        follow=True,
    )
    assert "矩阵" in bad.content.decode()
    good = login("city_admin").post(
        "/risks/settings/",
        {
            "action": "matrix",
            "name": "简化 2×2",
            "cells": "blue yellow\norange red",
            "likelihood_labels": "低 高",
            "impact_labels": "小 大",
        },
    )
    assert good.status_code == 302
