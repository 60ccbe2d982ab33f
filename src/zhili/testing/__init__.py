"""Test support shared by every app's tests: factories driven by the services, pinned query
counts, and the snapshot files both keep (rewritten under ``ZHILI_UPDATE_SNAPSHOTS=1``).

Nothing here runs in production; it lives in the package so that tests of every app (and the
browser and bench tests) import one copy.
"""
