"""`gridwatch db upgrade` and `gridwatch db sync-site`, end to end on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from app.cli.main import main
from app.site_generator import dump_site_yaml
from dispatch.persistence.migrate import current_revision, head_revision
from tests.dispatch.persistence.sites import small_site_data


def _url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(dump_site_yaml(small_site_data()), encoding="utf-8")
    return path


def test_upgrade_then_sync_site_then_sync_again(
    database_url: URL, site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url_text(database_url)

    assert main(["db", "upgrade", "--url", url]) == 0
    assert f"is at revision {head_revision()}" in capsys.readouterr().out
    assert current_revision(url) == head_revision()

    assert main(["db", "sync-site", str(site_file), "--url", url]) == 0
    first = capsys.readouterr().out
    assert "synchronised" in first
    assert "cameras        12 added" in first

    assert main(["db", "sync-site", str(site_file), "--url", url]) == 0
    second = capsys.readouterr().out
    assert "already up to date" in second
    assert "cameras        0 added, 0 updated, 0 deactivated, 12 unchanged" in second


def test_sync_site_refuses_a_database_that_is_not_upgraded(
    database_url: URL, site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "sync-site", str(site_file), "--url", _url_text(database_url)]) == 2
    assert "run `gridwatch db upgrade" in capsys.readouterr().err


def test_default_url_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("GW_DATABASE_URL", f"sqlite:///{path}")

    assert main(["db", "upgrade"]) == 0

    assert path.exists()
    assert str(path) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("mysql://gw@db/gw", "backend 'mysql' in mysql://gw@db/gw is not supported"),
        ("nonsense", "is not a valid SQLAlchemy URL"),
        ("postgresql+psycopg://gw:pw@127.0.0.1:1/gw", "cannot reach database postgresql+psycopg://gw:***@"),
    ],
)
def test_bad_or_unreachable_url_exits_2_with_the_reason(
    url: str, complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--url", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gridwatch db: error: ")
    assert complaint in err


def test_sync_site_reports_problems_of_the_site_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: {id: x}\n", encoding="utf-8")

    assert main(["db", "sync-site", str(bad), "--url", f"sqlite:///{tmp_path / 'gw.db'}"]) == 2
    assert "bad.yaml" in capsys.readouterr().err
