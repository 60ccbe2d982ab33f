"""GeoReport v2 responses in JSON and XML.

The JSON is the "Spark convention" mapping of the XML: a list answer is a JSON array whose items
are the XML's repeated elements (``<services><service>…``), ``null`` is an empty element, booleans
are ``true``/``false``. Both are UTF-8 with the content types the specification names.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# The element name of one item of each list, by the list's element name.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Characters XML 1.0 cannot carry at all.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        name = ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, name), item)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).encode()  # lazy labels


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``root`` is the XML root element (``services``, ``service_requests``, ``errors``…)."""
    fmt = fmt if fmt in FORMATS else "json"
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
