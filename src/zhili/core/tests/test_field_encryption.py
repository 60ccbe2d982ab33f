"""Personal identifiers encrypted at rest (issue 18): the column holds no plaintext, equality
lookups still find the rows, old rows are sealed by the data step, and rotation re-seals
everything under the new key."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from zhili.core import privacy_crypto
from zhili.core.management.commands.rotate_field_key import sealed_models
from zhili.matters.models import Matter
from zhili.testing.factories import make_matter
from zhili.wages.models import Worker

PHONE = "13912345678"


def raw(model: Any, field: str, pk: int) -> str:
    meta = model._meta
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(meta.get_field(field).column)} FROM {qn(meta.db_table)} "
            f"WHERE {qn(meta.pk.column)} = %s",
            [pk],
        )
        return str(cursor.fetchone()[0])


def test_every_identifier_field_is_sealed() -> None:
    found = {(m._meta.label, f) for m, fields in sealed_models() for f in fields}
    assert {
        ("matters.Matter", "reporter_phone"),
        ("disputes.Party", "id_number"),
        ("disputes.Party", "phone"),
        ("risks.RiskElement", "id_number"),
        ("risks.RiskElement", "phone"),
        ("wages.Worker", "id_number"),
        ("wages.Worker", "phone"),
        ("wages.Worker", "bank_account"),
        ("legal.Consultation", "phone"),
        ("deliberation.Contribution", "phone"),
        ("visits.Resident", "phone"),
    } <= found


def test_seal_round_trip_and_determinism() -> None:
    sealed = privacy_crypto.seal(PHONE)
    assert sealed and sealed.startswith("zf1$") and PHONE not in sealed
    assert privacy_crypto.seal(PHONE) == sealed  # one value, one text: searchable
    assert privacy_crypto.unseal(sealed) == PHONE
    assert privacy_crypto.seal("") == "" and privacy_crypto.unseal("") == ""
    assert privacy_crypto.unseal("plain") == "plain"  # not sealed yet (before the migration)
    assert len(privacy_crypto.seal("6" * 32) or "") <= privacy_crypto.SEALED_MAX_LENGTH


@pytest.mark.django_db
def test_the_column_holds_no_plaintext_and_lookups_by_phone_work() -> None:
    matter = make_matter(reporter_phone=PHONE)
    stored = raw(Matter, "reporter_phone", matter.pk)
    assert stored.startswith("zf1$")
    assert PHONE not in stored and PHONE[-4:] not in stored
    assert Matter.objects.get(pk=matter.pk).reporter_phone == PHONE
    assert list(Matter.objects.filter(reporter_phone=PHONE).values_list("pk", flat=True)) == [
        matter.pk
    ]
    assert Matter.objects.filter(reporter_phone__in=[PHONE, "1"]).count() == 1
    assert not Matter.objects.filter(pk=matter.pk, reporter_phone="13912345679").exists()


@pytest.mark.django_db
def test_a_worker_is_found_by_id_number_and_the_id_stays_unique() -> None:
    from django.db import IntegrityError, transaction

    worker = Worker.objects.create(
        id_number="500103199001011234", name="李四", bank_account="6222020200112233445"
    )
    for field, plain in (
        ("id_number", "500103199001011234"),
        ("bank_account", "6222020200112233445"),
    ):
        stored = raw(Worker, field, worker.pk)
        assert stored.startswith("zf1$") and plain not in stored
    assert Worker.objects.get(id_number="500103199001011234").pk == worker.pk
    assert dict(
        Worker.objects.filter(id_number__in=["500103199001011234"]).values_list("id_number", "pk")
    ) == {"500103199001011234": worker.pk}
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.create(id_number="500103199001011234", name="王五")


@pytest.mark.django_db
def test_rows_written_before_the_migration_are_sealed_by_it() -> None:
    matter = make_matter(reporter_phone=PHONE)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:  # as the row was before the data migration
        cursor.execute(
            f"UPDATE {qn(Matter._meta.db_table)} SET {qn('reporter_phone')} = %s WHERE id = %s",
            [PHONE, matter.pk],
        )
    assert Matter.objects.get(pk=matter.pk).reporter_phone == PHONE  # read as it is
    privacy_crypto.reseal_rows(Matter, ["reporter_phone"])
    assert raw(Matter, "reporter_phone", matter.pk).startswith("zf1$")
    assert Matter.objects.get(reporter_phone=PHONE).pk == matter.pk
    privacy_crypto.unseal_rows(Matter, ["reporter_phone"])  # the migration backwards
    assert raw(Matter, "reporter_phone", matter.pk) == PHONE


@pytest.mark.django_db
def test_rotation_re_seals_everything_under_the_new_key() -> None:
    matter = make_matter(reporter_phone=PHONE)
    worker = Worker.objects.create(id_number="500103199001015678", name="李四", phone="13700001111")
    old_id = privacy_crypto.current_key_id()
    sealed_before = raw(Matter, "reporter_phone", matter.pk)
    # The new key alone cannot read what the old one sealed.
    with (
        override_settings(ZHILI_FIELD_KEY="new-key-2027", ZHILI_FIELD_KEYS_OLD=""),
        pytest.raises(privacy_crypto.UnknownKey),
    ):
        Matter.objects.get(pk=matter.pk)
    from django.conf import settings

    old_secret = settings.ZHILI_FIELD_KEY or f"secret-key:{settings.SECRET_KEY}"
    with override_settings(ZHILI_FIELD_KEY="new-key-2027", ZHILI_FIELD_KEYS_OLD=old_secret):
        new_id = privacy_crypto.current_key_id()
        assert new_id != old_id
        assert Matter.objects.get(pk=matter.pk).reporter_phone == PHONE  # old key still reads
        out = io.StringIO()
        call_command("rotate_field_key", stdout=out)
        assert "当前密钥" in out.getvalue()
        # Everything now under the new key: nothing left sealed under the old one.
        for model, fields in sealed_models():
            meta = model._meta
            qn = connection.ops.quote_name
            cols = ", ".join(qn(meta.get_field(f).column) for f in fields)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {cols} FROM {qn(meta.db_table)}")
                for row in cursor.fetchall():
                    for value in row:
                        if value:
                            assert privacy_crypto.sealed_key_id(value) == new_id, meta.label
        assert raw(Matter, "reporter_phone", matter.pk) != sealed_before
        again = io.StringIO()
        call_command("rotate_field_key", stdout=again)
        assert "共 0 个值" in again.getvalue()  # idempotent
    with override_settings(ZHILI_FIELD_KEY="new-key-2027", ZHILI_FIELD_KEYS_OLD=""):
        assert Matter.objects.get(reporter_phone=PHONE).pk == matter.pk  # old key dropped
        assert Worker.objects.get(pk=worker.pk).phone == "13700001111"
