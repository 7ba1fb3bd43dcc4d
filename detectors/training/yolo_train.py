"""`gridwatch models train`: fine-tune a YOLO model with ultralytics on a labels export, offline; register it.

The export (``gridwatch labels export --format yolo``) is a YOLO dataset: ``data.yaml``, ``images/`` and
``labels/`` per split. Training starts from a model definition ultralytics ships (``yolo11n.yaml``: random
weights; quality needs pretrained ones) or from weights already on this machine (an absolute ``.pt`` path):
nothing is ever downloaded (``YOLO_OFFLINE``, no auto-install, a config folder of our own, no plots, no AMP
check). The result is exported to ONNX (and OpenVINO IR where OpenVINO is installed) and written with a
``model.yaml`` the worker and replay read as a custom model (its classes mapped to Gridwatch's object kinds,
so they reach the rules) and a ``training.json`` with its metrics, data hash, parent and timings.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from gridwatch.detections import ObjectKind
from gridwatch.label_classes import KIND_OF_LABEL_CLASS

#: The export's classes (:mod:`gridwatch.label_classes`) as Gridwatch object kinds.
KIND_OF_CLASS: dict[str, ObjectKind] = KIND_OF_LABEL_CLASS


class TrainingSetupError(ValueError):
    """A training request that cannot start (its data, its base, the extra not installed)."""


class TrainedModel(BaseModel):
    """What ``training.json`` says of a fine-tuned model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Model id reported in gw.detections.")
    version: str = Field(description="First 12 hex digits of the ONNX file's SHA-256.")
    created_at: datetime = Field(description="When training finished.")
    parent: str = Field(description="The base it was trained from (a model YAML or weights file).")
    data: str = Field(description="The labels export it was trained on.")
    data_sha256: str = Field(description="Hash of the export's data.yaml, images and label files.")
    classes: tuple[str, ...] = Field(description="Class names in class-id order.")
    epochs: int = Field(ge=1, description="Epochs trained.")
    imgsz: int = Field(ge=32, description="Training and export input size.")
    metrics: dict[str, float] = Field(description="ultralytics' validation metrics after the last epoch.")
    seconds: dict[str, float] = Field(description="Wall time of training and of each export.")
    formats: tuple[str, ...] = Field(description="Files written: onnx, and openvino where installed.")
    versions: dict[str, str] = Field(description="torch and ultralytics versions used.")


