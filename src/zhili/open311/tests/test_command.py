"""``zhili open311 key create NAME [--area CODE]``: the key is the last line, only its SHA-256
is stored, it posts (within its area), and a revoked key no longer does."""

from __future__ import annotations

import hashlib
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhili.core.models import AuditEvent
from zhili.open311.models import Open311Key
from zhili.open311.tests.conftest import BASE, GRID, WANZHOU_STREET, assert_errors_json

pytestmark = pytest.mark.django_db
FORM = {
    "service_code": "streetlight",
    "phone": "13800138000",
    "description": "路灯不亮",
}


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("open311", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_key_create_prints_the_key_last_and_stores_only_its_hash(client: Any) -> None:
    lines = run("key", "create", "渝中区 App", "--area", "500103")
    raw = lines[-1]
    assert raw.startswith("o311_") and len(raw) > 40
    key = Open311Key.objects.get()
    assert key.name == "渝中区 App" and key.area is not None and key.area.code == "500103"
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {key.name, key.prefix, key.key_hash}
    assert AuditEvent.objects.filter(action="open311key.create", object_id=str(key.pk)).exists()

    ok = client.post(f"{BASE}/requests.json", {**FORM, "api_key": raw, "jurisdiction_id": GRID})
    assert ok.status_code == 201
    outside = {**FORM, "api_key": raw, "jurisdiction_id": WANZHOU_STREET}
    assert_errors_json(client.post(f"{BASE}/requests.json", outside), 403)


def test_key_list_and_revoke(client: Any) -> None:
    raw = run("key", "create", "全市 App")[-1]
    prefix = Open311Key.objects.get().prefix
    (listed,) = run("key", "list")
    assert listed.split("\t") == [prefix, "全市 App", "全市", "有效"]
    run("key", "revoke", prefix)
    assert run("key", "list")[0].endswith("已吊销")
    form = {**FORM, "api_key": raw, "jurisdiction_id": GRID}
    assert_errors_json(client.post(f"{BASE}/requests.json", form), 403)


def test_key_create_refuses_unknown_or_ended_areas() -> None:
    with pytest.raises(CommandError, match="不存在"):
        run("key", "create", "x", "--area", "999999")
    with pytest.raises(CommandError, match="已撤销"):
        run("key", "create", "x", "--area", "500105")  # 江北区, abolished in 2025
    with pytest.raises(CommandError):
        run("key", "revoke", "o311_nope")
    assert not Open311Key.objects.exists()
