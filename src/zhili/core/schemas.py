from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    detail: Any = None
