"""`gridwatch bench detect`: every path over the same frames, interleaved, in one run; a JSON report.

Paths are measured chunk by chunk in turn (naive, worker variants, raw, then again), for several rounds,
and each path's best round counts: on a machine shared with other work, every path sees the same
interference, and ratios between paths stay meaningful.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from detectors.backends.base import StagedBackend
from detectors.backends.onnx_runtime import OnnxRuntimeBackend, OnnxRuntimeConfig, usable_cpus
from detectors.bench.bench_frames import CAMERAS, load_bench_frames
from detectors.bench.plot import draw_bar_chart
from detectors.camera_zones import CameraZones, SiteCameras, ZoneView
from detectors.input_resize import Placement
from detectors.models.cache import ModelFiles
from detectors.models.registry import DEFAULT_MODEL_ID, get_model_spec, runnable_catalogue_model
from detectors.models.runnable import RunnableModel
from detectors.worker.activity import CameraActivity
from detectors.worker.pipeline import DetectionPipeline, decode_jpeg, split_evenly
from gridwatch.config import CameraDetection
from gridwatch.detections import ObjectKind
from gridwatch.messages import Frame

TARGET_SPEEDUP = 1.5
TARGET_OVERHEAD_SHARE = 0.8
DEFAULT_BATCH = 8
ROUNDS = 3
SETTLE_S = 0.05

ChunkRunner = Callable[[Sequence[Frame]], None]


def _naive(model_path: Path, model: RunnableModel) -> ChunkRunner:
    """Decode, resize, one default-settings ONNX Runtime call and the model's decoder, one frame at a time."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    size = model.input_size
    input_name = model.input_name or session.get_inputs()[0].name
    output_names = list(model.output_names or [o.name for o in session.get_outputs()])

    def run(chunk: Sequence[Frame]) -> None:
        for frame in chunk:
            image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                raise ValueError("benchmark JPEG does not decode")
            height, width = image.shape[:2]
            tensor = cv2.cvtColor(cv2.resize(image, (size, size)), cv2.COLOR_BGR2RGB).astype(np.float32)[None]
            outputs = session.run(output_names, {input_name: tensor * model.input_scale})
            decoded = model.decoder.decode(outputs, 0)
            Placement(size / width, size / height, 0, 0, width, height).to_image(decoded.xyxy)

    return run


#: The benchmark cameras' zone, in native 1920x1080 pixels: a sidewalk strip along the lower third of the
#: frame, the typical ebike_parking zone of a street camera (a fifth of the frame's area).
BENCH_ZONE = np.array([[0, 700], [1920, 700], [1920, 1000], [0, 1000]], np.float32)


def bench_cameras(detection: CameraDetection | None = None) -> SiteCameras:
    """The benchmark frames' cameras, each with :data:`BENCH_ZONE` watched for two-wheelers."""
    zone = ZoneView("z-bench", "sidewalk", BENCH_ZONE, frozenset({ObjectKind.TWO_WHEELER}), False)
    settings = detection or CameraDetection()
    return SiteCameras(
        {
            f"bench-{index}": CameraZones(f"bench-{index}", 1920, 1080, (zone,), settings)
            for index in range(CAMERAS)
        }
    )


def _worker(
    backend: StagedBackend, batch_size: int, cameras: SiteCameras | None = None
) -> tuple[ChunkRunner, DetectionPipeline]:
    """The worker pipeline fed ``batch_size`` frames at a time, as the consumer loop gathers them; with
    ``cameras``, their zones decide the views (zone tiles), else each frame is one view."""
    pipeline = DetectionPipeline(
        backend, CameraActivity(300.0, 4096, time.monotonic), cameras or SiteCameras({})
    )

    def run(chunk: Sequence[Frame]) -> None:
        for first in range(0, len(chunk), batch_size):
            for outcome in pipeline.process(chunk[first : first + batch_size]):
                if outcome.message is None:
                    raise RuntimeError(f"a benchmark frame was rejected: {outcome.rejected}")

    return run, pipeline


