"""`gridwatch dispatch tokens issue|revoke` and the command line of `gridwatch dispatch`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import dispatch_cmd
from dispatch.persistence.case_tables import ApiTokenRecord
from dispatch.persistence.engine import make_engine
from dispatch.tokens import person_of_token, token_hash
from tests.dispatch.core.harness import EXAMPLE_SITE


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gridwatch")
    dispatch_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_issue_prints_a_token_and_stores_only_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    base = ["dispatch", "tokens", "issue", "--site", str(EXAMPLE_SITE), "--database-url", url]
    assert _run([*base, "--person", "p-002", "--label", "phone"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("gw_") and len(token) > 30
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            (row,) = session.scalars(select(ApiTokenRecord)).all()
            assert (row.person_id, row.token_sha256, row.label) == ("p-002", token_hash(token), "phone")
            assert token not in {row.token_sha256, row.label}
            assert person_of_token(session, token) == "p-002"
        assert (
            _run(
                [
                    "dispatch",
                    "tokens",
                    "revoke",
                    "--site",
                    str(EXAMPLE_SITE),
                    "--database-url",
                    url,
                    "--person",
                    "p-002",
                ]
            )
            == 0
        )
        assert "revoked 1 token(s) of p-002" in capsys.readouterr().out
        with Session(engine) as session:
            assert person_of_token(session, token) is None
    finally:
        engine.dispose()


def test_issue_for_an_unknown_person_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    argv = [
        "dispatch",
        "tokens",
        "issue",
        "--site",
        str(EXAMPLE_SITE),
        "--database-url",
        url,
        "--person",
        "p-999",
    ]
    assert _run(argv) == 2
    assert "no person p-999" in capsys.readouterr().err


def test_bad_database_url_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "dispatch",
        "tokens",
        "issue",
        "--site",
        str(EXAMPLE_SITE),
        "--database-url",
        "mysql://x/y",
        "--person",
        "p-002",
    ]
    assert _run(argv) == 2
    assert "not supported" in capsys.readouterr().err


def test_serve_reports_bad_push_settings_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    push = tmp_path / "push.yaml"
    push.write_text("webpush: {kind: carrier-pigeon}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    argv = ["dispatch", "--site", str(EXAMPLE_SITE), "--database-url", url, "--port", "0"]
    assert _run([*argv, "--push-config", str(push)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("gridwatch dispatch: error:") and "push.yaml" in error
