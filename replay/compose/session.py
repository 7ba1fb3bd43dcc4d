"""`gridwatch replay compose`, `probe` and `cutouts` as the CLI runs them: resolve the camera, the cut-out
library, the background and the perspective, then compose or probe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gridwatch.config import Camera, SiteConfig
from gridwatch.detections import ObjectKind
from replay.cache import DetectionCache
from replay.compose.auto import auto_scenario, decoy_classes
from replay.compose.background import Background, load_background
from replay.compose.builtin import builtin_objects
from replay.compose.composer import ComposeResult, compose
from replay.compose.library import CutoutLibrary, build_library, load_library
from replay.compose.persons import person_boxes
from replay.compose.perspective import PerspectiveFit, fit_perspective, manual_perspective
from replay.compose.probe import ProbeReport, probe
from replay.compose.spec import DEFAULT_START, Scenario, load_scenario
from replay.detect import Detector
from replay.errors import ReplayError
from replay.progress import NoProgress, ProgressBar
from replay.runner import camera_of

ProgressFactory = Callable[[str, int | None], ProgressBar]
#: Longest gap between kept background frames, seconds (more variety of passers-by than 1 per output frame).
BACKGROUND_STEP_S = 0.5


def _quiet(_label: str, _total: int | None) -> ProgressBar:
    return NoProgress()


@dataclass
class Setting:
    """What compose and probe share: the camera, its background clip, the cut-outs and the detector."""

    site: SiteConfig
    camera_id: str
    background: Path
    cutouts: list[Path] = field(default_factory=list)
    perspective: str | None = None
    detector: Detector = field(default_factory=Detector)
    cache: DetectionCache | None = None
    progress: ProgressFactory = _quiet

    @property
    def camera(self) -> Camera:
        """The camera of the site."""
        return camera_of(self.site, self.camera_id)


def library_of(folders: list[Path], advance: Callable[[int], None] | None = None) -> CutoutLibrary:
    """The cut-out libraries in ``folders`` merged; without any, the built-in licensed samples (made from
    the test-asset cache). ReplayError when there is nothing to cut out."""
    if folders:
        library = CutoutLibrary()
        for folder in folders:
            library = library.merged(load_library(folder))
        return library
    objects, missing = builtin_objects()
    if not objects:
        raise ReplayError(
            "no cut-outs: pass --cutouts LIBRARY (made by `gridwatch replay cutouts`), or put the licensed "
            "sample photos in place with `gridwatch models fetch-test-assets` "
            f"(missing: {', '.join(missing)})"
        )
    return build_library(objects, advance)


def background_of(setting: Setting, fps: float) -> Background:
    """The background clip sampled for composing at ``fps``."""
    bar = setting.progress(f"background {setting.background.name}", None)
    try:
        return load_background(
            setting.background, step_s=min(1.0 / fps, BACKGROUND_STEP_S), advance=bar.advance
        )
    finally:
        bar.finish()


def perspective_of(setting: Setting) -> PerspectiveFit:
    """The camera's perspective: given by hand, or fit on the persons the detector finds on the clip."""
    camera = setting.camera
    size = (camera.width, camera.height)
    if setting.perspective is not None:
        return manual_perspective(setting.perspective, size)
    boxes = person_boxes(setting.detector, setting.background, camera, setting.cache)
    return fit_perspective(boxes, size, where=str(setting.background))


@dataclass
class ComposeRequest:
    """A composition: a scenario file, or ``auto`` episodes generated for the camera's zones (with their
    distractors, and ``decoys`` pieces of street furniture of ``decoy_objects``: every decoy class of the
    library when empty)."""

    setting: Setting
    out: Path
    duration_s: float = 900.0
    fps: float = 1.0
    scenario: Path | None = None
    auto: int | None = None
    distractors: int | None = None
    objects: list[str] = field(default_factory=list)
    kind: ObjectKind = ObjectKind.TWO_WHEELER
    decoys: int = 0
    decoy_objects: list[str] = field(default_factory=list)
    seed: int = 0
    start: str = DEFAULT_START
    mp4: bool = False


