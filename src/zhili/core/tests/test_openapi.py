"""The OpenAPI is honest (issue 18, item 6): one schema per component name across all modules
(a clash let one module's body document another's), typed responses (no bare objects), and the
common error answers documented on every operation. That every status an endpoint really
answers is documented is checked by the access matrix (every endpoint, every role)."""

from __future__ import annotations

import typing
from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from zhili.api import api


def _models_in(annotation: Any, out: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in out:
            return
        out.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, out)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, out)


def api_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_in(model, found)
                for model in operation.response_models.values():
                    if isinstance(model, type):
                        _models_in(model, found)
    return found


def test_component_names_are_unique_across_modules() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in api_models():
        if model.__module__.startswith("zhili."):
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}
    assert len(by_name) > 50  # the walk did find the schemas


def test_every_documented_component_is_one_of_ours_or_ninjas() -> None:
    names = set(api.get_openapi_schema()["components"]["schemas"])
    ours = {m.__name__ for m in api_models()}
    assert names - ours <= {"Input", "Message"} | {n for n in names if "Params" in n}


def test_no_operation_answers_a_bare_object() -> None:
    bare = []
    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for content in response.get("content", {}).values():
                    schema = content.get("schema", {})
                    if schema.get("type") == "object" and "properties" not in schema:
                        bare.append(f"{method.upper()} {path} {status}")
                    items = schema.get("items", {})
                    array = schema.get("type") == "array" and items.get("type") == "object"
                    if array and "properties" not in items:
                        bare.append(f"{method.upper()} {path} {status} []")
    assert bare == []


def test_common_errors_are_documented_everywhere() -> None:
    document = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = {int(s) for s in operation["responses"]}
            assert {400, 404, 422} <= codes, (method, path)
            if "requestBody" in operation:
                assert 413 in codes, (method, path)
