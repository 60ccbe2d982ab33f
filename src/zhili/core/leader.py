"""One scheduler among many workers, elected by the queue's own store.

Every ``zhili worker`` runs the scheduler thread, but only the holder of a short lease enqueues
the periodic tasks; the others keep trying, so when the holder stops (or its machine dies) another
worker takes over within one lease period. The lease lives where the queue lives: in Redis when
REDIS_URL is set (``SET NX PX``, renewed only by its holder), otherwise in the database
(``core.SchedulerLease``, taken by a conditional UPDATE). Nothing is set by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone


def lease_seconds() -> float:
    """How long a lease lasts unless renewed (ZHILI_SCHEDULER_LEASE_SECONDS, default 30): the
    longest the periodic tasks wait for a new scheduler after the old one died."""
    return float(getattr(settings, "ZHILI_SCHEDULER_LEASE_SECONDS", 30.0))


# Renew or delete the key only if this worker still holds it (one atomic step in Redis).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class Lease(Protocol):
    holder: str

    def hold(self) -> bool:
        """Take the lease if it is free or expired, renew it if held by us: are we the leader?"""
        ...

    def release(self) -> None:
        """Give the lease up (a clean stop), so another worker takes over at once."""
        ...


class DatabaseLease:
    def __init__(self, name: str, holder: str, seconds: float | None = None) -> None:
        self.name, self.holder = name, holder
        self.seconds = seconds or lease_seconds()

    def hold(self) -> bool:
        from zhili.core.models import SchedulerLease

        now = timezone.now()
        until = now + dt.timedelta(seconds=self.seconds)
        taken = (
            SchedulerLease.objects.filter(name=self.name)
            .filter(Q(holder=self.holder) | Q(expires_at__lt=now))
            .update(holder=self.holder, expires_at=until)
        )
        if taken:
            return True
        if SchedulerLease.objects.filter(name=self.name).exists():
            return False
        try:
            with transaction.atomic():
                SchedulerLease.objects.create(name=self.name, holder=self.holder, expires_at=until)
        except IntegrityError:  # another worker created it first
            return False
        return True

    def release(self) -> None:
        from zhili.core.models import SchedulerLease

        SchedulerLease.objects.filter(name=self.name, holder=self.holder).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )


class RedisLease:
    def __init__(self, name: str, holder: str, url: str, seconds: float | None = None) -> None:
        import redis

        self.key = f"zhili:lease:{name}"
        self.holder = holder
        self.seconds = seconds or lease_seconds()
        self.client = redis.Redis.from_url(url)

    def hold(self) -> bool:
        ms = int(self.seconds * 1000)
        if self.client.set(self.key, self.holder, nx=True, px=ms):
            return True
        return bool(self.client.eval(_RENEW, 1, self.key, self.holder, ms))

    def release(self) -> None:
        self.client.eval(_RELEASE, 1, self.key, self.holder)


def scheduler_lease(holder: str, seconds: float | None = None) -> Lease:
    """The lease of the periodic-task scheduler, in the store the task queue uses."""
    url = getattr(settings, "REDIS_URL", "")
    if url:
        return RedisLease("scheduler", holder, url, seconds)
    return DatabaseLease("scheduler", holder, seconds)
