"""One spec per action (matters/actions.py): the rules table, the page's forms and buttons, the API's
routes with their own request bodies (OpenAPI) and the services all read the same spec."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from zhili.areas.models import Area
from zhili.core import labels
from zhili.matters import forms, schemas, services
from zhili.matters.actions import SPECS
from zhili.matters.models import Category, Matter
from zhili.matters.workflow import RULES, WORKFLOW

GRID = "500103003013001"


def test_every_spec_is_a_rule_a_service_a_form_and_a_body() -> None:
    assert list(SPECS) == list(RULES) == list(WORKFLOW.rules)
    for name, spec in SPECS.items():
        rule = RULES[name]
        assert (rule.label, rule.sources, rule.permission) == (
            spec.label,
            spec.sources,
            spec.permission,
        )
        assert (rule.also is not None) == (spec.by_unit or spec.also is not None)
        assert labels.is_readable(spec.label) and labels.is_readable(spec.button)
        assert issubclass(spec.form, forms.ActionForm)
        assert issubclass(spec.body, schemas.MatterActionIn)
        service = getattr(services, f"matter_{name}")
        params = inspect.signature(service).parameters
        assert {"actor", "matter", "version", "at"} <= set(params), name
        # What the spec reads from the inputs is what the service takes.
        assert spec.note in params, name
        assert not spec.unit or spec.unit in params, name


@pytest.fixture
def openapi(client: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    spec: dict[str, Any] = resp.json()
    return spec


@pytest.mark.django_db
def test_each_action_has_its_own_request_body_in_the_openapi(openapi: dict[str, Any]) -> None:
    paths, components = openapi["paths"], openapi["components"]["schemas"]
    for name, spec in SPECS.items():
        op = paths[f"/api/v1/matters/{{number}}/actions/{name}"]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{spec.body.__name__}"
        assert str(spec.label) in op["summary"] and op["operationId"] == f"matter_{name}"
        assert "version" in components[spec.body.__name__]["properties"]
    assert components["MatterVerifyIn"]["required"] == ["passed"]
    assert set(components["MatterRateIn"]["required"]) == {"solved", "satisfied"}
    assert components["MatterDispatchIn"]["required"] == ["unit"]
    # The one generic route is listed (every URL is in the OpenAPI) and only ever answers 404.
    generic = paths["/api/v1/matters/{number}/actions/{action}"]["post"]
    # (the common errors every operation documents are listed too; it answers only 404)
    assert "404" in generic["responses"] and "200" not in generic["responses"]
    assert "requestBody" not in generic


def _matter(users: dict[str, Any]) -> Matter:
    return services.matter_create(
        actor=users["jiefangbei"],
        category=Category.objects.get(code="streetlight"),
        channel="staff",
        description="民生路 12 号门口路灯不亮",
        area=Area.objects.get(code=GRID),
        reporter_phone="13800138000",
    )


@pytest.mark.django_db
def test_the_api_checks_each_body_and_refuses_unknown_actions(
    client: Any, bearer: Any, users: dict[str, Any]
) -> None:
    m = _matter(users)
    headers = bearer("jiefangbei")
    url = f"/api/v1/matters/{m.number}/actions"
    resp = client.post(f"{url}/teleport", {}, content_type="application/json", headers=headers)
    assert resp.status_code == 404 and resp.json()["code"] == "unknown_action"
    resp = client.post(f"{url}/merge", {}, content_type="application/json", headers=headers)
    assert resp.status_code == 422 and resp.json()["code"] == "invalid"
    assert resp.json()["detail"][0]["loc"][-1] == "into"
    resp = client.post(
        f"{url}/reject",
        {"note": "不属于受理范围"},
        content_type="application/json",
        headers=headers,
    )
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"
    assert resp.json()["actions"] == []
    m.refresh_from_db()
    assert m.events.get(action="reject").note == "不属于受理范围"


@pytest.mark.django_db
def test_the_page_shows_each_allowed_action_with_its_buttons(login: Any, users: dict) -> None:
    m = _matter(users)
    client = login("jiefangbei")
    page = client.get(f"/matters/{m.number}/").content.decode()
    for name in ("accept", "reject", "triage", "merge"):
        spec = SPECS[name]
        shown = f'id="action-{name}" open>' if spec.primary else f'id="action-{name}" >'
        assert shown in page, name
        button = f'value="{name}">{spec.button}</button>'
        if spec.primary:  # drawn open in the page
            assert button in page, name
        else:  # folded: drawn when opened, from the card's own address
            assert button not in page and f"/matters/{m.number}/form/{name}/" in page, name
            assert button in client.get(f"/matters/{m.number}/form/{name}/").content.decode()
