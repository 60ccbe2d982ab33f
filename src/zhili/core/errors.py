"""Domain errors. Every failure a user can cause is a ZhiliError with a code and a Chinese message."""

from typing import Any


class ZhiliError(Exception):
    """A domain failure: the API answers `status` with {"code", "message", "detail"}."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationFailed(ZhiliError):
    status = 422
    code = "invalid"


class NotFound(ZhiliError):
    status = 404
    code = "not_found"


class PermissionDenied(ZhiliError):
    status = 403
    code = "forbidden"


class Conflict(ZhiliError):
    status = 409
    code = "conflict"


class Throttled(ZhiliError):
    status = 429
    code = "throttled"
