"""`zhili demo_data` runs `make demo`'s steps in one process: every step is a command an operator
can run alone, the Makefile runs it, and it refuses without DEBUG before touching anything."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import override_settings

from zhili.demo.management.commands.demo_data import STEPS

ROOT = Path(__file__).resolve().parents[4]


def test_every_step_is_a_command_and_make_demo_runs_them() -> None:
    commands = get_commands()
    assert [s[0] for s in STEPS][:3] == ["migrate", "load_areas", "load_demo"]
    assert all(name in commands for name, *_ in STEPS)
    demo = ROOT.joinpath("Makefile").read_text(encoding="utf-8").split("\ndemo:", 1)[1]
    recipe = demo.split("\n\n", 1)[0]
    assert "zhili demo_data" in recipe and "zhili demo_serve" in recipe


@pytest.mark.django_db
def test_demo_data_refuses_without_debug() -> None:
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo_data", stdout=io.StringIO())
