"""The in-app inbox: each person sees only their own notices, unread first, page by page; marking
read one or all; the navbar's unread count; notify's dedupe key and pluggable senders."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from zhili.core.models import Notice
from zhili.core.notify import notify
from zhili.testing.queries import assert_query_count

SENT: list[str] = []


def recording_sender(notice: Notice) -> None:
    """A pluggable sender (as an SMS gateway would be), configured by ZHILI_NOTIFY_SENDERS."""
    SENT.append(notice.title)


def failing_sender(notice: Notice) -> None:
    raise ConnectionError("短信网关不可用")


def send(user: Any, title: str, **kw: Any) -> Notice:
    [notice] = notify(recipients=[user], kind=kw.pop("kind", "supervise"), title=title, **kw)
    return notice


def test_the_inbox_lists_only_my_notices_unread_first(login: Any, users: Any) -> None:
    me, other = users["jiefangbei"], users["yuzhong"]
    old = send(me, "旧通知：已读")
    old.read_at = old.created_at
    old.save()
    send(me, "新通知：待签收超期", body="请立即办理", url="/matters/Q1/")
    send(other, "别人的通知")
    page = login("jiefangbei").get("/inbox/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "别人的通知" not in text
    assert text.index("新通知：待签收超期") < text.index("旧通知：已读")
    assert "1 条未读" in text


def test_pages_follow_the_cursor_through_unread_then_read(login: Any, users: Any) -> None:
    me = users["jiefangbei"]
    for i in range(25):
        send(me, f"未读 {i:02d}")
    for i in range(10):
        n = send(me, f"已读 {i:02d}")
        n.read_at = n.created_at
        n.save()
    client = login("jiefangbei")
    first = client.get("/inbox/").context["page"]
    assert [n.title for n in first.items][:2] == ["未读 24", "未读 23"]
    assert len(first.items) == 30 and first.items[25].title == "已读 09"
    second = client.get("/inbox/", {"cursor": first.next}).context["page"]
    assert [n.title for n in second.items] == [f"已读 {i:02d}" for i in range(4, -1, -1)]
    assert second.next is None
    assert client.get("/inbox/", {"cursor": "garbage"}).status_code == 422


def test_mark_one_read_and_another_users_notice_is_404(login: Any, users: Any) -> None:
    mine = send(users["jiefangbei"], "我的")
    theirs = send(users["yuzhong"], "他的")
    client = login("jiefangbei")
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(f"/inbox/{mine.pk}/read/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_htmx_mark_read_returns_the_row_and_the_new_badge(login: Any, users: Any) -> None:
    a = send(users["jiefangbei"], "第一条")
    send(users["jiefangbei"], "第二条")
    response = login("jiefangbei").post(f"/inbox/{a.pk}/read/", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200
    assert f'id="notice-{a.pk}"' in text and "标为已读" not in text
    assert 'hx-swap-oob="true"' in text and 'id="nav-inbox-count">1<' in text


def test_mark_all_read_and_the_navbar_count(login: Any, users: Any) -> None:
    for i in range(3):
        send(users["jiefangbei"], f"督办 {i}")
    client = login("jiefangbei")
    home = client.get("/").content.decode()
    assert 'id="nav-inbox-count">3<' in home
    assert client.post("/inbox/read-all/").status_code == 302
    assert not Notice.objects.filter(recipient=users["jiefangbei"], read_at__isnull=True).exists()
    assert 'id="nav-inbox-count"' not in client.get("/").content.decode()


def test_the_badge_caps_at_99(login: Any, users: Any) -> None:
    Notice.objects.bulk_create(
        Notice(recipient=users["jiefangbei"], kind="warn", title=f"临期 {i}") for i in range(120)
    )
    assert 'id="nav-inbox-count">99+<' in login("jiefangbei").get("/inbox/").content.decode()


def test_opening_a_notice_marks_it_read_and_follows_only_local_links(
    login: Any, users: Any
) -> None:
    local = send(users["jiefangbei"], "本站链接", url="/matters/Q20260601000001/")
    outside = send(users["jiefangbei"], "外部链接", url="https://evil.example/phish")
    client = login("jiefangbei")
    response = client.get(f"/inbox/{local.pk}/")
    assert response.status_code == 302 and response["Location"] == "/matters/Q20260601000001/"
    local.refresh_from_db()
    assert local.read_at is not None
    assert client.get(f"/inbox/{outside.pk}/")["Location"] == "/inbox/"


def test_the_inbox_needs_a_login(client: Any) -> None:
    assert client.get("/inbox/").status_code == 302


def test_notify_dedupes_and_hands_notices_to_the_senders_after_commit(
    users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    SENT.clear()
    people = [users["jiefangbei"], users["yuzhong"], users["jiefangbei"], None]
    with (
        override_settings(
            ZHILI_NOTIFY_SENDERS=[
                "zhili.core.tests.test_inbox.failing_sender",
                "zhili.core.tests.test_inbox.recording_sender",
            ]
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = notify(recipients=people, kind="warn", title="临期", dedupe_key="k1")
        again = notify(recipients=people, kind="warn", title="临期", dedupe_key="k1")
    assert len(first) == 2 and again == []
    assert SENT == ["临期", "临期"]  # a failing gateway does not stop the others
    assert Notice.objects.filter(dedupe_key="k1").count() == 2


def test_the_inbox_page_reads_a_fixed_number_of_queries(login: Any, users: Any) -> None:
    for i in range(40):
        send(users["jiefangbei"], f"督办 {i}", url=f"/matters/Q{i}/")
    client = login("jiefangbei")
    client.get("/inbox/")  # warm the session
    with assert_query_count("page: /inbox/ with 40 notices as jiefangbei"):
        assert client.get("/inbox/").status_code == 200
