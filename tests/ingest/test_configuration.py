from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clocks import Clocks
from ingest.settings import IngestSettings
from ingest.shards import Shard, select_cameras
from ingest.sources.credentials import Credentials, resolve, with_userinfo
from ingest.sources.errors import SourceConfigError
from ingest.sources.factory import build_source
from ingest.sources.http_snapshot import HttpSnapshotSource
from ingest.sources.image_folder import ImageFolderSource
from ingest.sources.rtsp import LiveStreamSource
from ingest.sources.video_file import VideoFileSource
from tests.ingest.helpers import make_camera


def test_settings_load_from_yaml_and_name_bad_fields(tmp_path: Path) -> None:
    good = tmp_path / "ingest.yaml"
    good.write_text("max_side: 640\nbackoff:\n  initial_s: 0.5\n")
    settings = IngestSettings.load(good)
    assert settings.max_side == 640 and settings.backoff.initial_s == 0.5
    bad = tmp_path / "bad.yaml"
    bad.write_text("max_sides: 640\njpeg_quality: 5\n")
    with pytest.raises(ValueError, match="max_sides: Extra inputs are not permitted") as info:
        IngestSettings.load(bad)
    assert "jpeg_quality: Input should be greater than or equal to 10" in str(info.value)
    with pytest.raises(ValueError, match="cannot read ingest settings"):
        IngestSettings.load(tmp_path / "missing.yaml")


def test_every_settings_field_is_described() -> None:
    for name, field in IngestSettings.model_fields.items():
        assert field.description, name


def test_credentials_from_the_environment_never_show_the_password() -> None:
    creds = resolve("U", "P", {"U": "admin", "P": "p@ss:/word"})
    assert creds == Credentials("admin", "p@ss:/word")
    assert "p@ss" not in repr(creds)
    assert with_userinfo("rtsp://10.0.0.5:554/Streaming/101", creds) == (
        "rtsp://admin:p%40ss%3A%2Fword@10.0.0.5:554/Streaming/101"
    )
    assert resolve(None, None, {}) is None
    with pytest.raises(SourceConfigError, match="variable U and P is not set"):
        resolve("U", "P", {})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"kind": "rtsp", "url": "rtsp://10.0.0.5/s"}, LiveStreamSource),
        ({"kind": "http_snapshot", "url": "http://10.0.0.5/snap.jpg"}, HttpSnapshotSource),
        ({"kind": "file", "path": "clip.mp4"}, VideoFileSource),
        ({"kind": "image_folder", "path": "frames"}, ImageFolderSource),
    ],
)
def test_factory_builds_the_configured_source(source: dict[str, str], expected: type) -> None:
    built = build_source(make_camera(source=source), IngestSettings(), Clocks(), environ={})
    assert isinstance(built, expected)


def test_factory_names_a_missing_credential_variable() -> None:
    camera = make_camera(
        source={"kind": "rtsp", "url": "rtsp://10.0.0.5/s", "username_env": "CAM_U", "password_env": "CAM_P"}
    )
    with pytest.raises(SourceConfigError, match="CAM_U and CAM_P is not set"):
        build_source(camera, IngestSettings(), Clocks(), environ={})


def test_shards_split_enabled_cameras_between_processes() -> None:
    cameras = [make_camera(f"c{i}") for i in range(7)] + [make_camera("off", enabled=False)]
    shards = [select_cameras(cameras, [], Shard.parse(f"{i}/3")) for i in range(3)]
    assert sorted(c.id for shard in shards for c in shard) == [f"c{i}" for i in range(7)]
    assert [c.id for c in select_cameras(cameras, ["c2", "c5"], Shard())] == ["c2", "c5"]
    with pytest.raises(ValueError, match="unknown camera id"):
        select_cameras(cameras, ["zz"], Shard())
    with pytest.raises(ValueError, match="not INDEX/COUNT"):
        Shard.parse("two")
    with pytest.raises(ValueError, match="0 <= INDEX < COUNT"):
        Shard.parse("3/3")
