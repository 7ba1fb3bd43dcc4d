"""Finding the team's shared footage: explicit folder, environment variable, the folder beside the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.demo.library import (
    FOOTAGE_DIR_ENV,
    PARKED_PHOTOS,
    PASSERS_BY_VIDEOS,
    FootageLibraryError,
    default_footage_dir,
    find_library,
)


def _fill(root: Path, names: tuple[str, ...]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")


def test_the_default_folder_is_shared_data_beside_the_repository(tmp_path: Path) -> None:
    assert default_footage_dir(tmp_path / "main") == tmp_path / "shared" / "data" / "footage"


def test_absent_default_folder_means_no_library(tmp_path: Path) -> None:
    assert find_library({}, repo_root=tmp_path / "main") is None


def test_the_variable_names_the_folder_and_only_present_files_count(tmp_path: Path) -> None:
    _fill(tmp_path, PARKED_PHOTOS[:1] + PASSERS_BY_VIDEOS)
    library = find_library({FOOTAGE_DIR_ENV: str(tmp_path)}, repo_root=tmp_path / "elsewhere")
    assert library is not None and library.complete
    assert library.parked_photos == (tmp_path / PARKED_PHOTOS[0],)
    assert library.passers_by_videos == tuple(tmp_path / name for name in PASSERS_BY_VIDEOS)


def test_a_folder_without_any_known_file_is_no_library(tmp_path: Path) -> None:
    assert find_library({}, explicit=tmp_path) is None


def test_a_library_without_parked_photos_is_incomplete(tmp_path: Path) -> None:
    _fill(tmp_path, PASSERS_BY_VIDEOS[:1])
    library = find_library({}, explicit=tmp_path)
    assert library is not None and not library.complete


@pytest.mark.parametrize("how", ["explicit", "env"])
def test_a_named_folder_that_does_not_exist_is_an_error(tmp_path: Path, how: str) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(FootageLibraryError, match="nope is not a folder"):
        if how == "explicit":
            find_library({}, explicit=missing)
        else:
            find_library({FOOTAGE_DIR_ENV: str(missing)})
