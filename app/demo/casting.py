"""Which footage each camera of a site gets: the plan of `gridwatch demo footage`.

Only enabled cameras with a ``file`` or ``image_folder`` source get footage, and only where theirs is missing.
The *demo cameras* see parked two-wheelers: by default the first enabled file camera with an ``ebike_parking``
zone (its clip loops, so its dwell timer runs). A demo camera shows the team's photo of parked two-wheelers
where the team's shared footage is present, else the licensed sample scene (bicycles parked on a pavement in
leuvenB.jpg, people from the other sample photos walking past; :mod:`app.demo.live_scene`), else a synthetic
street. Every other camera sees the team's passers-by videos where present, else a synthetic street.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.demo.library import FootageLibrary
from app.demo.licensed import LicensedImages
from gridwatch.config import Camera, FileSource, ImageFolderSource, RuleKind, SiteConfig


class CastingError(ValueError):
    """A camera named as a demo camera cannot be one."""


class Scene(StrEnum):
    """What a camera's demo footage shows."""

    PARKED_BIKES = "parked two-wheelers (still scene)"
    LICENSED_BIKES = "bicycles parked on a pavement, people passing (licensed sample photos)"
    PASSERS_BY = "passers-by"
    SYNTHETIC = "synthetic street (no real objects)"


@dataclass(frozen=True, slots=True)
class FootageJob:
    """Footage to generate for one camera: a clip (file source) or a folder of images (image_folder)."""

    camera: Camera
    target: Path
    scene: Scene
    source: Path | None
    folder_pattern: str | None = None

    @property
    def is_folder(self) -> bool:
        """Whether the job writes an image folder rather than a clip."""
        return self.folder_pattern is not None


@dataclass(frozen=True, slots=True)
class FootagePlan:
    """What to generate, what is already there, and which cameras are the demo cameras."""

    jobs: tuple[FootageJob, ...]
    present: tuple[tuple[str, Path], ...]
    demo_camera_ids: tuple[str, ...]
    library: FootageLibrary | None
    licensed: LicensedImages | None = None


def has_parking_rule(camera: Camera) -> bool:
    """Whether one of the camera's zones has an ``ebike_parking`` rule."""
    return any(zone.rule(RuleKind.EBIKE_PARKING) is not None for zone in camera.zones)


def default_demo_cameras(site: SiteConfig) -> tuple[str, ...]:
    """The first enabled file camera with an ``ebike_parking`` zone (none if the site has no such camera)."""
    for camera in site.cameras:
        if camera.enabled and isinstance(camera.source, FileSource) and has_parking_rule(camera):
            return (camera.id,)
    return ()


def check_demo_cameras(site: SiteConfig, camera_ids: Sequence[str]) -> tuple[str, ...]:
    """``camera_ids`` if each is an enabled file camera with a parking zone; CastingError naming the first
    that is not."""
    known = {camera.id: camera for camera in site.cameras}
    for camera_id in camera_ids:
        camera = known.get(camera_id)
        if camera is None:
            raise CastingError(f"demo camera {camera_id!r} is not in the site")
        if not camera.enabled:
            raise CastingError(f"demo camera {camera_id} is disabled")
        if not isinstance(camera.source, FileSource):
            raise CastingError(
                f"demo camera {camera_id} has source kind {camera.source.kind}; a demo camera needs a file "
                "source (a looping still clip keeps its dwell timer running)"
            )
        if not has_parking_rule(camera):
            raise CastingError(f"demo camera {camera_id} has no zone with an ebike_parking rule")
    return tuple(dict.fromkeys(camera_ids))


def resolve_path(raw: str, base_dir: Path) -> Path:
    """A source path of the site as ingest reads it: relative paths are from ``base_dir``."""
    path = Path(raw).expanduser()
    return path if path.is_absolute() else base_dir / path


def footage_present(camera: Camera, base_dir: Path) -> bool:
    """Whether the camera's clip exists (not empty) or its folder holds an image matching its pattern."""
    source = camera.source
    if isinstance(source, FileSource):
        path = resolve_path(source.path, base_dir)
        return path.is_file() and path.stat().st_size > 0
    if isinstance(source, ImageFolderSource):
        folder = resolve_path(source.path, base_dir)
        return folder.is_dir() and any(p.is_file() for p in folder.glob(source.pattern))
    return True  # live sources need no footage


def plan_footage(
    site: SiteConfig,
    library: FootageLibrary | None,
    *,
    base_dir: Path,
    demo_camera_ids: Sequence[str] | None = None,
    licensed: LicensedImages | None = None,
) -> FootagePlan:
    """The footage to generate for ``site``; ``demo_camera_ids`` None picks :func:`default_demo_cameras`.

    ``library`` is the team's shared footage, ``licensed`` the sample photos of the test-asset cache (either
    may be None)."""
    demo_ids = (
        default_demo_cameras(site) if demo_camera_ids is None else check_demo_cameras(site, demo_camera_ids)
    )
    jobs: list[FootageJob] = []
    present: list[tuple[str, Path]] = []
    parked_index = passers_index = 0
    for camera in site.cameras:
        source = camera.source
        if not camera.enabled or not isinstance(source, FileSource | ImageFolderSource):
            continue
        target = resolve_path(source.path, base_dir)
        if footage_present(camera, base_dir):
            present.append((camera.id, target))
            continue
        pattern = source.pattern if isinstance(source, ImageFolderSource) else None
        scene, footage = Scene.SYNTHETIC, None
        if library is not None and camera.id in demo_ids and library.parked_photos:
            photos = library.parked_photos
            scene, footage = Scene.PARKED_BIKES, photos[parked_index % len(photos)]
            parked_index += 1
        elif licensed is not None and camera.id in demo_ids:
            scene, footage = Scene.LICENSED_BIKES, licensed.scene
        elif library is not None and camera.id not in demo_ids and library.passers_by_videos:
            videos = library.passers_by_videos
            scene, footage = Scene.PASSERS_BY, videos[passers_index % len(videos)]
            passers_index += 1
        jobs.append(FootageJob(camera, target, scene, footage, pattern))
    return FootagePlan(tuple(jobs), tuple(present), demo_ids, library, licensed)
