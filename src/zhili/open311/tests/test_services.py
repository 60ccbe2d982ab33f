"""Discovery, the service list and service definitions, in JSON and XML, shaped as the
specification's own examples."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.matters.models import Category
from zhili.open311.tests.conftest import (
    BASE,
    assert_errors_json,
    assert_errors_xml,
    body,
    xml,
)

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
]


@pytest.fixture
def every_type(db: Any) -> Category:
    """A category asking one question of every type Zhili has."""
    return Category.objects.create(
        code="test-every-type",
        name="测试：各类问题",
        parent=Category.objects.get(code="city"),
        topic="environment",
        hint="测试用分类",
        questions=[
            {"key": "where", "label": "具体位置", "type": "text", "required": True},
            {"key": "count", "label": "数量", "type": "number"},
            {"key": "since", "label": "开始日期", "type": "date"},
            {"key": "kind", "label": "类型", "type": "single", "options": ["甲", "乙"]},
            {
                "key": "days",
                "label": "哪几天",
                "type": "multi",
                "options": ["周一", "周二", "周三"],
            },
        ],
    )


def test_discovery_json_names_the_endpoint_and_both_formats(client: Any) -> None:
    r = client.get(f"{BASE}/discovery.json")
    assert r.status_code == 200
    data = body(r)
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "zhili open311 key create" in data["key_service"]


def test_discovery_xml_uses_the_spec_elements(client: Any) -> None:
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_one_service_per_active_category_under_a_group(client: Any) -> None:
    Category.objects.filter(code="fraud").update(is_active=False)
    data = body(client.get(f"{BASE}/services.json"))
    codes = [s["service_code"] for s in data]
    leaves = Category.objects.filter(is_active=True, parent__isnull=False)
    assert sorted(codes) == sorted(leaves.values_list("code", flat=True))
    assert "fraud" not in codes and "property" not in codes  # inactive; a group
    for service in data:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] == "realtime"
    elevator = next(s for s in data if s["service_code"] == "elevator")
    assert elevator["service_name"] == "电梯故障"
    assert elevator["group"] == "物业与小区"
    assert elevator["metadata"] is True
    assert "物业与小区" in elevator["keywords"]
    streetlight = next(s for s in data if s["service_code"] == "streetlight")
    assert streetlight["metadata"] is False


def test_services_xml_matches_json(client: Any) -> None:
    data = body(client.get(f"{BASE}/services.json"))
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == len(data)
    first = services[0]
    assert {c.tag for c in first} == SERVICE_FIELDS
    assert first.findtext("service_code") == data[0]["service_code"]
    assert first.findtext("metadata") in ("true", "false")


def test_service_definition_json_as_in_the_spec(client: Any) -> None:
    data = body(client.get(f"{BASE}/services/elevator.json"))
    assert data["service_code"] == "elevator"
    (attribute,) = data["attributes"]
    assert list(attribute) == [*ATTRIBUTE_FIELDS, "values"]
    assert attribute["variable"] is True
    assert attribute["code"] == "trapped"
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is True
    assert attribute["order"] == 1
    assert attribute["description"] == "是否有人被困"
    assert attribute["values"] == [{"key": "是", "name": "是"}, {"key": "否", "name": "否"}]
    assert "119" in attribute["datatype_description"]  # the blocking answer is announced


def test_service_definition_maps_every_question_type(client: Any, every_type: Category) -> None:
    data = body(client.get(f"{BASE}/services/test-every-type.json"))
    types = {a["code"]: a["datatype"] for a in data["attributes"]}
    assert types == {
        "where": "string",
        "count": "number",
        "since": "datetime",
        "kind": "singlevaluelist",
        "days": "multivaluelist",
    }
    assert [a["order"] for a in data["attributes"]] == [1, 2, 3, 4, 5]
    assert [a["required"] for a in data["attributes"]] == [True, False, False, False, False]
    assert "values" not in data["attributes"][0]
    assert [v["key"] for v in data["attributes"][4]["values"]] == ["周一", "周二", "周三"]


def test_service_definition_xml(client: Any, every_type: Category) -> None:
    root = xml(client.get(f"{BASE}/services/test-every-type.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "test-every-type"
    attributes = root.findall("attributes/attribute")
    assert len(attributes) == 5
    assert [c.tag for c in attributes[0]] == ATTRIBUTE_FIELDS
    assert attributes[0].findtext("variable") == "true"
    values = attributes[3].findall("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("甲", "甲"),
        ("乙", "乙"),
    ]


def test_a_category_without_questions_has_an_empty_definition(client: Any) -> None:
    data = body(client.get(f"{BASE}/services/streetlight.json"))
    assert data == {"service_code": "streetlight", "attributes": []}
    root = xml(client.get(f"{BASE}/services/streetlight.xml"))
    assert root.find("attributes") is not None and not root.findall("attributes/attribute")


def test_unknown_service_code_is_404_in_both_formats(client: Any) -> None:
    assert "nope" in assert_errors_json(client.get(f"{BASE}/services/nope.json"), 404)
    assert_errors_xml(client.get(f"{BASE}/services/nope.xml"), 404)
    assert_errors_json(client.get(f"{BASE}/services/property.json"), 404)  # a group


def test_jurisdiction_id_is_checked_everywhere(client: Any) -> None:
    assert client.get(f"{BASE}/services.json?jurisdiction_id=500103").status_code == 200
    assert_errors_json(client.get(f"{BASE}/services.json?jurisdiction_id=110000"), 404)
    assert_errors_xml(client.get(f"{BASE}/services.xml?jurisdiction_id=sfgov.org"), 404)
    assert_errors_json(client.get(f"{BASE}/services/elevator.json?jurisdiction_id=110101"), 404)


def test_unknown_paths_and_formats_answer_with_the_error_list(client: Any) -> None:
    assert_errors_json(client.get(f"{BASE}/services.csv"), 404)
    assert_errors_xml(client.get(f"{BASE}/nothing/here.xml"), 404)
    r = client.get(f"{BASE}/")
    assert r.status_code == 302 and r["Location"].endswith("/discovery.json")
    head = client.head(f"{BASE}/services.json")
    assert head.status_code == 200
    r = client.delete(f"{BASE}/services.json")
    assert_errors_json(r, 405)
    assert r["Allow"] == "GET, HEAD"
