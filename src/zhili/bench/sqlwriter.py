"""The intake's limit: the rows one API intake writes, by hand-written SQL, one transaction per
matter, from as many threads as the API has clients, each with its own connection."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from zhili.bench.load import OK, Record, Window, connect
from zhili.bench.samples import CHANNEL, Sample


class SqlWriter:
    """Writes the rows ``services.matter_create`` writes for a staff member's hotline matter, by
    plain SQL on a DB-API cursor (sqlite3 or psycopg) inside the caller's transaction.

    Deadlines are the caller's (``dispatch_due``): working-day limits need the calendar, which is
    read once per run, not per matter."""

    def __init__(self, vendor: str, *, actor_id: int, actor_name: str) -> None:
        from zhili.core.models import AuditEvent
        from zhili.matters.models import (
            ROLLUP_COUNTERS,
            Matter,
            MatterAreaAll,
            MatterAreaDay,
            MatterCounter,
            MatterEvent,
            MatterRollupState,
        )

        self.vendor, self.actor_id, self.actor_name = vendor, actor_id, actor_name
        self.ph = "?" if vendor == "sqlite" else "%s"
        self.counters = ROLLUP_COUNTERS
        self.t = {
            m.__name__: m._meta.db_table
            for m in (
                Matter,
                MatterCounter,
                MatterEvent,
                MatterRollupState,
                MatterAreaDay,
                MatterAreaAll,
            )
        }
        self.t["AuditEvent"] = AuditEvent._meta.db_table

    def _v(self, value: Any) -> Any:
        """A Python value as this driver stores it the way Django does."""
        if self.vendor == "sqlite":
            if isinstance(value, dt.datetime):
                return str(value.astimezone(dt.UTC).replace(tzinfo=None))
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return json.dumps(value)
            return value
        if isinstance(value, dict):
            from psycopg.types.json import Jsonb

            return Jsonb(value)
        return value

    def _insert_sql(self, table: str, row: dict[str, Any]) -> tuple[str, list[Any]]:
        cols = ", ".join(row)
        marks = ", ".join([self.ph] * len(row))
        return f"INSERT INTO {table} ({cols}) VALUES ({marks})", [self._v(v) for v in row.values()]

    def _insert(self, cur: Any, table: str, row: dict[str, Any], returning: str = "") -> Any:
        sql, params = self._insert_sql(table, row)
        cur.execute(sql + (f" RETURNING {returning}" if returning else ""), params)
        return cur.fetchone()[0] if returning else None

    def _run(self, cur: Any, statements: list[tuple[str, list[Any]]]) -> None:
        """As the rollups write (matters.rollups.Writes): on PostgreSQL one statement, each
        write a data-modifying WITH of it; elsewhere one after the other."""
        if self.vendor == "postgresql" and len(statements) > 1:
            from zhili.matters.rollups import one_statement

            cur.execute(*one_statement(statements))
            return
        for sql, params in statements:
            cur.execute(sql, params)

    def write(
        self,
        cur: Any,
        s: Sample,
        *,
        now: dt.datetime,
        dispatch_due: dt.datetime,
        request_id: str = "",
        ip: str | None = None,
    ) -> int:
        """Write one matter; returns its id."""
        from django.utils import timezone

        from zhili.matters.rollups import level_paths

        ph, t = self.ph, self.t
        day = timezone.localdate(now)
        # As the service does: the day's counter is drawn after the other writes but the audit
        # record (its row stays locked until commit), the matter inserted under a placeholder.
        placeholder = f"~{uuid.uuid4().hex[:19]}"
        title = s.description[:30]
        parts = [p for p in s.area_path.split("/") if p]
        matter = {
            "number": placeholder,
            "title": title,
            "description": s.description,
            "category_id": s.category_id,
            "channel": CHANNEL,
            "status": "submitted",
            "status_before_suspend": "",
            "handling_mode": s.handling_mode,
            "triage": "",
            "triage_reason": "",
            "area_id": s.area_id,
            "area_path": s.area_path,
            "district_code": parts[1] if len(parts) > 1 else parts[0],
            "address": "",
            "anonymous": False,
            "reporter_name": s.reporter_name,
            "reporter_phone": s.reporter_phone,
            "answers": s.answers,
            "suggested_unit_id": s.suggested_unit_id,
            "self_handled": False,
            "sampled": False,
            "spot_check": "",
            "created_by_id": self.actor_id,
            "created_at": now,
            "dispatch_due": dispatch_due,
            "due_at": dispatch_due,
            "overdue": dispatch_due < now,
            "warned_for": "",
            "extension_requested_days": 0,
            "extension_reason": "",
            "dispatch_count": 0,
            "rework_count": 0,
            "reopen_count": 0,
            "extension_count": 0,
            "escalation_level": 0,
            "version": 1,
        }
        matter_id = self._insert(cur, t["Matter"], matter, returning="id")
        event = {
            "matter_id": matter_id,
            "action": "submit",
            "from_status": "",
            "to_status": "submitted",
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "at": now,
            "note": "",
            "data": {"channel": CHANNEL},
        }
        self._insert(cur, t["MatterEvent"], event)
        repeated = self._repeats(cur, s, matter_id, now, title)
        state = {
            "matter_id": matter_id,
            "due_unit_id": 0,
            "due_closed": False,
            "due_closed_on_time": False,
            "due_suspended": False,
            "due_extended": False,
            "contact_unit_id": 0,
            "contact_on_time": False,
            "contact_suspended": False,
            "contacted": False,
            "repeated": repeated,
            "suspended_seconds": 0,
        }
        self._run(
            cur,
            [
                self._insert_sql(t["MatterRollupState"], state),
                *self._count_created(s, day, level_paths(s.area_path), repeated),
            ],
        )
        draw = (
            f"INSERT INTO {t['MatterCounter']} (day, last) VALUES ({ph}, 1) ON CONFLICT (day) "
            f"DO UPDATE SET last = {t['MatterCounter']}.last + 1 RETURNING last"
        )
        if self.vendor == "postgresql":  # one statement, as core.validation.number_in_sequence
            cur.execute(
                f"WITH c AS ({draw}) UPDATE {t['Matter']} SET number = %s || lpad(c.last::text, "
                f"6, '0') FROM c WHERE id = %s RETURNING number",
                [self._v(day), f"Q{day:%Y%m%d}", matter_id],
            )
            number = cur.fetchone()[0]
        else:
            cur.execute(draw, [self._v(day)])
            number = f"Q{day:%Y%m%d}{cur.fetchone()[0]:06d}"
            cur.execute(f"UPDATE {t['Matter']} SET number = ? WHERE id = ?", [number, matter_id])
        audit = {
            "at": now,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": "matter.create",
            "object_type": "matters.matter",
            "object_id": str(matter_id),
            "object_repr": f"{number} {title}"[:255],
            "area_path": s.area_path,
            "after": {"number": number, "category": s.category_code, "channel": CHANNEL},
            "note": "",
            "request_id": request_id,
            "ip": ip,
        }
        self._insert(cur, t["AuditEvent"], audit)
        return int(matter_id)

    def _repeats(self, cur: Any, s: Sample, matter_id: int, now: dt.datetime, title: str) -> bool:
        """Does the matter repeat a report recorded before it (``duplicates.repeat_of``): the
        earlier matters of its category at its place (its grid: the samples carry no address or
        point) within the window, by hand-written SQL, then the same test of their words."""
        from zhili.matters import duplicates
        from zhili.matters.models import Matter

        rules = duplicates.RepeatRules.now()
        ph, span = self.ph, rules.span
        street, place = duplicates.street_path(s.area_path), duplicates.place_path(s.area_path)
        if place.count("/") >= duplicates.GRID_CODES:
            where, args = f"area_path >= {ph} AND area_path < {ph}", [place, place[:-1] + "0"]
        else:
            where, args = f"area_path = {ph}", [place]
        cur.execute(
            f"SELECT id, area_path, address, lat, lng, created_at, title, description "
            f"FROM {self.t['Matter']} WHERE category_id = {ph} AND area_path >= {ph} "
            f"AND area_path < {ph} AND created_at >= {ph} AND created_at <= {ph} AND id < {ph} "
            f"AND {where}",
            [s.category_id, street, street[:-1] + "0", self._v(now - span), self._v(now + span),
             matter_id, *args],
        )  # fmt: skip
        me = Matter(
            pk=matter_id, category_id=s.category_id, area_path=s.area_path, address="",
            created_at=now, title=title, description=s.description,
        )  # fmt: skip
        words: dict[int, set[str]] = {}
        for pk, path, address, lat, lng, at, other_title, text in sorted(cur.fetchall())[::-1]:
            if isinstance(at, str):  # sqlite3: Django's UTC text (or naive, through Django's)
                at = dt.datetime.fromisoformat(at)
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
            other = Matter(
                pk=pk, category_id=s.category_id, area_path=path, address=address, lat=lat,
                lng=lng, created_at=at, title=other_title, description=text,
            )  # fmt: skip
            if duplicates.repeats(me, other, words, rules):
                return True
        return False

    def _count_created(
        self,
        s: Sample,
        day: dt.date,
        levels: Sequence[tuple[str, int]],
        repeated: bool = False,
    ) -> list[tuple[str, list[Any]]]:
        """created += 1 (and repeated, for a repeat) on the matter's day for each level of its
        area (one upsert, key order), by category and summed over categories: the statements."""
        table = self.t["MatterAreaDay"]
        cols = ["area_path", "day", "category_id", "triage", "handling_mode", "depth"]
        cols += self.counters
        one = "(" + ", ".join([self.ph] * len(cols)) + ")"
        params: list[Any] = []
        adds = {"created": 1, "repeated": int(repeated)}
        for path, depth in sorted(levels):  # a new matter: not triaged, the category's mode
            params += [path, self._v(day), s.category_id, "", s.handling_mode, depth]
            params += [adds.get(c, 0) for c in self.counters]
        by_category = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join([one] * len(levels))} "
            f"ON CONFLICT (area_path, day, category_id, triage, handling_mode) "
            f"DO UPDATE SET created = {table}.created + excluded.created, "
            f"repeated = {table}.repeated + excluded.repeated",
            params,
        )
        table = self.t["MatterAreaAll"]  # the same, summed over categories and dimensions
        cols = ["area_path", "day", "depth", *self.counters]
        one = "(" + ", ".join([self.ph] * len(cols)) + ")"
        params = []
        for path, depth in sorted(levels):
            params += [path, self._v(day), depth, *(adds.get(c, 0) for c in self.counters)]
        summed = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join([one] * len(levels))} "
            f"ON CONFLICT (area_path, day) "
            f"DO UPDATE SET created = {table}.created + excluded.created, "
            f"repeated = {table}.repeated + excluded.repeated",
            params,
        )
        return [by_category, summed]


def sql_load(
    database_url: str,
    writer: SqlWriter,
    samples: list[Sample],
    dues: dict[int, tuple[dt.datetime, dt.datetime]],
    *,
    clients: int,
    window: Window,
) -> tuple[list[Record], list[str]]:
    """``clients`` threads, each with its own connection, writing one matter per transaction."""
    records: list[Record] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(k: int) -> None:
        conn, begin = connect(database_url)
        mine: list[Record] = []
        i = k
        try:
            while time.monotonic() < window.start:
                time.sleep(0.001)
            while (t0 := time.monotonic()) < window.stop:
                s = samples[i % len(samples)]
                i += clients
                now = dt.datetime.now(dt.UTC)
                base, due = dues[s.category_id]
                if s.dispatch_limit[1] == "h":  # clock hours move with now; working days do not
                    due = due + (now - base)
                try:
                    cur = conn.cursor()
                    begin(cur)
                    writer.write(
                        cur,
                        s,
                        now=now,
                        dispatch_due=due,
                        request_id=uuid.uuid4().hex,
                        ip="127.0.0.1",
                    )
                    conn.commit()
                    outcome = OK
                except Exception as exc:  # counted and reported, never hidden
                    with contextlib.suppress(Exception):
                        conn.rollback()
                    outcome = type(exc).__name__
                    with lock:
                        if len(errors) < 5:
                            errors.append(f"{outcome}: {exc}")
                mine.append((t0, time.monotonic(), outcome))
        finally:
            conn.close()
            with lock:
                records.extend(mine)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return records, errors
