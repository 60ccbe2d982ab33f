"""Indicator and survey pages and API: open for the right people, figures recomputed from facts,
Chinese errors in the page, 4xx in the API."""

from __future__ import annotations

import io
from typing import Any

import pytest

from zhili.indicators import services
from zhili.indicators.imports import workbook
from zhili.indicators.models import Indicator
from zhili.testing.factories import WANZHOU, YUZHONG


@pytest.mark.parametrize(
    "url", ["/indicators/", "/indicators/survey/", "/indicators/template.xlsx"]
)
def test_pages_open(login: Any, url: str) -> None:
    assert login("yuzhong").get(url).status_code == 200
    assert login("jiefangbei").get(url).status_code == 200


def test_out_of_scope_area_is_an_error_in_the_page(login: Any) -> None:
    page = login("yuzhong").get(f"/indicators/?area={WANZHOU}")
    assert page.status_code == 200 and "不在您的管辖范围内" in page.content.decode()


def test_enter_and_import_through_the_page(login: Any) -> None:
    client = login("yuzhong")
    ind = Indicator.objects.get(code="petition_visits")
    form = {"form": "value", "indicator": ind.pk, "area": YUZHONG, "year": 2030, "month": 1,
            "value": "8", "source": "区信访办", "components": ""}  # fmt: skip
    assert client.post("/indicators/", form).status_code == 302
    page = client.get(f"/indicators/?area={YUZHONG}&year=2030").content.decode()
    assert 'data-indicator="petition_visits"' in page and "8 人次" in page
    bad = workbook(["指标代码", "区域代码", "年份", "月份", "数值", "来源"],
                   [["petition_visits", YUZHONG, 2030, 2, "abc", "x"]])  # fmt: skip
    f = io.BytesIO(bad)
    f.name = "v.xlsx"
    page = client.post("/indicators/?year=2030", {"form": "import", "file": f, "source": ""})
    body = page.content.decode()
    assert page.status_code == 200 and "未导入任何数据" in body and "不是数字" in body


def test_survey_page_and_api_show_the_rate(login: Any, users: Any, area: Any) -> None:
    u = users["yuzhong"]
    wave = services.wave_create(actor=u, instrument=services.default_instrument(),
                                area=area(YUZHONG), year=2030)  # fmt: skip
    rows = [["A", "很安全"], ["B", "安全"], ["C", "不安全"], ["D", "不清楚"]]
    services.responses_import(actor=u, wave=wave, data=workbook(["样本编号", "回答"], rows))
    client = login("yuzhong")
    body = client.get(f"/indicators/survey/?area={YUZHONG}&year=2030").content.decode()
    assert "66.67%" in body  # 2 of 3 valid answers
    out = client.get(f"/api/v1/indicators/survey?area={YUZHONG}&year=2030").json()
    assert out["total"]["valid"] == 3 and out["total"]["invalid"] == 1
    assert abs(out["total"]["rate"] - 2 / 3) < 1e-9
    # The district's sample is above the street worker's scope (404), and out of 万州's.
    assert login("jiefangbei").get(f"/indicators/survey/{wave.pk}/import/").status_code == 404
    assert login("wanzhou").get(f"/indicators/survey/{wave.pk}/import/").status_code == 404
    assert login("yuzhong").get(f"/indicators/survey/{wave.pk}/import/").status_code == 200


def test_api_value_and_revisions(login: Any) -> None:
    client = login("yuzhong")
    body = {"indicator": "eight_crimes", "area": YUZHONG, "year": 2030, "month": 6,
            "components": {"抢劫": 2, "伤害": 1}, "source": "公安分局"}  # fmt: skip
    r = client.post("/api/v1/indicators/values", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["value"] == 3
    pk = r.json()["id"]
    body["components"] = {"抢劫": 2}
    client.post("/api/v1/indicators/values", body, content_type="application/json")
    revs = client.get(f"/api/v1/indicators/values/{pk}/revisions").json()
    assert [x["value"] for x in revs] == [3, 2]
    bad = client.post("/api/v1/indicators/values", {**body, "month": 13},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_value"
    other = client.post("/api/v1/indicators/values", {**body, "area": WANZHOU},
                        content_type="application/json")  # fmt: skip
    assert other.status_code == 404
    figures = client.get(f"/api/v1/indicators/figures?area={YUZHONG}&year=2030").json()
    crimes = next(x for x in figures["figures"] if x["indicator"] == "eight_crimes")
    assert crimes["total"] == 2 and crimes["components"] == {"抢劫": 2}
