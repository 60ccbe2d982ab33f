"""A matter's status label comes from a table built once (core.fields.ChoiceLabels), and says
what Django's own get_FOO_display says, in the language of the moment."""

from __future__ import annotations

from django.db import models
from django.utils import translation

from zhili.matters.models import Matter, Status, Triage


def test_the_labels_are_djangos_in_each_language() -> None:
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value in [*Status.values, "no-such-status"]:
                m = Matter(status=value)
                field = Matter._meta.get_field("status")
                assert m.get_status_display() == models.Model._get_FIELD_display(m, field)
            assert Matter(triage=Triage.values[0]).get_triage_display() == str(Triage.labels[0])
    with translation.override("en"):
        assert Matter(status=Status.DISPATCHED).get_status_display() == "To sign for"


def test_a_list_of_matters_translates_one_label_per_row() -> None:
    from unittest import mock

    rows = [Matter(status=Status.DISPATCHED) for _ in range(50)]
    [m.get_status_display() for m in rows]  # the table is built
    real = translation._trans.gettext  # type: ignore[attr-defined]
    with mock.patch.object(translation._trans, "gettext", wraps=real) as spy:
        labels = [m.get_status_display() for m in rows]
    assert len(set(labels)) == 1 and spy.call_count <= 50  # Django's way: 12 or more a row