def only(library: CutoutLibrary, objects: list[str]) -> CutoutLibrary:
    """The library's cut-outs of the ``objects`` classes (and its persons, who walk bikes); all of them
    when ``objects`` is empty. ReplayError when none of those classes is there."""
    if not objects:
        return library
    wanted = {o.strip().lower() for o in objects}
    kept = {
        k: c
        for k, c in library.cutouts.items()
        if c.class_name.lower() in wanted or c.kind == ObjectKind.PERSON
    }
    if not any(c.class_name.lower() in wanted for c in kept.values()):
        classes = sorted({c.class_name for c in library.cutouts.values()})
        raise ReplayError(
            f"the library has no cut-out of {', '.join(sorted(wanted))} (it has {', '.join(classes)})"
        )
    return CutoutLibrary(kept)


def auto_library(request: ComposeRequest, library: CutoutLibrary) -> CutoutLibrary:
    """The cut-outs an auto scenario draws from: those of the ``--objects`` classes (all when none are
    named) and the persons, and with decoys the decoys' classes too."""
    chosen = only(library, request.objects)
    if not request.objects or not request.decoys:
        return chosen
    furniture = request.decoy_objects or decoy_classes(library)
    return only(library, [*request.objects, *furniture])


def scenario_of(request: ComposeRequest, library: CutoutLibrary) -> Scenario:
    """The scenario file, checked against the camera; or one generated for the camera's zones."""
    camera = request.setting.camera
    if request.scenario is not None:
        if request.decoys:
            raise ReplayError("--decoys goes with --auto (a scenario file lists its own decoys)")
        scenario = load_scenario(request.scenario)
        if scenario.camera != camera.id:
            raise ReplayError(f"{request.scenario} is for camera {scenario.camera}, not {camera.id}")
        return scenario
    if request.auto is None:
        raise ReplayError("give --scenario FILE or --auto N")
    return auto_scenario(
        camera,
        auto_library(request, library),
        kind=request.kind,
        episodes=request.auto,
        distractors=request.distractors,
        decoys=request.decoys,
        decoy_objects=request.decoy_objects,
        duration_s=request.duration_s,
        fps=request.fps,
        seed=request.seed,
        start=request.start,
    )


def run_compose(request: ComposeRequest) -> ComposeResult:
    """Compose the clip described by ``request``."""
    setting = request.setting
    camera = setting.camera
    if not camera.zones and request.scenario is None:
        raise ReplayError(f"camera {camera.id} has no zone to place objects in")
    bar = setting.progress("cut-outs", None)
    library = library_of(setting.cutouts, bar.advance)
    bar.finish()
    scenario = scenario_of(request, library)
    background = background_of(setting, scenario.fps)
    perspective = perspective_of(setting)
    chosen = auto_library(request, library) if request.scenario is None else library
    return compose(
        scenario,
        camera,
        background,
        chosen,
        perspective,
        request.out,
        mp4=request.mp4,
        progress=setting.progress,
    )


def run_probe(
    setting: Setting,
    out: Path,
    *,
    object_name: str = "bicycle",
    rounds: int = 2,
    seed: int = 0,
    conf: float | None = None,
) -> ProbeReport:
    """Probe the camera's zones with reference objects of ``object_name``."""
    bar = setting.progress("cut-outs", None)
    library = library_of(setting.cutouts, bar.advance)
    bar.finish()
    background = background_of(setting, 1.0)
    perspective = perspective_of(setting)
    return probe(
        setting.camera,
        background,
        library,
        perspective,
        setting.detector,
        out,
        object_name=object_name,
        rounds=rounds,
        seed=seed,
        conf=conf,
        progress=setting.progress,
    )
