from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class PathField(models.CharField):
    """A materialised tree path such as ``500000/500103/500103001/``.

    Subtree queries are byte-order range scans (see ``core.scoping.path_prefix_q``), so the column
    needs a byte-order collation: SQLite's default BINARY already is; on PostgreSQL we ask for "C".
    """

    def __init__(self, *args: Any, follows_area: bool = True, **kwargs: Any) -> None:
        # follows_area: when an area moves in a division change, rewrite this path too.
        self.follows_area = follows_area
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if not self.follows_area:
            kwargs["follows_area"] = False
        return name, path, args, kwargs

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class SealedCharField(models.CharField):
    """A personal identifier encrypted at rest (``core.privacy_crypto``): the column holds the
    sealed text, Python sees the plain value, equality lookups work (deterministic sealing).
    ``max_length`` is the plain value's bound (forms, validation); the column is wider."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str:
        from zhili.core.privacy_crypto import SEALED_MAX_LENGTH

        return str(models.CharField(max_length=SEALED_MAX_LENGTH).db_type(connection))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        from zhili.core.privacy_crypto import unseal

        return unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        from zhili.core.privacy_crypto import seal

        value = super().get_prep_value(value)
        return seal(value) if isinstance(value, str) else value


class ChoiceLabels:
    """A model mixin: ``get_<field>_display()`` from a table of the field's choices built once.

    Django rebuilds ``dict(make_hashable(field.flatchoices))`` on every call, hashing each
    (value, label) pair, and hashing a lazy label translates it: a matter's status display cost 12
    ``gettext`` calls, a list of 50 matters about 650 and a fifth of the API request. Here only the
    values are hashed, once per field; the label is still translated at the call, in the language
    of the moment. Fields whose choices are computed (a callable) keep Django's way."""

    def _get_FIELD_display(self, field: models.Field) -> Any:
        if not isinstance(field.choices, list | tuple):
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return choice_label(field, getattr(self, field.attname))


def choice_label(field: models.Field, value: Any) -> Any:
    """The label of ``value`` among ``field``'s fixed choices, in the language of the moment (the
    value itself when it is not one of them): ``get_<field>_display()`` for a value read without
    its model, e.g. a list's ``values()`` rows."""
    labels = _LABELS.get(field)
    if labels is None:
        labels = _LABELS[field] = {make_hashable(v): label for v, label in field.flatchoices}
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


_LABELS: dict[models.Field, dict[Any, Any]] = {}