def _offline(config_dir: Path) -> None:
    """Everything ultralytics needs to never reach the network (set before it is imported)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "0"
    os.environ["YOLO_CONFIG_DIR"] = str(config_dir)
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1))))


def _data_hash(export: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in export.rglob("*") if p.is_file() and p.suffix in {".yaml", ".jpg", ".txt"}):
        digest.update(path.relative_to(export).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _check_base(base: str) -> str:
    """The base as ultralytics takes it; TrainingSetupError for anything it would have to download."""
    path = Path(base)
    if path.suffix == ".pt":
        if not path.is_absolute() or not path.is_file():
            raise TrainingSetupError(
                f"weights {base!r}: give the absolute path of a .pt file on this machine (nothing is "
                "downloaded; a bare name like yolo11n.pt would be)"
            )
        return str(path)
    if path.suffix in (".yaml", ".yml"):
        if path.is_file():
            return str(path.resolve())
        if path.parent == Path():
            return base  # a definition ultralytics ships (yolo11n.yaml, yolo26n.yaml): random weights
        raise TrainingSetupError(f"model definition {base!r} does not exist")
    raise TrainingSetupError(f"base {base!r} is neither a model definition (.yaml) nor weights (.pt)")


def train_yolo(
    export: Path,
    base: str,
    out: Path,
    *,
    model_id: str,
    epochs: int,
    imgsz: int,
    batch: int,
    now: Callable[[], datetime],
    device: str = "cpu",
    seed: int = 0,
    say: Callable[[str], None] = print,
) -> TrainedModel:
    """Train, export and write the model into ``out`` (new or empty); what ``training.json`` records."""
    data_yaml = export / "data.yaml"
    if not data_yaml.is_file():
        raise TrainingSetupError(f"{export} is not a YOLO labels export (no data.yaml; use --format yolo)")
    names_doc = (yaml.safe_load(data_yaml.read_text(encoding="utf-8")) or {}).get("names")
    if not isinstance(names_doc, dict) or not names_doc:
        raise TrainingSetupError(f"{data_yaml} lists no class names")
    classes = tuple(str(names_doc[k]) for k in sorted(names_doc))
    if epochs < 1 or imgsz < 32 or batch < 1:
        raise TrainingSetupError(f"epochs {epochs}, imgsz {imgsz} and batch {batch} must be positive")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise TrainingSetupError(f"{out} exists and is not an empty folder; train into a new one")
    if importlib.util.find_spec("ultralytics") is None or importlib.util.find_spec("torch") is None:
        raise TrainingSetupError("training needs the train extra: pip install 'gridwatch[train]'")
    base_arg = _check_base(base)
    data_sha256 = _data_hash(export)  # before ultralytics writes its label caches beside the labels
    out.mkdir(parents=True, exist_ok=True)
    _offline(out / "ultralytics-config")
    try:
        record = _run(
            export,
            data_yaml,
            base,
            base_arg,
            out,
            classes,
            model_id,
            epochs,
            imgsz,
            batch,
            now,
            device,
            seed,
            say,
        )
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half-trained model to be registered
        raise
    record = record.model_copy(update={"data_sha256": data_sha256})
    text = json.dumps(record.model_dump(mode="json"), indent=1) + "\n"
    (out / "training.json").write_text(text, encoding="utf-8")
    shutil.rmtree(out / "ultralytics-config", ignore_errors=True)
    return record


def _run(
    export: Path,
    data_yaml: Path,
    base: str,
    base_arg: str,
    out: Path,
    classes: tuple[str, ...],
    model_id: str,
    epochs: int,
    imgsz: int,
    batch: int,
    now: Callable[[], datetime],
    device: str,
    seed: int,
    say: Callable[[str], None],
) -> TrainedModel:
    torch: Any = importlib.import_module("torch")
    ultralytics: Any = importlib.import_module("ultralytics")

    seconds: dict[str, float] = {}
    say(f"training {model_id} from {base} on {export}: {epochs} epoch(s) at {imgsz} px on {device}")
    started = time.perf_counter()
    model = ultralytics.YOLO(base_arg)
    model.train(
        data=str(data_yaml.resolve()),
        epochs=epochs,
        imgsz=imgsz,
        batch=batch,
        device=device,
        workers=0,
        plots=False,
        amp=False,
        seed=seed,
        deterministic=True,
        project=str(out / "runs"),
        name="train",
        exist_ok=True,
        verbose=False,
    )
    seconds["train"] = round(time.perf_counter() - started, 2)
    trainer: Any = model.trainer
    metrics = {str(k): float(v) for k, v in (getattr(trainer, "metrics", None) or {}).items()}
    say(f"trained in {seconds['train']:.1f} s; " + ", ".join(f"{k} {v:.3f}" for k, v in metrics.items()))
    started = time.perf_counter()
    onnx_file = Path(str(model.export(format="onnx", imgsz=imgsz, dynamic=True, simplify=False)))
    shutil.copyfile(onnx_file, out / "model.onnx")
    seconds["export_onnx"] = round(time.perf_counter() - started, 2)
    formats = ["onnx"]
    if importlib.util.find_spec("openvino") is not None:
        started = time.perf_counter()
        ir_folder = Path(str(model.export(format="openvino", imgsz=imgsz, dynamic=True)))
        shutil.copytree(ir_folder, out / "openvino")
        seconds["export_openvino"] = round(time.perf_counter() - started, 2)
        formats.append("openvino")
    version = hashlib.sha256((out / "model.onnx").read_bytes()).hexdigest()[:12]
    config = {
        "id": model_id,
        "path": "model.onnx",
        "version": version,
        "format": "yolo",
        "class_names": list(classes),
        "class_map": {
            "kinds": {name: KIND_OF_CLASS.get(name, ObjectKind.OTHER).value for name in classes},
            "default": ObjectKind.OTHER.value,
        },
        "input_size": imgsz,
        "resize": "letterbox",
    }
    (out / "model.yaml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    record = TrainedModel(
        id=model_id,
        version=version,
        created_at=now(),
        parent=base,
        data=str(export.resolve()),
        data_sha256="",  # the caller's, hashed before training
        classes=classes,
        epochs=epochs,
        imgsz=imgsz,
        metrics=metrics,
        seconds=seconds,
        formats=tuple(formats),
        versions={"torch": str(torch.__version__), "ultralytics": str(ultralytics.__version__)},
    )
    (out / "training.json").write_text(
        json.dumps(record.model_dump(mode="json"), indent=1) + "\n", encoding="utf-8"
    )
    shutil.rmtree(out / "runs", ignore_errors=True)  # checkpoints: the exported model is what runs
    return record


def list_trained(root: Path) -> list[tuple[Path, TrainedModel]]:
    """The trained models under ``root``, oldest first (folders that are not one are left out)."""
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        try:
            found.append(
                (folder, TrainedModel.model_validate_json((folder / "training.json").read_text("utf-8")))
            )
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda item: item[1].created_at)
