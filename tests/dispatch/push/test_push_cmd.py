"""`gridwatch push vapid-keys`."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import pytest

from app.cli import push_cmd
from dispatch.push.webpush_crypto import VapidKey, b64url_decode


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    push_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["push", "vapid-keys", *argv])
    code: int = args.handler(args)
    return code


def test_writes_a_private_key_and_prints_its_public_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "keys" / "vapid.pem"

    assert _run("--out", str(out)) == 0

    public = capsys.readouterr().out.strip()
    assert VapidKey.from_pem_file(out).public_key_b64url == public
    assert len(b64url_decode(public)) == 65
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "vapid.pem"
    out.write_text("old")

    assert _run("--out", str(out)) == 1
    assert "pass --force" in capsys.readouterr().err
    assert out.read_text() == "old"
    assert _run("--out", str(out), "--force") == 0
