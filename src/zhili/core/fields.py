from typing import Any

from django.db import models


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
