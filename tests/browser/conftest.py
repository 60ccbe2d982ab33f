"""Browser tests: a real `zhili serve` (gunicorn) on its own database, driven by Debian's chromium.

pytest-django's live_server is not used: its flush would wipe the session-loaded tree and demo
data that the other tests share. Instead one server subprocess per session gets a database of its
own (a SQLite file, or a fresh PostgreSQL database when DATABASE_URL points at PostgreSQL), loaded
with the same commands an operator runs: migrate, load_areas, load_demo.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
# One field key for every process these tests start (the loaders, the server, workers run by a
# test): without it each derives its key from its own SECRET_KEY and cannot open the others'
# sealed phones and ID numbers (core.privacy_crypto).
os.environ.setdefault("ZHILI_FIELD_KEY", "zhili-browser-tests-field-key")

ZHILI = Path(sys.executable).parent / "zhili"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "zhili-demo-2026"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} 不存在：apt-get install -y chromium fonts-noto-cjk"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "未安装 Playwright 的 Python 包（pip install -e '.[dev]'）"
    return None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # Skip before any fixture runs, so no server is started for nothing. (Under pytest-xdist
    # these tests stay on one worker, which starts the one server: the root conftest.py.)
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


# The server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database only the browser tests' server uses; dropped (or deleted) at the end."""
    base = os.environ.get("DATABASE_URL", "")
    if not _is_postgres(base):
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'zhili.sqlite3'}"
        return
    import psycopg

    name = f"zhili_e2e_{secrets.token_hex(4)}"
    parts = urlsplit(base)
    # The server's database is made from the one DATABASE_URL names, or, when that one does not
    # exist yet (a new machine: the unit tests make only test_<name>), from "postgres", as
    # Django's own test runner falls back.
    admin_url = urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))
    try:
        psycopg.connect(admin_url, autocommit=True).close()
    except psycopg.OperationalError:
        admin_url = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a", encoding="utf-8") as out:
        done = subprocess.run(
            [str(ZHILI), *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode != 0:
        pytest.fail(f"zhili {' '.join(args)} 失败：\n{log.read_text(encoding='utf-8')[-3000:]}")


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120  # collectstatic and gunicorn's start on a busy machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"服务未能启动：\n{log.read_text(encoding='utf-8')[-3000:]}")


@pytest.fixture(scope="session")
def server(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running `zhili serve` loaded with the Chongqing tree and the demo data."""
    var = tmp_path_factory.mktemp("e2e-var")
    log = var / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in {"ZHILI_TESTING", "DEBUG"}}
    # The server runs the code under test (this checkout's src/), whatever tree the
    # environment's editable install points at (a shared .venv, a git worktree).
    path = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    env.update(
        {
            "PYTHONPATH": path,
            "DEBUG": "1",
            "ZHILI_VAR": str(var),
            "ZHILI_HOME": str(ROOT),
            "DATABASE_URL": e2e_database,
            "LOG_LEVEL": "WARNING",
        }
    )
    for args in (["migrate", "--noinput", "-v0"], ["load_areas"], ["load_demo"], ["demo_points"]):
        _run(args, env, log)
    # Serve as production does: DEBUG off, a real secret, gunicorn workers.
    port = _free_port()
    serve_env = {**env, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(48)}
    serve_env["WEB_CONCURRENCY"] = "2"
    # The demo accounts sign in with a password only, as in the demo (docs/reliability.md).
    serve_env["ZHILI_OTP_REQUIRED"] = "0"
    with log.open("a", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [str(ZHILI), "serve", "--port", str(port)],
            env=serve_env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        _stop(proc)
        shutil.rmtree(var / "static", ignore_errors=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (the serve command exec'd into it) and its workers: our own process group."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# The browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event
    loop running while it is open, and Django then refuses database calls ("async context") in
    every later test of the process — under pytest-xdist other tests follow on the same worker."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Console noise that is not a defect: the 404 page answers 404 on purpose.
EXPECTED_CONSOLE = re.compile(r"status of 404")


class Problems(list[str]):
    """Script errors, CSP violations and console errors seen by a page."""

    def allow(self, pattern: str) -> None:
        self[:] = [p for p in self if not re.search(pattern, p)]


def _new_page(browser: Any, server: str, viewport: dict[str, int], **extra: Any) -> Any:
    context = browser.new_context(
        base_url=server, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **extra
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = Problems()
    page.on("pageerror", lambda exc: problems.append(f"脚本错误：{exc}"))

    def on_console(msg: Any) -> None:
        if msg.type == "error" and not EXPECTED_CONSOLE.search(msg.text):
            problems.append(f"控制台错误：{msg.text}")

    page.on("console", on_console)
    page.problems = problems
    return page


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A desktop page (1280 wide); fails the test on script errors or CSP violations."""
    p = _new_page(browser, server, DESKTOP)
    yield p
    p.context.close()
    assert not p.problems, "\n".join(p.problems)


@pytest.fixture
def phone(browser: Any, server: str) -> Iterator[Any]:
    """A phone-sized touch page (375 × 812), as a grid worker holds it."""
    p = _new_page(browser, server, PHONE, is_mobile=True, has_touch=True)
    yield p
    p.context.close()
    assert not p.problems, "\n".join(p.problems)


def _sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


@pytest.fixture
def sign_in() -> Any:
    """Log a page in through the login form: ``sign_in(page, "jiefangbei")``."""
    return _sign_in


@pytest.fixture
def scroll_width() -> Any:
    """The page's full scrollable width; above the viewport means sideways scrolling."""
    return lambda page: int(page.evaluate("document.scrollingElement.scrollWidth"))
