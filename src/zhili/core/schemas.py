from typing import Any

from ninja import Schema
from pydantic import ConfigDict


class ErrorOut(Schema):
    code: str
    message: str
    detail: Any = None


class BoundedIn(Schema):
    """A request body whose every string is bounded (``str_max_length``; a field's own
    ``max_length`` is tighter where it has one): no free text arrives unbounded (issue 18)."""

    model_config = ConfigDict(str_max_length=4000)
