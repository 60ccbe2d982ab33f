"""The `zhili` console script: Django's management commands with Zhili's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhili", *sys.argv[1:]])


if __name__ == "__main__":
    main()
