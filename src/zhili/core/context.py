"""Request-scoped facts (request id, client address) for the audit trail, set by middleware, and
a memo for answers that hold for the length of one request."""

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    memo: dict[Any, Any] | None = None  # a fresh dict per request; None outside one


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("zhili_request_context")
_EMPTY = RequestContext()


def current() -> RequestContext:
    return _current.get(_EMPTY)


def request_memo() -> dict[Any, Any] | None:
    """A dict that lives as long as the current request (None outside a request: a task, a
    command or a test calling services directly gets no memo and asks every time)."""
    return _current.get(_EMPTY).memo


def set_current(ctx: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(ctx)


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
