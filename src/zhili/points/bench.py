"""Postings per second of the points ledger: through the API, through the service, and the same
entries written by plain SQL in the same run (the limit: one INSERT and two guarded UPDATEs per
transaction, no idempotency check, no lock order, no Python objects).

Scales: ``village`` (one village, 300 households) and ``city`` (every village and community of
the tree — 11,000+ in Chongqing — with ``households`` each). The API figure is measured in
process through Django's full stack (middleware, session auth, django-ninja, the service), one
request per posting, not over a socket.

Run: ``zhili points_bench --scale village`` (or ``make bench`` with ``--only points``).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

SCALES = {"village": (1, 300), "city": (None, 20)}  # (villages or all, households per village)


@dataclass
class Rig:
    budgets: list[int]  # one budget account per village
    homes: list[list[int]]  # household accounts per village
    villages: list[Any]


def rig_build(
    *, scale: str, households: int | None = None, say: Callable[[str], None] = print
) -> Rig:
    """Accounts of the measured villages (empty accounts are plain rows; the budgets are funded
    through the ledger)."""
    from zhili.areas.models import Area, Level
    from zhili.points import ledger
    from zhili.points.models import Account, AccountKind, TransferCode

    count, per = SCALES[scale]
    per = households or per
    qs = Area.objects.filter(level=Level.COMMUNITY, valid_to__isnull=True).order_by("path")
    villages = list(qs[:count] if count else qs)
    tag = uuid.uuid4().hex[:6]
    say(f"积分基准：{len(villages):,} 个村（社区），每村 {per} 户")
    rows = []
    for v in villages:
        rows.append(Account(kind=AccountKind.FUNDING, area=v, area_path=v.path, name=f"b{tag}f",
                            debit_limit=None))  # fmt: skip
        rows.append(Account(kind=AccountKind.BUDGET, area=v, area_path=v.path, name=f"b{tag}b"))
        rows += [
            Account(kind=AccountKind.HOUSEHOLD, area=v, area_path=v.path, name=f"b{tag}h{i}")
            for i in range(per)
        ]
    Account.objects.bulk_create(rows, batch_size=5000)
    ids = list(
        Account.objects.filter(name__startswith=f"b{tag}").order_by("pk").values_list("pk", "kind")
    )
    budgets, homes, funding = [], [], []
    step = per + 2
    for i in range(len(villages)):
        block = ids[i * step : (i + 1) * step]
        funding.append(block[0][0])
        budgets.append(block[1][0])
        homes.append([pk for pk, _k in block[2:]])
    # Funded through the ledger in linked batches of 500 (one transaction each): at city scale
    # one posting a village would take longer than the measure itself.
    moves = [
        ledger.Move(
            key=f"bench-{tag}-fund-{b}",
            code=TransferCode.ALLOCATE,
            debit_id=f,
            credit_id=b,
            amount=10**9,
        )
        for f, b in zip(funding, budgets, strict=True)
    ]
    for i in range(0, len(moves), 500):
        ledger.ledger_write(actor=None, moves=moves[i : i + 500])
    return Rig(budgets, homes, villages)


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else 0.0


def via_service(rig: Rig, n: int, rnd: random.Random) -> float:
    from zhili.points import ledger
    from zhili.points.models import TransferCode

    tag = uuid.uuid4().hex[:8]
    t0 = time.perf_counter()
    for i in range(n):
        v = rnd.randrange(len(rig.budgets))
        ledger.transfer_create(
            actor=None,
            key=f"svc-{tag}-{i}",
            debit=rig.budgets[v],
            credit=rnd.choice(rig.homes[v]),
            amount=rnd.randint(1, 20),
            code=TransferCode.ISSUE,
        )
    return _rate(n, time.perf_counter() - t0)


def via_sql(rig: Rig, n: int, rnd: random.Random) -> float:
    """The same entries by hand: INSERT the transfer, UPDATE both sums (the debit guarded by its
    limit in the WHERE clause), one transaction each."""
    from zhili.points.models import Account, Transfer

    t, a = Transfer._meta.db_table, Account._meta.db_table
    insert = (
        f"INSERT INTO {t} (key, fingerprint, kind, code, debit_id, credit_id, amount, batch, "
        "area_path, memo, created_at) VALUES (%s, '-', 'single', 'issue', %s, %s, %s, '', %s, '', %s)"
    )
    debit = (
        f"UPDATE {a} SET debits_posted = debits_posted + %s WHERE id = %s AND "
        "(debit_limit IS NULL OR debits_posted + debits_pending + %s <= credits_posted + debit_limit)"
    )
    credit = f"UPDATE {a} SET credits_posted = credits_posted + %s WHERE id = %s"
    paths = {b: v.path for b, v in zip(rig.budgets, rig.villages, strict=True)}
    tag = uuid.uuid4().hex[:8]
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for i in range(n):
            v = rnd.randrange(len(rig.budgets))
            b, h, amount = rig.budgets[v], rnd.choice(rig.homes[v]), rnd.randint(1, 20)
            with transaction.atomic():
                cur.execute(debit, [amount, b, amount])
                if cur.rowcount != 1:
                    raise RuntimeError("budget exhausted")
                cur.execute(credit, [amount, h])
                cur.execute(insert, [f"sql-{tag}-{i}", b, h, amount, paths[b], timezone.now()])
    return _rate(n, time.perf_counter() - t0)


def via_api(rig: Rig, n: int, rnd: random.Random) -> float:
    """POST /api/v1/points/budgets (a funding → budget posting) as the system account, with a
    bearer token as an API client sends (a session of an account that needs the second factor
    is no API login; the token is revoked after)."""
    from django.conf import settings

    from zhili.core.system import system_user
    from zhili.org.services import token_create, token_revoke

    hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h] or ["localhost"]
    user = system_user()
    token, raw = token_create(actor=None, user=user, name="bench points")
    client = Client(HTTP_HOST=hosts[0].lstrip("."), HTTP_AUTHORIZATION=f"Bearer {raw}")
    tag = uuid.uuid4().hex[:8]
    try:
        t0 = time.perf_counter()
        for i in range(n):
            v = rig.villages[rnd.randrange(len(rig.villages))]
            body = {"village": v.code, "funding_source": "基准", "amount": rnd.randint(1, 20),
                    "key": f"api-{tag}-{i}"}  # fmt: skip
            r = client.post(
                "/api/v1/points/budgets", json.dumps(body), content_type="application/json"
            )
            if r.status_code != 201:
                raise RuntimeError(f"API answered {r.status_code}: {r.content[:200]!r}")
        return _rate(n, time.perf_counter() - t0)
    finally:
        token_revoke(actor=user, token=token)


def measure(*, scale: str, n: int = 500, households: int | None = None,
            say: Callable[[str], None] = print) -> dict[str, float]:  # fmt: skip
    """The three rates, postings per second, in one run on the current database."""
    rnd = random.Random(1)
    rig = rig_build(scale=scale, households=households, say=say)
    out = {
        "api": via_api(rig, n, rnd),
        "service": via_service(rig, n, rnd),
        "sql": via_sql(rig, n, rnd),
    }
    from zhili.points.ledger import differences

    out["differences"] = float(len(differences()))
    say(
        f"积分记账（{scale}，{connection.vendor}，每项 {n} 笔）：API {out['api']}/s，"
        f"服务 {out['service']}/s，纯 SQL {out['sql']}/s；对账差异 {int(out['differences'])}"
    )
    return out


def figures(ctx: Any, *, scale: str, n: int) -> list[Any]:
    """The measure as lines of ``make bench``'s table."""
    from zhili.bench.figures import Figure

    r = measure(scale=scale, n=n, say=ctx.say)
    return [
        Figure("points", f"{scale}: postings via API", r["api"], "postings/s", better="higher",
               limit=r["sql"], limit_name="plain SQL"),
        Figure("points", f"{scale}: postings via service", r["service"], "postings/s",
               better="higher", limit=r["sql"], limit_name="plain SQL"),
        Figure("points", f"{scale}: postings via plain SQL", r["sql"], "postings/s",
               better="higher"),
    ]  # fmt: skip
