"""The API: typed answers, the step's counts and signatures as multipart, the quorum refusal
as a 422 with its reason, 404 outside the scope, masked personal fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhili.testing import factories as f

pytestmark = pytest.mark.django_db
COMMUNITY = "500103003013"


def _client(who: str) -> Client:
    c = Client()
    c.force_login(f.user(who))
    return c


def _step(c: Client, number: str, action: str, **data: Any) -> Any:
    body = {"held_on": "2026-11-02", "text": f"{action} 记录", **data}
    return c.post(f"/api/v1/deliberation/records/{number}/steps/{action}", body)


def test_a_record_through_the_api(secretary: Any) -> None:
    c = _client("secretary_msl")
    r = c.post(
        "/api/v1/deliberation/records",
        {"area": COMMUNITY, "title": "集体资产出租", "content": "出租闲置用房"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["actions"] == ["propose", "withdraw"]
    assert _step(c, number, "propose").status_code == 200
    assert _step(c, number, "discuss", due=7, present=7, votes_for=7).status_code == 200
    pdf = SimpleUploadedFile("签到表.pdf", f.PDF, content_type="application/pdf")
    refused = _step(c, number, "review", due=30, present=19, votes_for=19, signatures=pdf)
    assert refused.status_code == 422
    assert refused.json()["code"] == "refused_input" and "三分之二" in refused.json()["message"]
    pdf.seek(0)
    ok = _step(c, number, "review", due=30, present=20, votes_for=16, signatures=pdf)
    assert ok.status_code == 200 and ok.json()["status"] == "decision"
    step = ok.json()["steps"][-1]
    assert (step["stage"], step["present"], step["votes_for"]) == ("party", 20, 16)
    assert c.get(step["signatures_url"]).status_code == 200
    assert _client("wanzhou").get(f"/api/v1/deliberation/records/{number}").status_code == 404
    assert _client("wanzhou").get(step["signatures_url"]).status_code == 404
    unknown = _step(c, number, "no_such_step")
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_action"


def test_a_project_through_the_api(secretary: Any) -> None:
    c = _client("secretary_msl")
    r = c.post(
        "/api/v1/deliberation/projects",
        {
            "area": COMMUNITY,
            "title": "路灯安装",
            "purpose": "other",
            "description": "安装 20 盏",
            "proposer": "villagers",
            "signers": 9,
            "villagers": 100,
            "budget": "30000",
            "year": 2026,
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and "至少须 10 人" in r.json()["message"]
    r = c.post(
        "/api/v1/deliberation/projects",
        {
            "area": COMMUNITY,
            "title": "路灯安装",
            "purpose": "other",
            "description": "安装 20 盏",
            "proposer": "villagers",
            "signers": 10,
            "villagers": 100,
            "budget": "30000",
            "money_per_person": "10",
            "year": 2026,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    act = f"/api/v1/deliberation/projects/{number}/actions/"
    assert (
        c.post(
            act + "notice",
            {"notice_from": "2026-09-01", "notice_until": "2026-09-07"},
            content_type="application/json",
        ).status_code
        == 200
    )
    detail = c.get(f"/api/v1/deliberation/projects/{number}").json()
    assert detail["status"] == "noticed" and detail["book"]["eligible"] is False
    assert (
        _client("wanzhou").post(act + "canvass", {}, content_type="application/json").status_code
        == 404
    )


def test_publicity_api_and_openapi_names(secretary: Any) -> None:
    c = _client("jiefangbei")
    assert c.get("/api/v1/deliberation/publicity").json() == []
    doc = Client().get("/api/v1/openapi.json").json()
    names = set(doc["components"]["schemas"])
    assert {"DelibRecordDetailOut", "DelibProjectDetailOut", "LegalReviewOut"} <= names
