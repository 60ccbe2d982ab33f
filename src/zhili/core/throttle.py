"""Throttles. Login: too many failures for a username or from an address lock further tries;
failures are rows of one table (LoginFailure), so every worker process of every server sees the
same counts. Public forms (a resident's report, lookup, rating): ``throttled`` counts tries per
address in a fixed window of Django's cache (configure a shared cache when running several
processes). The address is the client's behind trusted proxies (``client_ip``)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from zhili.core.middleware import client_ip
from zhili.core.models import LoginFailure


def throttled(scope: str, request: Any, *, limit: int, window: int) -> bool:
    """Count one try for the client's address under ``scope``; True once it has used up
    ``limit`` tries in the ``window`` (seconds)."""
    key = f"zhili:throttle:{scope}:{client_ip(request) or '-'}"
    cache.add(key, 0, window)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        tries = 1
    return tries > limit


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.ZHILI_LOGIN_LOCK_SECONDS)


def login_key(username: str) -> str:
    """The name failures are counted on: NFKC-normalised as Django authenticates it (so the
    full-width ``ｘss_user`` is ``xss_user``), stripped and case-folded."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:150]


def login_locked(*, username: str, ip: str | None) -> bool:
    key = login_key(username)
    q = Q(username=key)
    if ip:
        q |= Q(ip=ip)
    recent = LoginFailure.objects.filter(q, at__gte=_window_start())
    limit = settings.ZHILI_LOGIN_MAX_FAILURES
    by_user = recent.filter(username=key).count()
    by_ip = recent.filter(ip=ip).count() if ip else 0
    # An address gets more room than a single account (several staff behind one NAT).
    return by_user >= limit or by_ip >= limit * 4


def login_failed(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=login_key(username), ip=ip)


def login_succeeded(*, username: str) -> None:
    LoginFailure.objects.filter(username=login_key(username)).delete()


def lock_minutes() -> int:
    return max(1, settings.ZHILI_LOGIN_LOCK_SECONDS // 60)
