"""Per-process memos of rows that rarely change and that requests read over and over (the
catalogue, the area tree, the units and the routing rules, which every intake reads, and the
users' grants, which every signed-in request reads), so that a request does not ask the
database for them each time.

A memo belongs to a *family* of models. Any change to one of them — a save or delete (signals),
or a bulk write whose code calls ``changed(family)`` — empties this process's memo at once and,
when the transaction commits, bumps the family's generation number in Django's cache, which every
process shares (a directory of files on one machine, Redis on several: docs/deploy.md). Each
process compares its generation with the shared one at most once every ``CHECK_SECONDS`` and
forgets what it holds when they differ; every entry also expires after ``MAX_AGE_SECONDS``
whatever happens. So another process sees a change within a second, this one at once.

Values are handed out as shallow copies (a caller that sets an attribute on its row does not
change the memo's), and "not found" is never memoised. They are read from the primary database,
even inside a report that reads from a replica (``db_router.primary``), and a value read while
the memo was emptied (another thread's change) is handed out but not kept. A migration empties
every watched family (``post_migrate``: the default roles' permissions are synced by one, without
signals).
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save

from zhili.core import db_router

CHECK_SECONDS = 1.0
MAX_AGE_SECONDS = 60.0
_KEY = "zhili:lookups:{family}"


class Memo:
    def __init__(self, family: str) -> None:
        self.family = family
        self.entries: dict[Hashable, tuple[float, Any]] = {}
        self.generation: str | None = None
        self.checked = 0.0
        self.lock = threading.Lock()
        self.epoch = 0  # bumped whenever the entries are emptied

    def _fresh(self, now: float) -> None:
        if now - self.checked < CHECK_SECONDS:
            return
        self.checked = now
        shared = cache.get(_KEY.format(family=self.family))
        if shared != self.generation:
            self.entries.clear()
            self.epoch += 1
            self.generation = shared

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        return self.get_many([key], lambda _missing: {key: compute()}).get(key)

    def get_many(
        self,
        keys: Iterable[Hashable],
        compute: Callable[[list[Hashable]], Mapping[Hashable, Any]],
    ) -> dict[Hashable, Any]:
        """``get`` for several keys: those not held are computed together, by one call of
        ``compute(missing keys) -> {key: value}`` (one query for a breadcrumb, not one a level)."""
        now = time.monotonic()
        out: dict[Hashable, Any] = {}
        missing: list[Hashable] = []
        with self.lock:
            self._fresh(now)
            epoch = self.epoch
            for key in keys:
                found = self.entries.get(key)
                if found is not None and now - found[0] < MAX_AGE_SECONDS:
                    out[key] = found[1]
                else:
                    missing.append(key)
        if missing:
            with db_router.primary():
                computed = compute(missing)
            with self.lock:
                keep = self.epoch == epoch  # not emptied while reading: the value is current
                for key in missing:
                    value = computed.get(key)
                    if value is not None:
                        if keep:
                            self.entries[key] = (now, value)
                        out[key] = value
        return {key: copy.copy(value) for key, value in out.items()}

    def forget(self) -> None:
        with self.lock:
            self.entries.clear()
            self.epoch += 1
            self.checked = 0.0  # read the shared generation again on the next lookup


_memos: dict[str, Memo] = {}


def memo(family: str) -> Memo:
    found = _memos.get(family)
    if found is None:
        found = _memos.setdefault(family, Memo(family))
    return found


def changed(family: str) -> None:
    """Rows of ``family`` changed: forget them here now, and everywhere once the change commits."""
    memo(family).forget()

    def bump() -> None:
        cache.set(_KEY.format(family=family), uuid.uuid4().hex, timeout=None)
        memo(family).forget()

    transaction.on_commit(bump)


def forget_all() -> None:
    """Empty every memo of this process (the tests call it before each test)."""
    for m in list(_memos.values()):
        m.forget()


_watched: set[str] = set()


def _migrated(**_kw: Any) -> None:
    """A migration may write watched rows without signals (historical models): every watched
    family has changed."""
    for family in sorted(_watched):
        changed(family)


def watch(family: str, *models: type) -> None:
    """A save or delete of any of ``models`` is a change of ``family`` (called from AppConfig.ready)."""
    _watched.add(family)
    post_migrate.connect(_migrated, weak=False, dispatch_uid="zhili.lookups.migrated")

    def handler(**_kw: Any) -> None:
        changed(family)

    for model in models:
        uid = f"zhili.lookups.{family}.{model.__module__}.{model.__name__}"
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid + ".delete")
