"""Database helpers for tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint that is always rolled back (one example of a property test,
    one variant of a comparison), leaving the test's own data as it was."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
