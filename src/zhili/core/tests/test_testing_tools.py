"""The test tools themselves (``zhili.testing``): pinned query counts and snapshot files fail
when they should, and rewrite only under ``ZHILI_UPDATE_SNAPSHOTS=1``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from zhili.areas.models import Area
from zhili.testing import snapshots
from zhili.testing.queries import _counted, assert_query_count, counts_file

pytestmark = pytest.mark.django_db


def _two_queries() -> None:
    Area.objects.filter(code="500103").exists()
    Area.objects.filter(code="500101").exists()


def test_counts_file_is_the_calling_apps() -> None:
    here = Path(__file__).parent / "query_counts.json"
    assert counts_file("zhili.core.tests.test_testing_tools") == here
    assert counts_file("matters").parts[-3:] == ("matters", "tests", "query_counts.json")


def test_an_exact_count_passes_and_any_other_fails(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv(snapshots.SWITCH, raising=False)
    pins = tmp_path / "query_counts.json"
    pins.write_text(json.dumps({"two": 2, "three": 3}))
    with _counted("two", pins, "default"):
        _two_queries()
    with pytest.raises(AssertionError) as exc, _counted("three", pins, "default"):
        _two_queries()
    assert "2 次查询，登记为 3" in str(exc.value) and "areas_area" in str(exc.value)
    with pytest.raises(AssertionError, match="未登记"), _counted("four", pins, "default"):
        _two_queries()
    assert json.loads(pins.read_text()) == {"two": 2, "three": 3}  # nothing rewritten


def test_the_switch_rewrites_the_counts(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv(snapshots.SWITCH, "1")
    pins = tmp_path / "query_counts.json"
    pins.write_text(json.dumps({"three": 3, "per-db": {"other": 9, connection.vendor: 1}}))
    for name in ("three", "new", "per-db"):
        with _counted(name, pins, "default"):
            _two_queries()
    assert json.loads(pins.read_text()) == {
        "three": 2,
        "new": 2,
        "per-db": {"other": 9, connection.vendor: 2},
    }
    monkeypatch.delenv(snapshots.SWITCH)
    with _counted("per-db", pins, "default"):
        _two_queries()


def test_the_helper_reads_its_callers_app(monkeypatch: Any) -> None:
    monkeypatch.delenv(snapshots.SWITCH, raising=False)
    with pytest.raises(AssertionError) as exc, assert_query_count("no such pin"):
        pass
    assert str(Path("core") / "tests" / "query_counts.json") in str(exc.value)


def test_snapshot_files_have_one_key_per_line(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    snapshots.update(path, lambda d: d.update({"b": {"x": 1, "y": 2}, "a": 1}))
    snapshots.update(path, lambda d: d.update({"c": [1]}))
    assert path.read_text() == '{\n  "a": 1,\n  "b": {"x": 1, "y": 2},\n  "c": [1]\n}\n'
    assert snapshots.read(path) == {"a": 1, "b": {"x": 1, "y": 2}, "c": [1]}
    assert snapshots.read(tmp_path / "none.json") == {}
