"""`gridwatch detect` as the lead's main job runs it (composition root, settings from the environment)."""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from kafka.structs import TopicPartition

from app.cli import detect_cmd
from gridwatch.broker.clients import make_consumer
from gridwatch.broker.settings import KafkaSettings
from gridwatch.messages import FrameDetections, decode_record, encode, key_of
from gridwatch.messages.topics import DETECTIONS, FRAMES
from tests.detectors.fakes import make_frame
from tests.detectors.yolo_onnx import anchors_output, yolo_onnx

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gridwatch")
    commands = parser.add_subparsers(dest="command", required=True)
    detect_cmd.register(commands)
    bench = commands.add_parser("bench").add_subparsers(dest="bench_command", required=True)
    detect_cmd.register_bench(bench)
    return parser


def test_one_model_option_at_a_time() -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["detect", "--model", "a", "--model-file", "b.onnx"])


def test_providers_are_refused_for_another_runtime(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["detect", "--backend", "openvino", "--providers", "CPUExecutionProvider"])
    assert detect_cmd.run_detect(args, lambda: True) == 2
    assert (
        "--providers names ONNX Runtime execution providers; --backend is openvino" in capsys.readouterr().err
    )


@pytest.mark.integration
def test_detect_runs_a_configured_custom_yolo_model_against_the_broker(
    kafka_broker: KafkaSettings,
    kafka_producer: Any,
    unique_group_id: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("onnx", reason="the onnx package builds the test model")
    yolo_onnx(tmp_path / "street.onnx", anchors_output([(32, 32, 20, 10, 1, 0.9)])[None])
    model_config = tmp_path / "street.yaml"
    model_config.write_text(
        "id: yolo-street\npath: street.onnx\n"
        "class_map: {kinds: {ebike: two_wheeler, stall: trading_object}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GW_KAFKA_BOOTSTRAP", kafka_broker.bootstrap_servers)
    monkeypatch.setenv("GW_DATA_DIR", str(tmp_path))
    camera = f"cam-cli-{uuid.uuid4().hex[:8]}"
    for seq in range(3):
        frame = make_frame(camera, seq, [(10, 10, 30, 60)], size=(128, 64))
        kafka_producer.send(FRAMES, key=key_of(frame), value=encode(frame))
    kafka_producer.flush(10)
    args = _parser().parse_args(
        [
            "detect",
            "--site",
            str(EXAMPLE_SITE),
            "--model-config",
            str(model_config),
            "--group-id",
            unique_group_id,
            "--metrics-port",
            "0",
            "--evidence",
            "always",
        ]
    )
    stop = threading.Event()
    codes: list[int] = []
    worker = threading.Thread(target=lambda: codes.append(detect_cmd.run_detect(args, stop.is_set)))
    worker.start()
    try:
        found = _detections_of(kafka_broker, camera, expected=3)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert codes == [0]
    assert [m.seq for m in found] == [0, 1, 2]
    for message in found:
        assert message.model.id == "yolo-street"
        assert message.detections.class_name == ("ebike",) and message.detections.kind == ("two_wheeler",)
        np.testing.assert_allclose(message.detections.xyxy[0], (44, 22, 84, 42), atol=0.1)
        assert message.evidence_url is not None and message.evidence_url.startswith("file://")
    stored = {p.name for p in (tmp_path / "evidence" / camera).rglob("*.jpg")}
    snapshots = {m.evidence_url.rsplit("/", 1)[1] for m in found if m.evidence_url}
    assert len(snapshots) == 3 and stored == snapshots | {
        n.removesuffix(".jpg") + ".raw.jpg" for n in snapshots
    }


def _detections_of(kafka: KafkaSettings, camera: str, expected: int) -> list[FrameDetections]:
    consumer = make_consumer(kafka, group_id=None)
    partitions = [TopicPartition(DETECTIONS, p) for p in range(8)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    found: list[FrameDetections] = []
    deadline = time.monotonic() + 40
    try:
        while len(found) < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    if record.key == camera.encode():
                        message = decode_record(record.topic, record.key, record.value)
                        assert isinstance(message, FrameDetections)
                        found.append(message)
    finally:
        consumer.close()
    return found
