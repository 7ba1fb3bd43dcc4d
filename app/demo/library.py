"""Where the team's shared footage lies, and which of its files the demo uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: Environment variable naming the shared footage folder (default: ``../shared/data/footage`` of the repo).
FOOTAGE_DIR_ENV = "GW_FOOTAGE_DIR"

#: Photos of two-wheelers parked on a sidewalk (see the shared folder's README), best first.
PARKED_PHOTOS = ("two-wheelers/images/train_08.jpg", "two-wheelers/images/train_159.jpg")

#: Fixed CCTV views with people walking or riding through: for cameras that should see only passers-by.
PASSERS_BY_VIDEOS = ("cctv/towncentre_1080p_10s.mp4", "cctv/pets2009_vtest.avi")


#: The repository this package runs from (an editable install, as `make setup` makes).
REPO_ROOT = Path(__file__).resolve().parents[2]


class FootageLibraryError(ValueError):
    """A footage folder was named explicitly but is unusable."""


@dataclass(frozen=True, slots=True)
class FootageLibrary:
    """The shared footage files the demo found (paths exist)."""

    root: Path
    parked_photos: tuple[Path, ...]
    passers_by_videos: tuple[Path, ...]

    @property
    def complete(self) -> bool:
        """Whether there is at least one photo of parked two-wheelers and one passers-by video."""
        return bool(self.parked_photos) and bool(self.passers_by_videos)


def default_footage_dir(repo_root: Path) -> Path:
    """The team's shared footage beside the repository: ``<repo>/../shared/data/footage``."""
    return repo_root.parent / "shared" / "data" / "footage"


def find_library(
    environ: Mapping[str, str], explicit: Path | None = None, repo_root: Path = REPO_ROOT
) -> FootageLibrary | None:
    """The shared footage: ``explicit``, else ``$GW_FOOTAGE_DIR``, else the default folder; None if absent.

    A folder named explicitly (argument or variable) that does not exist is an error, not a silent fallback.
    """
    named = explicit if explicit is not None else _from_env(environ)
    if named is not None and not named.is_dir():
        source = "--footage-dir" if explicit is not None else f"${FOOTAGE_DIR_ENV}"
        raise FootageLibraryError(f"{source} {named} is not a folder")
    root = named if named is not None else default_footage_dir(repo_root)
    if not root.is_dir():
        return None
    photos = tuple(root / name for name in PARKED_PHOTOS if (root / name).is_file())
    videos = tuple(root / name for name in PASSERS_BY_VIDEOS if (root / name).is_file())
    if not photos and not videos:
        return None
    return FootageLibrary(root=root, parked_photos=photos, passers_by_videos=videos)


def _from_env(environ: Mapping[str, str]) -> Path | None:
    value = environ.get(FOOTAGE_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None
