"""The SSD decoder and the COCO-90 column mapping, on hand-made outputs whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.coco import COCO80_CLASS_NAMES, COCO90_IDS, coco90_column_classes
from detectors.decoders.centernet import CenterNetDecoderConfig
from detectors.decoders.ssd import SsdDecoderConfig, decode_ssd
from detectors.models.registry import SSD_MODEL_ID, get_model_spec, runnable_catalogue_model
from detectors.models.runnable import SsdOutputs

COLUMNS = np.array(coco90_column_classes(), np.int64)
BICYCLE, PERSON = COCO80_CLASS_NAMES.index("bicycle"), COCO80_CLASS_NAMES.index("person")


Row = tuple[int, float, tuple[float, float, float, float]]


def _outputs(rows: list[Row], anchors: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Scores (A, 90) and boxes (A, 1, 4); a row per anchor: (COCO id, score, (ymin, xmin, ymax, xmax))."""
    scores = np.full((anchors, 90), 0.01, np.float32)
    boxes = np.zeros((anchors, 1, 4), np.float32)
    for anchor, (coco_id, score, box) in enumerate(rows):
        scores[anchor, coco_id - 1] = score
        boxes[anchor, 0] = box
    return scores, boxes


def test_coco90_columns_map_ids_to_coco80_classes_and_gaps_to_minus_one() -> None:
    columns = coco90_column_classes()
    assert len(columns) == 90 and len(COCO90_IDS) == 80 == len(set(COCO90_IDS))
    named = {coco_id: COCO80_CLASS_NAMES[columns[coco_id - 1]] for coco_id in (1, 2, 4, 28, 62, 64, 67, 90)}
    assert named == {
        1: "person", 2: "bicycle", 4: "motorcycle", 28: "umbrella", 62: "chair", 64: "potted plant",
        67: "dining table", 90: "toothbrush",
    }  # fmt: skip
    assert [i + 1 for i, c in enumerate(columns) if c < 0] == [12, 26, 29, 30, 45, 66, 68, 69, 71, 83]
    assert sorted(c for c in columns if c >= 0) == list(range(80))


def test_boxes_scale_to_input_pixels_as_xyxy_and_classes_come_from_coco_ids() -> None:
    scores, boxes = _outputs([(2, 0.9, (0.1, 0.2, 0.5, 0.4)), (1, 0.6, (0.0, 0.6, 1.0, 0.9))])
    decoded = decode_ssd(scores, boxes, COLUMNS, 300, SsdDecoderConfig(score_threshold=0.5))
    np.testing.assert_allclose(decoded.xyxy, [[60, 30, 120, 150], [180, 0, 270, 300]], atol=1e-4)
    assert decoded.class_id.tolist() == [BICYCLE, PERSON]
    np.testing.assert_allclose(decoded.score, [0.9, 0.6])


def test_the_best_class_per_anchor_counts_and_unused_ids_are_ignored() -> None:
    scores, boxes = _outputs([(12, 0.95, (0.1, 0.1, 0.2, 0.2))])  # id 12: a gap in COCO's ids
    scores[0, 3] = 0.7  # the same anchor's motorcycle (id 4) score
    decoded = decode_ssd(scores, boxes, COLUMNS, 300, SsdDecoderConfig())
    assert decoded.class_id.tolist() == [COCO80_CLASS_NAMES.index("motorcycle")]
    np.testing.assert_allclose(decoded.score, [0.7])


def test_threshold_nms_per_class_or_agnostic_and_the_cap() -> None:
    rider = [
        (2, 0.9, (0.50, 0.10, 0.90, 0.40)),  # bicycle
        (2, 0.8, (0.51, 0.11, 0.91, 0.41)),  # the same bicycle again: suppressed
        (1, 0.7, (0.45, 0.12, 0.88, 0.40)),  # its rider, overlapping it: kept unless class-agnostic
        (1, 0.3, (0.0, 0.8, 0.2, 0.9)),  # a small person elsewhere, below 0.5
    ]
    scores, boxes = _outputs(rider)
    per_class = decode_ssd(scores, boxes, COLUMNS, 300, SsdDecoderConfig(score_threshold=0.25))
    assert per_class.class_id.tolist() == [BICYCLE, PERSON, PERSON]
    np.testing.assert_allclose(per_class.score, [0.9, 0.7, 0.3])
    agnostic = decode_ssd(
        scores, boxes, COLUMNS, 300, SsdDecoderConfig(score_threshold=0.25, class_agnostic_nms=True)
    )
    assert agnostic.class_id.tolist() == [BICYCLE, PERSON] and agnostic.score[1] == pytest.approx(0.3)
    as_the_package = SsdDecoderConfig(
        score_threshold=0.5, iou_threshold=0.5, class_agnostic_nms=True, max_detections=20
    )
    assert decode_ssd(scores, boxes, COLUMNS, 300, as_the_package).class_id.tolist() == [BICYCLE]
    capped = decode_ssd(scores, boxes, COLUMNS, 300, SsdDecoderConfig(score_threshold=0.25, max_detections=1))
    assert capped.class_id.tolist() == [BICYCLE]
    none = decode_ssd(scores, boxes, COLUMNS, 300, SsdDecoderConfig(score_threshold=0.95))
    assert len(none) == 0 and none.xyxy.shape == (0, 4)


def test_inverted_boxes_are_never_emitted_and_bad_shapes_are_refused() -> None:
    scores, boxes = _outputs([(3, 0.9, (0.5, 0.5, 0.4, 0.45))])
    decoded = decode_ssd(scores, boxes.reshape(-1, 4), COLUMNS, 100, SsdDecoderConfig())
    assert np.all(decoded.xyxy[:, 2:] >= decoded.xyxy[:, :2])
    with pytest.raises(ValueError, match=r"boxes \(6, 4\)"):
        decode_ssd(scores, boxes[:3], COLUMNS, 300, SsdDecoderConfig())
    with pytest.raises(ValueError, match="column classes"):
        decode_ssd(scores, boxes, COLUMNS[:80], 300, SsdDecoderConfig())


def test_the_runnable_model_decodes_each_image_of_a_batch() -> None:
    spec = get_model_spec(SSD_MODEL_ID)
    model = runnable_catalogue_model(spec)
    assert isinstance(model.decoder, SsdOutputs) and model.input_size == 300
    first, first_boxes = _outputs([(2, 0.9, (0.1, 0.1, 0.3, 0.3))])
    second, second_boxes = _outputs([(1, 0.8, (0.5, 0.5, 0.9, 0.7))])
    outputs = [np.stack([first, second]), np.stack([first_boxes, second_boxes])]
    assert [model.decoder.decode(outputs, i).class_id.tolist() for i in (0, 1)] == [[BICYCLE], [PERSON]]
    with pytest.raises(TypeError, match="ssd decoder"):
        runnable_catalogue_model(spec, CenterNetDecoderConfig())


def test_catalogue_entries_pair_decoder_and_settings() -> None:
    spec = get_model_spec(SSD_MODEL_ID)
    assert spec.licence.spdx == "Apache-2.0" and spec.source.version == "1.0.6"
    assert get_model_spec().id == SSD_MODEL_ID, "the default model is the one models eval measures best"
    with pytest.raises(ValueError, match="SsdDecoderConfig"):
        spec.model_validate({**spec.model_dump(), "decoder_defaults": CenterNetDecoderConfig()})
    with pytest.raises(ValueError, match="score_columns"):
        spec.model_validate({**spec.model_dump(), "score_columns": (0, 80)})
