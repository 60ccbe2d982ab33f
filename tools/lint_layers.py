#!/usr/bin/env python3
"""Layer rules from ARCHITECTURE.md that ruff cannot check.

1. Views and API modules never touch ``Model.objects``: reads go through scoped selectors,
   writes through services.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "zhili"
THIN = ("views.py", "api.py")
RULE = re.compile(r"\.objects\.")


def main() -> int:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name not in THIN:
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if RULE.search(line) and "# lint: allow-objects" not in line:
                problems.append(
                    f"{path.relative_to(ROOT.parent.parent)}:{no}: .objects. in a view/API module; use a selector"
                )
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
