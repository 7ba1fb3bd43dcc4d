"""Scene builders for the rule tables: one camera, one zone, frames at chosen instants with chosen boxes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from gridwatch.config import Camera
from gridwatch.detections import STATIC_FOREGROUND_CLASS, Detections, ObjectKind
from gridwatch.messages import FrameDetections, Incident, ModelRef, StageTimings
from streams.rules.engine import CameraRules
from streams.rules.state import CameraState
from streams.rules.tuning import RuleTuning

TZ = ZoneInfo("Asia/Shanghai")
#: Monday 2026-03-02 10:00 local: the scenes' time zero.
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ).timestamp()
WIDTH, HEIGHT = 1920, 1080
#: The zone: a sidewalk strip across the lower half of the image.
ZONE = ((100.0, 500.0), (1800.0, 500.0), (1800.0, 1000.0), (100.0, 1000.0))
BIKE = (400.0, 700.0, 500.0, 800.0)
RIDER = (410.0, 600.0, 490.0, 780.0)
CART = (900.0, 650.0, 1060.0, 800.0)
VENDOR = (1070.0, 600.0, 1130.0, 790.0)
#: Tests want crisp lifecycles: no periodic updates unless a test asks for them.
QUIET = RuleTuning(update_interval_s=10_000)

Box = tuple[float, float, float, float]

#: Length of the scenes' colour signatures.
LOOK_BYTES = 8
#: Two colour signatures: a red bike and a black one (nothing alike), and the red one in other light.
RED = (200, 40, 10, 5, 0, 0, 0, 0)
BLACK = (0, 0, 0, 5, 0, 20, 60, 170)
RED_DIMMER = (180, 55, 15, 5, 0, 0, 0, 0)


@dataclass(frozen=True)
class Obj:
    """One object on one frame."""

    kind: ObjectKind
    box: Box
    static: bool = False
    look: tuple[int, ...] = ()  # colour signature (LOOK_BYTES bytes); () unknown
    stood: float = 0.0  # seconds it had already stood, as static foreground reports it; 0 unmeasured


def bike(box: Box = BIKE) -> Obj:
    return Obj(ObjectKind.TWO_WHEELER, box)


def person(box: Box) -> Obj:
    return Obj(ObjectKind.PERSON, box)


def goods(box: Box = CART) -> Obj:
    return Obj(ObjectKind.TRADING_OBJECT, box)


def blob(box: Box, stood: float = 0.0) -> Obj:
    return Obj(ObjectKind.TRADING_OBJECT, box, static=True, stood=stood)


def shifted(box: Box, dx: float, dy: float = 0.0) -> Box:
    return box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy


def camera(
    rule: dict[str, Any],
    *,
    polygon: Sequence[tuple[float, float]] = ZONE,
    zone_muted: bool = False,
    camera_muted: bool = False,
    resolution: tuple[int, int] = (WIDTH, HEIGHT),
) -> Camera:
    """A camera with one zone carrying one rule (a dict as in the site YAML)."""
    return Camera.model_validate(
        {
            "id": "cam-1",
            "name": "test camera",
            "micro_grid": "mg-1",
            "location": {"lat": 30.0, "lon": 120.0},
            "resolution": list(resolution),
            "sample_fps": 1,
            "source": {"kind": "file", "path": "x.mp4"},
            "muted": camera_muted,
            "zones": [
                {
                    "id": "z-1",
                    "name": "zone",
                    "polygon": [list(p) for p in polygon],
                    "muted": zone_muted,
                    "rules": [rule],
                }
            ],
        }
    )


def message(
    t: float,
    objects: Iterable[Obj],
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    scale: float = 1.0,
    seq: int = 0,
    camera_id: str = "cam-1",
    t0: float = T0,
) -> FrameDetections:
    """A detections message at ``t`` seconds after T0 (boxes given in native pixels, scaled by ``scale``)."""
    listed = list(objects)
    detections = Detections(
        xyxy=np.array([[v * scale for v in o.box] for o in listed], np.float32).reshape(-1, 4),
        score=np.full(len(listed), 0.8, np.float32),
        class_id=np.array([-1 if o.static else 0 for o in listed], np.int64),
        class_name=tuple(STATIC_FOREGROUND_CLASS if o.static else o.kind.value for o in listed),
        kind=tuple(o.kind for o in listed),
        appearance=np.array([o.look or (0,) * LOOK_BYTES for o in listed], np.uint8).reshape(-1, LOOK_BYTES),
        stood_s=np.array([o.stood for o in listed], np.float32),
    )
    return FrameDetections(
        camera_id=camera_id,
        seq=seq,
        captured_at=t0 + t,
        frame_width=round(width * scale),
        frame_height=round(height * scale),
        model=ModelRef(id="test", version="1"),
        detections=detections,
        timings_ms=StageTimings(decode=0, preprocess=0, infer=0, postprocess=0),
        evidence_url=f"http://evidence/{seq}.jpg",
    )


Scene = Callable[[float], list[Obj]]
"""What the camera sees at t seconds after T0."""


def run(
    rules: CameraRules,
    scene: Scene,
    until: float,
    *,
    every: float = 1.0,
    start: float = 0.0,
    roundtrip: bool = False,
) -> list[Incident]:
    """Feed one frame every ``every`` seconds from ``start`` to ``until``; the incidents, in order.

    ``roundtrip`` serialises and restores the state between frames, as the faust table does.
    """
    state = CameraState()
    out: list[Incident] = []
    steps = round((until - start) / every)
    for index in range(steps + 1):
        t = start + index * every
        step = rules.step(state, message(t, scene(t), seq=index))
        out.extend(step.incidents)
        state = CameraState.from_bytes(step.state.to_bytes()) if roundtrip else step.state
    return out


def rules_for(rule: dict[str, Any], tuning: RuleTuning = QUIET, **camera_options: Any) -> CameraRules:
    return CameraRules(camera(rule, **camera_options), TZ, tuning)


def lifecycles(incidents: Sequence[Incident]) -> list[str]:
    return [incident.lifecycle.value for incident in incidents]


def at(incident: Incident) -> float:
    """Seconds after T0 the message was observed."""
    return round(incident.observed_at - T0, 3)


def assert_timeline(
    incidents: Sequence[Incident], expected: Sequence[tuple[str, float]], tolerance: float = 2
) -> None:
    """The incidents are these lifecycles, each observed within ``tolerance`` seconds of its time."""
    assert lifecycles(incidents) == [kind for kind, _t in expected], [
        (i.lifecycle.value, at(i)) for i in incidents
    ]
    for incident, (kind, when) in zip(incidents, expected, strict=True):
        assert abs(at(incident) - when) <= tolerance, f"{kind} at {at(incident)}, expected {when}"
