"""The command line after the move into the app layer: every command is there and answers --help."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from app.cli.main import build_parser

#: Every command of the README, as the command line had them before the app layer existed.
COMMANDS = {
    "config": ["check"],
    "site": ["generate", "dismiss"],
    "broker": [],
    "topics": ["create", "list"],
    "db": ["upgrade", "sync-site"],
    "models": ["build", "list", "fetch-test-assets", "eval", "train", "promote", "rollback"],
    "labels": ["list", "export", "delete", "annotate"],
    "verifier": ["train", "show"],
    "ingest": [],
    "simulate": ["cameras"],
    "detect": [],
    "export-model": [],
    "streams": [],
    "dispatch": ["tokens"],
    "replay": ["compare", "promote", "label"],
    "demo": ["footage"],
    "bench": ["ingest", "detect", "streams"],
    "push": ["vapid-keys"],
    "run": [],
}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_and_subcommand_is_registered() -> None:
    commands = _subcommands(build_parser())
    assert set(COMMANDS) <= set(commands)
    for name, subcommands in COMMANDS.items():
        assert set(subcommands) <= set(_subcommands(commands[name])), name


@pytest.mark.parametrize(
    "argv", [[], *([name] for name in COMMANDS)], ids=lambda a: " ".join(a) or "gridwatch"
)
def test_help_of_every_command_exits_0_and_names_it(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli.main", *argv, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: gridwatch {' '.join(argv)}".rstrip())
