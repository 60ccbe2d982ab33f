"""Personal identifiers encrypted at rest (issue 18): ID numbers, phones, bank accounts.

A sealed value is ``zf1$<key id>$<base64url(AES-SIV(value))>``. AES-SIV (RFC 5297) is
deterministic: its synthetic IV is a keyed MAC (CMAC) of the value, so one value under one key
is always the same text. An equality lookup (``filter(reporter_phone=…)``, ``__in``, GROUP BY)
therefore finds the rows by that keyed hash without decrypting them, and the database holds no
plaintext; what it reveals is which rows share a value (as any searchable hash would).

Keys come from the environment: ``ZHILI_FIELD_KEY`` (any string, stretched to a 512-bit
AES-SIV key with HKDF) seals; ``ZHILI_FIELD_KEYS_OLD`` (comma-separated) still opens values
sealed under earlier keys until ``zhili rotate_field_key`` has re-sealed them. Without
``ZHILI_FIELD_KEY`` the key is derived from ``SECRET_KEY`` (fine for the demo and the tests;
``check --deploy`` warns).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "zf1$"
# The longest sealed text a column must hold: 16 bytes of SIV + the value, base64, plus the tag.
SEALED_MAX_LENGTH = 160


class UnknownKey(Exception):
    """A value sealed under a key that is neither the current one nor an old one."""


def _stretch(secret: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA512(), length=64, salt=b"zhili-field-key", info=b"aes-siv"
    ).derive(secret.encode())


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@lru_cache(maxsize=8)
def _keys(current: str, old: str, secret_key: str) -> tuple[tuple[str, bytes], dict[str, bytes]]:
    main = _stretch(current or f"secret-key:{secret_key}")
    ring = {_key_id(main): main}
    for text in old.split(","):
        if text.strip():
            k = _stretch(text.strip())
            ring.setdefault(_key_id(k), k)
    return (_key_id(main), main), ring


def keyring() -> tuple[tuple[str, bytes], dict[str, bytes]]:
    return _keys(
        getattr(settings, "ZHILI_FIELD_KEY", ""),
        getattr(settings, "ZHILI_FIELD_KEYS_OLD", ""),
        settings.SECRET_KEY,
    )


def current_key_id() -> str:
    return keyring()[0][0]


def is_sealed(value: str | None) -> bool:
    return bool(value) and str(value).startswith(PREFIX)


def sealed_key_id(value: str) -> str:
    return value.split("$", 2)[1] if is_sealed(value) else ""


def seal(value: str | None) -> str | None:
    """The sealed text of a value (empty and None stay as they are: "no phone" is not secret)."""
    if value is None or value == "" or is_sealed(value):
        return value
    (kid, key), _ = keyring()
    data = AESSIV(key).encrypt(str(value).encode(), None)
    return f"{PREFIX}{kid}${base64.urlsafe_b64encode(data).decode().rstrip('=')}"


def unseal(value: str | None) -> str | None:
    """The plain value (a value not sealed yet, from before the migration, is returned as is)."""
    if not is_sealed(value):
        return value
    assert value is not None
    _, kid, body = value.split("$", 2)
    key = keyring()[1].get(kid)
    if key is None:
        raise UnknownKey(f"字段密钥 {kid} 未配置（ZHILI_FIELD_KEY / ZHILI_FIELD_KEYS_OLD）")
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return AESSIV(key).decrypt(data, None).decode()


def reseal_rows(model: type, fields: list[str], batch: int = 500) -> int:
    """Re-seal every non-empty value of ``fields`` under the current key (plain values from
    before the migration, or values under an old key); returns the values written. Used by the
    data migrations (historical models) and ``zhili rotate_field_key``."""
    manager = model._base_manager  # type: ignore[attr-defined]
    current = current_key_id()
    written = 0
    last = 0
    while True:
        rows = list(manager.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:batch])
        if not rows:
            return written
        raw = _raw_values(model, fields, [r[0] for r in rows])
        for row in rows:
            pk, values = row[0], dict(zip(fields, row[1:], strict=True))
            stale = {f: v for f, v in values.items() if v and sealed_key_id(raw[pk][f]) != current}
            if stale:
                manager.filter(pk=pk).update(**stale)
                written += len(stale)
        last = rows[-1][0]


def _raw_values(model: type, fields: list[str], pks: list[int]) -> dict[int, dict[str, str]]:
    """The columns as stored (no decryption), by primary key."""
    from django.db import connection

    meta = model._meta  # type: ignore[attr-defined]
    columns = [meta.get_field(f).column for f in fields]
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {qn(meta.pk.column)}, {', '.join(qn(c) for c in columns)} "
        f"FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, pks)
        return {r[0]: dict(zip(fields, r[1:], strict=True)) for r in cursor.fetchall()}


def unseal_rows(model: type, fields: list[str]) -> None:
    """Write the plain values back (reversing the data migration)."""
    from django.db import connection

    meta = model._meta  # type: ignore[attr-defined]
    qn = connection.ops.quote_name
    pks = list(model._base_manager.values_list("pk", flat=True))  # type: ignore[attr-defined]
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        for pk, values in _raw_values(model, fields, chunk).items():
            for f, v in values.items():
                if is_sealed(v):
                    column = meta.get_field(f).column
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {qn(meta.db_table)} SET {qn(column)} = %s "
                            f"WHERE {qn(meta.pk.column)} = %s",
                            [unseal(v), pk],
                        )


def migration_operation(app_label: str, model_fields: dict[str, list[str]]) -> object:
    """The RunPython of an app's data migration: seal (forward) or unseal (backward) the
    listed fields of its models."""
    from django.db import migrations

    def forward(apps: object, schema_editor: object) -> None:
        for name, fields in model_fields.items():
            reseal_rows(apps.get_model(app_label, name), fields)  # type: ignore[attr-defined]

    def backward(apps: object, schema_editor: object) -> None:
        for name, fields in model_fields.items():
            unseal_rows(apps.get_model(app_label, name), fields)  # type: ignore[attr-defined]

    return migrations.RunPython(forward, backward, elidable=False)
