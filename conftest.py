"""Shared test fixtures: a test database holding the real Chongqing tree and the demo data.

The tree (12,340 areas, the 2025 change, demo boundaries) and the demo accounts are loaded once
per test session (once per worker under pytest-xdist: each worker has its own test database);
each test runs in a transaction that is rolled back. Files the tests write (attachments,
evidence, trained models) go to a folder of the session's own, never to the project's var/;
passwords are hashed with a cheap Argon2.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

os.environ.setdefault("ZHILI_TESTING", "1")


def pytest_configure(config: pytest.Config) -> None:
    """The English catalogues compiled (only the stale ones) before any test reads them, so
    ``pytest`` run directly sees the same translations as ``make test``."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent / "tools" / "compile_messages.py"
    spec = importlib.util.spec_from_file_location("compile_messages", path)
    if spec is None or spec.loader is None:  # pragma: no cover - the file is in the repository
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.compile_stale()


# Under pytest-xdist the tests of one group run on one worker, one after the other, in order:
# the browser tests share one `zhili serve` and one chromium; the access matrix makes its
# objects once. (xdist's own --dist loadgroup does not group with pytest 9: it renames
# ``item._nodeid``, which pytest 9 no longer reads.) Every other test is scheduled alone.
XDIST_GROUPS = {
    "tests/browser/": "browser",
    "src/zhili/core/tests/test_access_matrix.py": "access_matrix",
    "src/zhili/core/tests/test_english.py": "english",
}


def xdist_scope(nodeid: str) -> str:
    """The group of a test, by where it lives; a test of no group is its own."""
    for prefix, group in XDIST_GROUPS.items():
        if nodeid.startswith(prefix):
            return group
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") not in ("load", "loadgroup"):
        return None  # another mode asked for by name (each, loadfile, worksteal ...)
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        # The largest groups are handed out first (loadscopereorder), the rest one by one.
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return GroupScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """MEDIA_ROOT and VAR_DIR in a temporary folder of this session (of this xdist worker);
    passwords hashed with a cheap Argon2 (``zhili.testing.hashers``)."""
    from django.test import override_settings

    var = tmp_path_factory.mktemp("var")
    hashers = ["zhili.testing.hashers.FastArgon2PasswordHasher"]
    with override_settings(VAR_DIR=var, MEDIA_ROOT=var / "media", PASSWORD_HASHERS=hashers):
        yield var


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_db_setup: Any,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    _test_settings: Any,
) -> Any:
    """The test database with the tree and the demo accounts. pytest-django creates a test
    database only for the aliases that the session's ``django_db`` tests name; a test that uses
    the database without the mark (one that copies it for a subprocess: ``database_copy``), run
    alone, would find none, so "default" is then created here, with pytest-django's
    ``--reuse-db``/``--create-db`` as it would have."""
    from django.test import override_settings
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from zhili.areas.geo import boundaries_load_demo
    from zhili.areas.loader import base_tree_load, bundled_changes_apply
    from zhili.core.system import system_user
    from zhili.demo.loader import demo_load

    aliases, _serialized = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        own = None
        if "default" not in aliases:
            keep = django_db_keepdb and not django_db_createdb
            own = setup_databases(
                verbosity=0,
                interactive=False,
                aliases={"default"},
                serialized_aliases=set(),
                keepdb=keep,
            )
        actor = system_user()
        base_tree_load(actor=actor)
        bundled_changes_apply(actor=actor)
        boundaries_load_demo(actor=actor)
        with override_settings(DEBUG=True):
            demo_load(say=lambda _msg: None)
    yield
    if own is not None and not (django_db_keepdb and not django_db_createdb):
        with django_db_blocker.unblock():
            teardown_databases(own, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Any:
    """Business parameters (core.tunables) and the intake's lookups (core.lookups) are cached
    per process: a value a rolled-back test wrote must not outlive it."""
    from zhili.core import lookups, tunables

    tunables.forget()
    lookups.forget_all()
    yield
    tunables.forget()
    lookups.forget_all()


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    from zhili.org.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def area(db: Any) -> Callable[[str], Any]:
    from zhili.areas.models import Area

    def get(code: str) -> Any:
        return Area.objects.get(code=code)

    return get


@pytest.fixture
def bearer(db: Any) -> Callable[[str], dict[str, str]]:
    """Authorization headers for a demo user, by username."""
    from zhili.org.models import User
    from zhili.org.services import token_create

    def make(username: str) -> dict[str, str]:
        _, raw = token_create(actor=None, user=User.objects.get(username=username))
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def login(client: Any, users: dict[str, Any]) -> Callable[[str], Any]:
    """A test client logged in as a demo user."""

    def as_user(username: str) -> Any:
        client.force_login(users[username])
        return client

    return as_user
