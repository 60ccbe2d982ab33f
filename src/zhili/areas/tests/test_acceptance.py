"""The foundation issue's 'done when' checks, through the API."""

from typing import Any

import pytest


def test_current_districts_after_2025_change(client: Any, bearer: Any) -> None:
    headers = bearer("city_admin")
    codes, cursor = [], None
    while True:
        url = "/api/v1/areas?parent=500000&level=district&limit=10"
        if cursor:
            url += f"&cursor={cursor}"
        body = client.get(url, headers=headers).json()
        codes += [a["code"] for a in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert len(codes) == 37
    assert "500199" in codes  # 两江新区
    assert "500105" not in codes and "500112" not in codes  # 江北区, 渝北区


def test_ended_district_still_answers_as_history(client: Any, bearer: Any) -> None:
    body = client.get("/api/v1/areas/500105", headers=bearer("city_admin")).json()
    assert body["name"] == "江北区"
    assert body["current"] is False
    assert body["valid_to"] == "2025-11-06"
    assert body["successor"]["name"] == "两江新区"


def test_liangjiang_and_beibei_street_counts(client: Any, bearer: Any) -> None:
    headers = bearer("city_admin")
    lj = client.get("/api/v1/areas?parent=500199&limit=200", headers=headers).json()["items"]
    bb = client.get("/api/v1/areas?parent=500109&limit=200", headers=headers).json()["items"]
    assert len(lj) == 42 and sum(a["kind"] == "街道" for a in lj) == 31
    assert len(bb) == 17 and sum(a["kind"] == "街道" for a in bb) == 6


def test_district_officer_gets_404_under_another_district(client: Any, bearer: Any) -> None:
    response = client.get("/api/v1/areas/500101001", headers=bearer("yuzhong"))
    assert response.status_code == 404
    assert response.json()["code"] == "area_not_found"


@pytest.mark.django_db
def test_the_add_child_button_is_one_phrase_in_each_language(login: Any) -> None:
    """ "新建网格" / "New grid" on a community, "新建楼栋" / "New building" on a grid (it was
    "New" and the level glued together: "NewBuilding")."""
    from django.conf import settings

    client = login("jiefangbei")
    for language, grid, building in (
        ("zh-hans", "新建网格", "新建楼栋"),
        ("en", "New grid", "New building"),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert f">{grid}</a>" in client.get("/areas/500103003013/").content.decode()
        assert f">{building}</a>" in client.get("/areas/500103003013001/").content.decode()


def test_a_kind_reads_in_the_request_language(client: Any, bearer: Any, login: Any) -> None:
    """The kind is data from the code source (街道, 镇, 社区, 村…) or a level's name (网格): the
    API gives it as stored and in the request's language; the English page shows it in English
    (it showed the Chinese)."""
    from django.conf import settings

    headers = bearer("city_admin")
    url = "/api/v1/areas?parent=500109&limit=200"
    zh = client.get(url, headers=headers).json()["items"]
    en = client.get(url, headers={**headers, "Accept-Language": "en"}).json()["items"]
    assert {(a["kind"], a["kind_label"]) for a in zh} == {("街道", "街道"), ("镇", "镇")}
    assert {(a["kind"], a["kind_label"]) for a in en} == {
        ("街道", "Subdistrict"),
        ("镇", "Town"),
    }

    # A grid added by hand has its level's name as its kind, and reads as the level does.
    grid = client.get("/api/v1/areas/500103003013001", headers={**headers, "Accept-Language": "en"})
    assert (grid.json()["kind"], grid.json()["kind_label"]) == ("网格", "Grid")

    page = login("jiefangbei")
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page.get("/areas/500103003/").content.decode()  # 解放碑街道 and its communities
    assert ">Subdistrict</dd>" in html and ">Community</td>" in html
    assert "街道</dd>" not in html and ">社区</td>" not in html
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert ">街道</dd>" in page.get("/areas/500103003/").content.decode()
