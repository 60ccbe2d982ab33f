"""A cheap Argon2 for the test suite: the same algorithm and hash format as production (so a
demo account's password still reads ``argon2$...``), with the smallest costs argon2 allows.
Production's costs (100 MB, eight lanes) made the demo accounts alone cost seconds per test
process."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8  # KiB: argon2's minimum for one lane
    parallelism = 1
