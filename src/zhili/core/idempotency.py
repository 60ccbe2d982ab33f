"""``Idempotency-Key`` for the intake endpoints (ZHILI_IDEMPOTENT_PATHS): a client that retries
after a lost answer gets the first answer again (the header ``Idempotent-Replayed: true``), not
a second matter; the same key with another body is refused (422 ``idempotency_key_reused``).
Only successful answers are remembered; a refusal (4xx) leaves the key free for a corrected retry.

The key row is written in the request's transaction, with the matter: either both are stored or
neither (a worker killed in between leaves nothing, and the retry runs afresh). Two requests
with one key at once: the second waits on the key's unique index until the first commits, then
replays its answer. Keys are per client (the credential that sent them) and kept
ZHILI_IDEMPOTENCY_DAYS days."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


@lru_cache(maxsize=4)
def _paths(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


def applies(request: HttpRequest) -> bool:
    if request.method != "POST" or "HTTP_IDEMPOTENCY_KEY" not in request.META:
        return False
    patterns = tuple(getattr(settings, "ZHILI_IDEMPOTENT_PATHS", ()))
    return any(p.match(request.path) for p in _paths(patterns))


def client_scope(request: HttpRequest) -> str:
    """Who sent the key: the bearer token, else the logged-in user, else the Open311 api_key."""
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        credential = "auth:" + auth
    elif getattr(request, "user", None) is not None and request.user.is_authenticated:
        credential = f"user:{request.user.pk}"
    else:
        api_key = request.POST.get("api_key") or request.GET.get("api_key") or ""
        credential = "open311:" + api_key
    return hashlib.sha256(credential.encode()).hexdigest()


def request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    try:
        digest.update(request.body)
    except RawPostDataException:  # a multipart form already parsed: its fields and files
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps([name, values], ensure_ascii=False).encode() + b"\0")
        for name, files in sorted(request.FILES.lists()):
            for f in files:
                digest.update(name.encode() + b"\0" + (f.name or "").encode() + b"\0")
                for chunk in f.chunks():
                    digest.update(chunk)
    return digest.hexdigest()


def run(
    request: HttpRequest,
    get_response: Callable[[HttpRequest], HttpResponse],
    refuse: Callable[[int, str, str], HttpResponse],
) -> HttpResponse:
    """The view once per (client, key); ``refuse(status, code, message)`` shapes errors."""
    from zhili.core.models import IdempotencyKey

    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if not KEY_PATTERN.match(key):
        return refuse(
            422, "invalid_idempotency_key", gettext("Idempotency-Key 须为 1–255 个可见 ASCII 字符")
        )
    scope, digest = client_scope(request), request_hash(request)
    window = timezone.now() - dt.timedelta(days=getattr(settings, "ZHILI_IDEMPOTENCY_DAYS", 7))
    with transaction.atomic():
        IdempotencyKey.objects.filter(scope=scope, key=key, created_at__lt=window).delete()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(scope=scope, key=key, request_hash=digest)
        except IntegrityError:
            row = None
        if row is None:
            first = IdempotencyKey.objects.filter(scope=scope, key=key).first()
            if first is None or first.status is None:
                return refuse(
                    409, "idempotency_in_progress", gettext("相同幂等键的请求正在处理，请稍后重试")
                )
            if first.request_hash != digest:
                return refuse(
                    422,
                    "idempotency_key_reused",
                    gettext("该幂等键已用于另一个请求，请换一个新的幂等键"),
                )
            return replay(first)
        response = get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            transaction.set_rollback(True)  # nothing of a failed request is kept, the key neither
            return response
        if response.status_code >= 400:
            # A refusal is not remembered: the client may fix the cause (a login, a throttle, a
            # field) and send the same key again.
            row.delete()
            return response
        row.status = response.status_code
        row.content_type = response.get("Content-Type", "")
        row.body = response.content.decode("utf-8", errors="replace")
        row.location = response.get("Location", "")[:500]
        row.save(update_fields=["status", "content_type", "body", "location"])
    return response


def replay(row: Any) -> HttpResponse:
    response = HttpResponse(row.body, status=row.status, content_type=row.content_type or None)
    if row.location:
        response["Location"] = row.location
    response["Idempotent-Replayed"] = "true"
    return response
