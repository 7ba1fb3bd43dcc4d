"""Evidence: CJK labels from a local font (never downloaded), ASCII fallback, stores and their URLs."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from detectors.class_map import ObjectKind
from detectors.evidence.label_font import (
    LABEL_FONT_ENV,
    AsciiLabelPainter,
    PillowLabelPainter,
    ascii_only,
    find_cjk_font,
    make_label_painter,
)
from detectors.evidence.render import box_label, render_evidence
from detectors.evidence.settings import S3Settings
from detectors.evidence.stores import LocalFolderStore, S3Store, evidence_key
from gridwatch.detections import Detections
from tests.detectors.fakes import CLASS_MAP, CLASS_NAMES


def _cjk_painter() -> PillowLabelPainter:
    font = find_cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (Debian: fonts-wqy-microhei)")
    return PillowLabelPainter(font)


def _ink(painter: PillowLabelPainter | AsciiLabelPainter, text: str) -> np.ndarray:
    canvas = np.zeros((60, 240, 3), np.uint8)
    painter.draw(canvas, text, (4, 50), (255, 255, 255))
    return canvas


def test_chinese_labels_are_drawn_as_glyphs_not_placeholders() -> None:
    painter = _cjk_painter()
    zone = _ink(painter, "盲道")
    other = _ink(painter, "人行道")
    placeholder = _ink(painter, "??")
    assert painter.supports_cjk
    dark = (zone < 128).all(axis=2).sum()
    assert dark > 30, "the glyphs left dark strokes on the white label box"
    assert not np.array_equal(zone, placeholder) and not np.array_equal(zone, other)


def test_without_a_cjk_font_labels_fall_back_to_ascii_with_a_log_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(LABEL_FONT_ENV, raising=False)
    assert find_cjk_font(candidates=[tmp_path / "missing.ttc"]) is None
    with caplog.at_level(logging.WARNING):
        painter = make_label_painter(candidates=[tmp_path / "missing.ttc"])
    assert isinstance(painter, AsciiLabelPainter) and not painter.supports_cjk
    assert "no CJK font found" in caplog.text
    assert ascii_only("便利店 z-1") == "??? z-1"
    assert (_ink(painter, "z-1") > 0).any()


def test_an_explicit_font_path_or_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    explicit, configured = tmp_path / "a.ttf", tmp_path / "b.ttf"
    explicit.write_bytes(b"x")
    configured.write_bytes(b"x")
    monkeypatch.setenv(LABEL_FONT_ENV, str(configured))
    assert find_cjk_font(explicit, candidates=[]) == explicit
    assert find_cjk_font(None, candidates=[]) == configured


def test_box_labels_carry_kind_class_and_score() -> None:
    assert box_label(ObjectKind.TWO_WHEELER, "bicycle", 0.834, cjk=True) == "非机动车 bicycle 0.83"
    assert box_label(ObjectKind.PERSON, "person", 0.5, cjk=False) == "person person 0.50"


def test_render_draws_boxes_without_touching_the_input() -> None:
    image = np.full((120, 160, 3), 40, np.uint8)
    detections = Detections.of_classes(
        [[20, 30, 80, 100]], [0.9], [1], CLASS_NAMES, CLASS_MAP.kinds_of(CLASS_NAMES)
    )
    annotated = render_evidence(image, detections, None, AsciiLabelPainter())
    assert (image == 40).all()
    assert (annotated[100, 50] != 40).any() and (annotated[65, 50] == 40).all()  # outline, not filled


def test_render_shows_the_dismissed_spots_that_still_apply() -> None:
    from datetime import UTC, datetime

    from detectors.camera_zones import CameraZones
    from detectors.evidence.render import SPOT_COLOUR
    from gridwatch.config import SpotException

    image = np.full((540, 960, 3), 40, np.uint8)  # a 1920x1080 camera published at half its size
    rack = SpotException.model_validate(
        {"id": "rack", "polygon": [[200, 200], [800, 200], [800, 700], [200, 700]], "reason": "停放点"}
    )
    ended = rack.model_copy(
        update={
            "id": "old",
            "polygon": ((1300, 800), (1800, 800), (1800, 1050), (1300, 1050)),
            "until": datetime(2026, 1, 1, tzinfo=UTC),
        }
    )
    zones = CameraZones("cam-1", 1920, 1080, (), spots=(rack, ended))
    at = datetime(2026, 12, 8, tzinfo=UTC).timestamp()
    annotated = render_evidence(image, Detections.empty(), zones, AsciiLabelPainter(), at=at)
    left_edge = annotated[200:300, 100].astype(int)  # x 200 native: the rack's left side, drawn grey
    assert (np.abs(left_edge - SPOT_COLOUR).sum(axis=1) < 40).all()
    assert (annotated[250:300, 200:300] == 40).all()  # an outline, not a fill
    assert (annotated[390:540, 640:960] == 40).all()  # the expired one is not drawn
    assert (image == 40).all()


def test_local_store_writes_atomically_and_names_urls(tmp_path: Path) -> None:
    key = evidence_key("cam-0001", 1_750_000_000.5, 42)
    assert key == "cam-0001/20250615/150640-0000000042.jpg"
    url = LocalFolderStore(tmp_path).put(key, b"\xff\xd8jpeg\xff\xd9")
    assert url == (tmp_path / key).resolve().as_uri()
    assert (tmp_path / key).read_bytes() == b"\xff\xd8jpeg\xff\xd9"
    assert not list(tmp_path.rglob(".*.tmp"))
    served = LocalFolderStore(tmp_path, base_url="http://gw.local/evidence").put(key, b"x")
    assert served == f"http://gw.local/evidence/{key}"


def test_s3_store_puts_a_signed_request_to_the_bucket() -> None:
    import datetime as dt

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    settings = S3Settings(endpoint="http://127.0.0.1:9000", bucket="gw-evidence", region="cn-east-1")
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    store = S3Store(
        settings,
        "AKID",
        "SECRET",
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        now=lambda: moment,
    )
    body = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
    url = store.put("cam-1/20260102/030405-0000000001.jpg", body)
    assert url == "http://127.0.0.1:9000/gw-evidence/evidence/cam-1/20260102/030405-0000000001.jpg"
    (request,) = seen
    assert request.method == "PUT" and str(request.url) == url and request.content == body
    assert request.headers["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()
    assert request.headers["x-amz-date"] == "20260102T030405Z"
    auth = request.headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKID/20260102/cn-east-1/s3/aws4_request, ")
    assert "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=" in auth
    other = S3Store(settings, "AKID", "OTHER", now=lambda: moment).signed_headers(
        "PUT", url, body, content_type="image/jpeg"
    )
    assert other["authorization"] != auth, "the signature depends on the secret"


def test_s3_store_reports_a_refusal() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(403)))
    store = S3Store(
        S3Settings(endpoint="http://127.0.0.1:9000", bucket="gw-evidence"), "a", "b", client=client
    )
    with pytest.raises(httpx.HTTPStatusError):
        store.put("k.jpg", b"x")