def _raw(backend: StagedBackend, frames: Sequence[Frame], pool: ThreadPoolExecutor) -> ChunkRunner:
    """The model call alone on tensors prepared beforehand, split over the streams as the worker does."""
    step = backend.max_batch_size
    parts = split_evenly([decode_jpeg(frame) for frame in frames[:step]], backend.streams, step)
    prepared = list(pool.map(backend.prepare, parts))

    def run(chunk: Sequence[Frame]) -> None:
        for _ in range(max(1, len(chunk) // step)):
            for _ in pool.map(backend.infer, prepared):
                pass

    return run


def interleaved_fps(
    paths: dict[str, ChunkRunner],
    frames: Sequence[Frame],
    chunk: int,
    rounds: int,
    settle_s: float = SETTLE_S,
) -> dict[str, float]:
    """Frames per second of each path: chunks in turn, best of ``rounds``.

    Between two paths the benchmark pauses ``settle_s`` (untimed): ONNX Runtime's and OpenVINO's worker
    threads spin-wait for a while after a run, and would otherwise steal the cores from whichever path is
    timed next.
    """
    for run in paths.values():  # warm-up
        run(frames[:chunk])
    best = dict.fromkeys(paths, float("inf"))
    for _ in range(rounds):
        spent = dict.fromkeys(paths, 0.0)
        for first in range(0, len(frames), chunk):
            part = frames[first : first + chunk]
            for name, run in paths.items():
                time.sleep(settle_s)
                start = time.perf_counter()
                run(part)
                spent[name] += time.perf_counter() - start
        for name in paths:
            best[name] = min(best[name], spent[name])
    return {name: len(frames) / seconds for name, seconds in best.items()}


def _label(backend: StagedBackend) -> str:
    """Runtime and precision of ``backend`` for the report, e.g. ``openvino-bf16`` or ``onnxruntime``."""
    precision = getattr(backend, "precision", None)
    if precision is None:
        return "onnxruntime"
    return f"openvino-{precision}"


def _comparison_backends(default: StagedBackend) -> dict[str, StagedBackend]:
    """Every other installed CPU runtime and precision for the default model, for the comparison rows."""
    from detectors.backends.factory import BackendChoice, open_backend
    from detectors.backends.onnx_runtime import OnnxRuntimeOptions
    from detectors.backends.openvino_runtime import OpenVinoOptions

    choices = {"onnxruntime": BackendChoice(runtime=OnnxRuntimeOptions(), max_batch_size=DEFAULT_BATCH)}
    if importlib.util.find_spec("openvino") is not None:
        for precision in ("f32", "bf16"):
            choices[f"openvino-{precision}"] = BackendChoice(
                runtime=OpenVinoOptions(precision=precision), max_batch_size=DEFAULT_BATCH
            )
    return {name: open_backend(choice) for name, choice in choices.items() if name != _label(default)}


def run_detect_benchmark(
    *, frames: int = 48, footage: Path | None = None, plot: Path | None = None, rounds: int = ROUNDS
) -> dict[str, Any]:
    """Measure and report (see the module docstring); ``frames`` is rounded up to whole batches."""
    from detectors.backends.factory import BackendChoice, open_backend

    count = max(DEFAULT_BATCH, -(-frames // DEFAULT_BATCH) * DEFAULT_BATCH)
    bench_frames = load_bench_frames(count, footage)
    spec = get_model_spec(DEFAULT_MODEL_ID)
    files = ModelFiles.of(spec)
    load_before = os.getloadavg()
    backend = open_backend(BackendChoice(max_batch_size=DEFAULT_BATCH))  # the worker's default configuration
    default_label = _label(backend)
    single_stream = OnnxRuntimeBackend.from_cache(
        spec.id, config=OnnxRuntimeConfig(max_batch_size=DEFAULT_BATCH, streams=1)
    )
    pipelines: list[DetectionPipeline] = []
    with ExitStack() as stack:
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=max(1, backend.streams)))
        paths: dict[str, ChunkRunner] = {"naive": _naive(files.onnx, runnable_catalogue_model(spec))}
        for batch in (1, 4, DEFAULT_BATCH):
            paths[f"worker_b{batch}"], pipeline = _worker(backend, batch)
            pipelines.append(pipeline)
        paths["raw_infer"] = _raw(backend, bench_frames.frames, pool)
        for name, other in _comparison_backends(backend).items():
            paths[f"{name}:worker_b{DEFAULT_BATCH}"], pipeline = _worker(other, DEFAULT_BATCH)
            pipelines.append(pipeline)
            other_pool = stack.enter_context(ThreadPoolExecutor(max_workers=max(1, other.streams)))
            paths[f"{name}:raw_infer"] = _raw(other, bench_frames.frames, other_pool)
        paths[f"onnxruntime:worker_b{DEFAULT_BATCH}_1stream"], pipeline = _worker(
            single_stream, DEFAULT_BATCH
        )
        pipelines.append(pipeline)
        tiled: dict[str, tuple[StagedBackend, int]] = {}
        for model_id, model_backend in _tile_models(backend, open_backend, BackendChoice).items():
            if model_backend is not backend:
                paths[f"{model_id}:full_frame"], pipeline = _worker(model_backend, DEFAULT_BATCH)
                pipelines.append(pipeline)
            paths[f"{model_id}:zone_tiles"], pipeline = _worker(model_backend, DEFAULT_BATCH, bench_cameras())
            pipelines.append(pipeline)
            tiled[model_id] = (model_backend, _views_per_frame(pipeline, bench_frames.frames[0]))
        fps = interleaved_fps(paths, bench_frames.frames, DEFAULT_BATCH, rounds)
    for pipeline in pipelines:
        pipeline.close()
    worker = fps[f"worker_b{DEFAULT_BATCH}"]
    first = bench_frames.frames[0]
    result: dict[str, Any] = {
        "worker_fps": round(worker, 2),
        "naive_fps": round(fps["naive"], 2),
        "raw_infer_fps": round(fps["raw_infer"], 2),
        "speedup_vs_naive": round(worker / fps["naive"], 3),
        "worker_share_of_raw": round(worker / fps["raw_infer"], 3),
        "targets": {
            "speedup_vs_naive": TARGET_SPEEDUP,
            "worker_share_of_raw": TARGET_OVERHEAD_SHARE,
            "met": worker / fps["naive"] >= TARGET_SPEEDUP
            and worker / fps["raw_infer"] >= TARGET_OVERHEAD_SHARE,
        },
        "default_configuration": {
            "backend": default_label,
            "model": f"{spec.id} {spec.version}",
            "input_size": spec.input_size,
            "max_batch_size": DEFAULT_BATCH,
            "streams": backend.streams,
        },
        "naive_configuration": "ONNX Runtime, default session options, CPU provider, one frame per call",
        "table": [
            {
                "backend": name.split(":")[0]
                if ":" in name
                else ("onnxruntime" if name == "naive" else default_label),
                "input_size": spec.input_size,
                "path": name.split(":")[-1],
                "fps": round(value, 2),
            }
            for name, value in fps.items()
        ],
        "backends_unavailable": {
            name: "not installed"
            for name in ("openvino", "ultralytics")
            if importlib.util.find_spec(name) is None
        },
        "frames": {
            "count": len(bench_frames.frames),
            "source": bench_frames.source,
            "size": [first.width, first.height],
            "mean_jpeg_bytes": int(np.mean([len(f.jpeg) for f in bench_frames.frames])),
        },
        "machine": {
            "cpus_usable": usable_cpus(),
            "processor": platform.processor() or platform.machine(),
            "load_average_before": [round(v, 2) for v in load_before],
            "load_average_after": [round(v, 2) for v in os.getloadavg()],
        },
        "method": f"paths interleaved chunk by chunk ({DEFAULT_BATCH} frames, {SETTLE_S * 1000:.0f} ms "
        f"untimed pause between paths), best of {rounds} rounds",
    }
    result["zone_tiles"] = _zone_tile_report(fps, tiled, backend, default_label)
    if plot is not None:
        draw_bar_chart(
            [(f"{row['backend']} {row['path']}", row["fps"]) for row in result["table"]],
            plot,
            title=f"{spec.id} on {result['frames']['source']}: frames per second ({usable_cpus()} CPUs)",
        )
        result["plot"] = str(plot)
    return result


def _tile_models(
    default: StagedBackend, open_backend: Callable[[Any], StagedBackend], choice_type: Any
) -> dict[str, StagedBackend]:
    """The default model (already open) and every other built catalogue model, for the zone-tile rows."""
    from detectors.models.registry import catalogue

    models: dict[str, StagedBackend] = {default.model_id: default}
    for spec in catalogue().values():
        if spec.id in models or not ModelFiles.of(spec).is_built(verify=False):
            continue
        models[spec.id] = open_backend(choice_type(model_id=spec.id, max_batch_size=DEFAULT_BATCH))
    return models


def _views_per_frame(pipeline: DetectionPipeline, frame: Frame) -> int:
    zones = pipeline.cameras.get(frame.camera_id)
    if zones is None:
        return 1
    return len(zones.tile_plan(frame.width, frame.height, lambda _model: pipeline.backend.input_size).views)


def _zone_tile_report(
    fps: dict[str, float],
    tiled: dict[str, tuple[StagedBackend, int]],
    default: StagedBackend,
    default_label: str,
) -> dict[str, Any]:
    """Per model: frames/s on the whole frame and with zone tiles, tiles/s, and cameras one core serves."""
    cpus = usable_cpus()
    rows: dict[str, Any] = {}
    for model_id, (backend, views) in tiled.items():
        full = fps[f"worker_b{DEFAULT_BATCH}"] if backend is default else fps[f"{model_id}:full_frame"]
        tiles = fps[f"{model_id}:zone_tiles"]
        rows[model_id] = {
            "input_size": backend.input_size,
            "full_frame_fps": round(full, 2),
            "zone_tiles_fps": round(tiles, 2),
            "views_per_frame": views,
            "tiles_per_s": round(tiles * views, 2),
            "cost_vs_full_frame": round(full / tiles, 3),
            "cameras_per_core": {f"{rate:g}fps": round(tiles / cpus / rate, 1) for rate in (1.0, 0.5, 0.2)},
        }
    return {
        "zone": "a sidewalk strip over the lower third of each 1920x1080 camera (frames published at 960 px)",
        "runtime": default_label,
        "models": rows,
        "default_configuration": f"{default.model_id} with zone tiles",
    }
