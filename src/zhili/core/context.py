"""Request-scoped facts (request id, client address) for the audit trail, set by middleware."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("zhili_request_context")
_EMPTY = RequestContext()


def current() -> RequestContext:
    return _current.get(_EMPTY)


def set_current(ctx: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(ctx)


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
