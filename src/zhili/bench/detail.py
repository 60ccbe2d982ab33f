"""One matter's detail at city scale (issue 17): ``GET /api/v1/matters/{number}`` and the page
``/matters/<number>/`` as the district user, p50/p95 through the whole stack, beside the same rows
read by plain SQL in the same run (the matter with its category, place and lead unit, its events
with their actors, its units and attachments: what both show). The matters are a spread of the
district's, open and closed; the number of queries must not depend on the matter's history (its
events, units or attachments): the API's is one number for every matter, the page's one number
per status (a matter waiting for dispatch also shows the suggested unit and possible duplicates).
The figure reports the fewest and the most seen.

Beside them, the floor under any page: the lightest signed-in page (the inbox, ``/inbox/``) for
the same user in the same run — session, user, second factor, scope, menu and the base template,
with one short query of its own. The page's 10 ms target is read against it: what the frame
costs on the machine of the run, no detail page can go below."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure, Timer
from zhili.bench.reads import _host, _stats, api_as
from zhili.matters.models import Matter
from zhili.org.models import User

DETAIL_TARGET_MS = 10.0
FRAME_URL = "/inbox/"  # the lightest signed-in page: the floor under the detail page
SAMPLE = 100  # matters, spread over the district user's most recent 10,000

SQL = (
    (
        "SELECT m.*, c.name, a.name, u.name FROM matters_matter m "
        "JOIN matters_category c ON c.id = m.category_id "
        "LEFT JOIN areas_area a ON a.path = m.area_path "
        "LEFT JOIN org_unit u ON u.id = m.lead_unit_id WHERE m.number = %s"
    ),
    (
        "SELECT e.*, u.name FROM matters_matterevent e "
        "LEFT JOIN org_unit u ON u.id = e.unit_id WHERE e.matter_id = %s ORDER BY e.id"
    ),
    "SELECT * FROM matters_matterunit WHERE matter_id = %s",
    (
        "SELECT x.matterevent_id, a.* FROM matters_matterevent_attachments x "
        "JOIN matters_attachment a ON a.id = x.attachment_id "
        "JOIN matters_matterevent e ON e.id = x.matterevent_id WHERE e.matter_id = %s"
    ),
)


def plain_sql(number: str) -> int:
    """The rows of one matter's detail by plain SQL; returns how many rows were read."""
    ph = "?" if connection.vendor == "sqlite" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(SQL[0].replace("%s", ph), [number])
        row = cursor.fetchone()
        if row is None:
            return 0
        pk = row[0]
        n = 1
        for sql in SQL[1:]:
            cursor.execute(sql.replace("%s", ph), [pk])
            n += len(cursor.fetchall())
    return n


def sample(username: str) -> list[str]:
    user = User.objects.get(username=username)
    recent = Matter.objects.visible_to(user).order_by("-id").values_list("number", flat=True)
    numbers = list(recent[: SAMPLE * 100])
    step = max(1, len(numbers) // SAMPLE)
    return numbers[::step][:SAMPLE]


def by_status(numbers: list[str], queries: list[int]) -> dict[str, list[int]]:
    """{status: the distinct query counts seen for matters in it} (one each when constant)."""
    status = dict(Matter.objects.filter(number__in=numbers).values_list("number", "status"))
    out: dict[str, set[int]] = {}
    for n, q in zip(numbers, queries, strict=True):
        out.setdefault(status[n], set()).add(q)
    return {s: sorted(qs) for s, qs in sorted(out.items())}


def _timed(get: Any, urls: list[str], rounds: int) -> tuple[Timer, list[int]]:
    for url in urls[:3]:
        get(url)  # warm up
    t, queries = Timer(), []
    for _ in range(rounds):
        for url in urls:
            with t.time():
                get(url)
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            get(url)
        queries.append(len(q.captured_queries))
    return t, queries


def measure_detail(ctx: BenchContext, *, rounds: int = 3) -> list[Figure]:
    username = ctx.users["district"]
    numbers = sample(username)
    if not numbers:
        return []
    with api_as(username) as get:
        api_t, api_q = _timed(get, [f"/api/v1/matters/{n}" for n in numbers], rounds)
    client = Client(HTTP_HOST=_host())
    user = User.objects.get(username=username)
    client.force_login(user)
    # A session that has passed the second factor, as the officer's would (ZHILI_OTP_REQUIRED):
    # a confirmed authenticator for the run, removed after.
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    def page(url: str) -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} → {response.status_code}")
        return response

    try:
        page_t, page_q = _timed(page, [f"/matters/{n}/" for n in numbers], rounds)
        frame_t, _frame_q = _timed(page, [FRAME_URL] * len(numbers), rounds)
    finally:
        device.delete()
    sql_t = Timer()
    rows = []
    for _ in range(rounds):
        for n in numbers:
            with sql_t.time():
                rows.append(plain_sql(n))
    info = {
        "user": username,
        "matters": len(numbers),
        "rounds": rounds,
        "rows_per_matter": {"min": min(rows), "max": max(rows)},
        "api_ms": _stats(api_t),
        "page_ms": _stats(page_t),
        "frame_ms": _stats(frame_t),
        "sql_ms": _stats(sql_t),
        "api_queries": {"min": min(api_q), "max": max(api_q)},
        "page_queries": {"min": min(page_q), "max": max(page_q)},
        "page_queries_by_status": by_status(numbers, page_q),
    }
    name = "plain SQL of the same rows"

    def constant(q: list[int]) -> str:
        return f"queries {min(q)}–{max(q)}" + (" (constant)" if min(q) == max(q) else "")

    per_status = all(len(qs) == 1 for qs in by_status(numbers, page_q).values())

    return [
        Figure("detail", "one matter, API p50", api_t.p(50), "ms", limit=sql_t.p(50),
               limit_name=f"{name} p50", extra=info),
        Figure("detail", "one matter, API p95", api_t.p(95), "ms", limit=sql_t.p(95),
               limit_name=f"{name} p95", target=DETAIL_TARGET_MS, target_text="≤ 10 ms",
               note=constant(api_q)),
        Figure("detail", "one matter, page p50", page_t.p(50), "ms", limit=sql_t.p(50),
               limit_name=f"{name} p50"),
        Figure("detail", "one matter, page p95", page_t.p(95), "ms", limit=sql_t.p(95),
               limit_name=f"{name} p95", target=DETAIL_TARGET_MS, target_text="≤ 10 ms",
               note=constant(page_q) + ("; constant per status" if per_status else "")),
        Figure("detail", "signed-in page frame (the inbox), p95", frame_t.p(95), "ms",
               limit=sql_t.p(95), limit_name=f"{name} p95",
               note="the floor under the page: session, second factor, scope, menu, base template"),
    ]  # fmt: skip
