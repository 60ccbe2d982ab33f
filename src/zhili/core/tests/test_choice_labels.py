"""Choice labels come from a table built once (core.fields.ChoiceLabels) and say what Django's
own get_FOO_display says, in the language of the moment; every model of Zhili with fixed choices
takes the table."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.utils import translation

from zhili.core.fields import ChoiceLabels
from zhili.matters.models import Matter, Status, Triage


def _with_fixed_choices(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if isinstance(f.choices, list | tuple) and f.choices
    ]


def test_every_model_with_fixed_choices_takes_the_table() -> None:
    """A list of 50 rows of a model without it translates every label of the field per row."""
    missing = [
        f"{m._meta.label}: {', '.join(f.name for f in _with_fixed_choices(m))}"
        for m in apps.get_models()
        if m.__module__.startswith("zhili.")
        and _with_fixed_choices(m)
        and not issubclass(m, ChoiceLabels)
    ]
    assert not missing, "add core.fields.ChoiceLabels to: " + "; ".join(missing)


def test_the_labels_are_djangos_in_each_language() -> None:
    """Every model with the table, every choice field and value, in both languages."""
    users = [m for m in apps.get_models() if issubclass(m, ChoiceLabels)]
    assert {m.__name__ for m in users} >= {"Matter", "Risk", "Dispute", "Visit", "Project"}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for model in users:
                for field in model._meta.concrete_fields:
                    if not field.choices:
                        continue
                    for value in [*(v for v, _l in field.flatchoices), "no-such-value"]:
                        obj = model(**{field.attname: value})
                        shown = getattr(obj, f"get_{field.name}_display")()
                        django_way = models.Model._get_FIELD_display  # type: ignore[attr-defined]
                        assert shown == django_way(obj, field), (model, value)
            assert Matter(triage=Triage.values[0]).get_triage_display() == str(Triage.labels[0])
    with translation.override("en"):
        assert Matter(status=Status.DISPATCHED).get_status_display() == "To sign for"


def test_a_list_of_matters_translates_one_label_per_row() -> None:
    from unittest import mock

    rows = [Matter(status=Status.DISPATCHED) for _ in range(50)]
    [m.get_status_display() for m in rows]  # the table is built
    real = translation._trans.gettext  # type: ignore[attr-defined]
    with mock.patch.object(translation._trans, "gettext", wraps=real) as spy:  # type: ignore[attr-defined]
        labels = [m.get_status_display() for m in rows]
    assert len(set(labels)) == 1 and spy.call_count <= 50  # Django's way: 12 or more a row
