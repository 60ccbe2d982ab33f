"""What schemathesis found against the live server (issue 18, item 6), one regression test each:
the server errors (a year past what a date can hold), and the schemas looser than the server
(a number read as a date, ``false`` read as 0, a list read as an empty object)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhili.core.schemas import YEAR_MAX, YEAR_MIN


def assert_refused(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    return body


# ST101/ST103: a 500 (undocumented) for a year Python's dates cannot hold -------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/legal/accounts",
        "/api/v1/legal/consultations",
        "/api/v1/indicators/figures",
        "/api/v1/indicators/survey",
    ],
)
@pytest.mark.parametrize("year", ["24062", "152343766176134898647040", "0", "-1"])
def test_a_year_out_of_range_is_a_422_not_a_500(
    client: Any, bearer: Any, path: str, year: str
) -> None:
    assert_refused(client.get(f"{path}?year={year}", headers=bearer("city_admin")))


@pytest.mark.django_db
def test_a_year_in_range_still_answers(client: Any, bearer: Any) -> None:
    for year in (YEAR_MIN, 2026, YEAR_MAX):
        response = client.get(f"/api/v1/legal/accounts?year={year}", headers=bearer("city_admin"))
        assert response.status_code == 200


def test_the_openapi_states_the_year_bounds() -> None:
    from zhili.api import api

    document = api.get_openapi_schema()
    params = document["paths"]["/api/v1/legal/accounts"]["get"]["parameters"]
    (year,) = [p for p in params if p["name"] == "year"]
    text = json.dumps(year["schema"])
    assert f'"minimum": {YEAR_MIN}' in text
    assert f'"maximum": {YEAR_MAX}' in text


# ST201: a query date must be written as a date ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/matters?created_to={}",
        "/api/v1/matters?created_from={}",
        "/api/v1/disputes/stats?until={}",
        "/api/v1/disputes/stats?since={}",
        "/api/v1/points/ranking/villages?on={}",
        "/api/v1/metrics/matters?to={}",
        "/api/v1/metrics/matters?from={}",
    ],
)
@pytest.mark.parametrize("value", ["0", "1700000000", "2026-1-5", "x"])
def test_a_query_date_that_is_not_yyyy_mm_dd_is_refused(
    client: Any, bearer: Any, path: str, value: str
) -> None:
    body = assert_refused(client.get(path.format(value), headers=bearer("city_admin")))
    assert body["code"] == "invalid"


@pytest.mark.django_db
def test_a_query_date_written_as_a_date_still_filters(client: Any, bearer: Any) -> None:
    headers = bearer("city_admin")
    assert client.get("/api/v1/matters?created_to=2026-12-31", headers=headers).status_code == 200
    assert client.get("/api/v1/disputes/stats?until=2026-12-31", headers=headers).status_code == 200


# ST201: a body holds to its schema's types --------------------------------------------------


def post(client: Any, headers: dict[str, str], path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("body", [[None, None], [], "x", 3, None])
def test_a_body_that_is_not_an_object_files_nothing(client: Any, bearer: Any, body: Any) -> None:
    from zhili.cockpit.models import WeeklyReport

    before = WeeklyReport.objects.count()
    assert_refused(post(client, bearer("city_admin"), "/api/v1/cockpit/reports", body))
    assert WeeklyReport.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"year": 2026, "hours": 50, "visits_per_month": False},
        {"year": 2026, "hours": True, "visits_per_month": 1},
        {"year": 0, "hours": 50, "visits_per_month": 1},
    ],
    ids=["false-as-0", "true-as-1", "year-0"],
)
def test_a_boolean_is_not_a_number_and_a_year_has_bounds(
    client: Any, bearer: Any, body: dict[str, Any]
) -> None:
    from zhili.legal.models import Target

    before = Target.objects.count()
    assert_refused(post(client, bearer("city_admin"), "/api/v1/legal/targets", body))
    assert Target.objects.count() == before


@pytest.mark.django_db
def test_a_number_is_not_a_date_in_a_body() -> None:
    import datetime as dt

    from pydantic import ValidationError

    from zhili.core.schemas import BoundedIn

    class Probe(BoundedIn):
        on: dt.date
        count: int = 0
        flag: bool = False

    with pytest.raises(ValidationError):
        Probe.model_validate({"on": 0})
    with pytest.raises(ValidationError):
        Probe.model_validate({"on": "2026-01-01", "count": False})
    ok = Probe.model_validate({"on": "2026-01-01", "count": 3, "flag": True})
    assert (ok.on, ok.count, ok.flag) == (dt.date(2026, 1, 1), 3, True)


@pytest.mark.django_db
def test_a_good_target_is_still_set(client: Any, bearer: Any) -> None:
    response = post(
        client,
        bearer("city_admin"),
        "/api/v1/legal/targets",
        {"year": 2026, "hours": 40, "visits_per_month": 2},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"year": 2026, "hours": 40, "visits_per_month": 2}


def test_a_request_line_too_long_is_documented() -> None:
    """gunicorn refuses a request line over 4,094 bytes with 414 before the application."""
    from zhili.api import api

    document = api.get_openapi_schema()
    for operations in document["paths"].values():
        for operation in operations.values():
            assert "text/html" in operation["responses"][414]["content"]
