"""The routes behind the pages: evidence served read-only (and nothing outside its folder), view URLs of
evidence, the page shells and PWA files, the site map, camera health, and demo links."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dispatch.api.context import ApiContext
from dispatch.app import create_app
from dispatch.camera_status import CameraStatusBoard
from dispatch.evidence import EvidenceFolder, EvidenceKeyError, view_url
from dispatch.photos import PhotoStore
from dispatch.rating_links import RatingLinkSigner
from dispatch.web.pages import CONTENT_SECURITY_POLICY
from gridwatch.messages import CameraCounters, CameraStatus
from tests.dispatch.core.api_harness import Api
from tests.dispatch.core.flows import OPERATOR, WORKER
from tests.dispatch.core.harness import HarnessFactory, local

BASE = "https://gw.example.org"


@pytest.fixture
def evidence_root(tmp_path: Path) -> Path:
    root = tmp_path / "evidence"
    (root / "cam-0001" / "20261123").mkdir(parents=True)
    (root / "cam-0001" / "20261123" / "010203-0000000007.jpg").write_bytes(b"\xff\xd8jpeg")
    (tmp_path / "secret.txt").write_text("outside")
    return root


@pytest.fixture
def board() -> CameraStatusBoard:
    return CameraStatusBoard()


@pytest.fixture
def api(new_harness: HarnessFactory, tmp_path: Path, evidence_root: Path, board: CameraStatusBoard) -> Api:
    harness = new_harness(local("2026-11-23 09:00"))
    context = ApiContext(
        core=harness.core,
        photos=PhotoStore(tmp_path / "photos"),
        rating_links=RatingLinkSigner(b"k" * 32, harness.clock),
        evidence=EvidenceFolder(evidence_root, BASE),
        cameras=board,
    )
    return Api(harness, TestClient(create_app(context)))


def test_evidence_is_served_to_token_holders(api: Api) -> None:
    path = "/evidence/cam-0001/20261123/010203-0000000007.jpg"
    assert api.client.get(path).status_code == 401
    answer = api.get(path, WORKER)
    assert (answer.status_code, answer.content, answer.headers["content-type"]) == (
        200,
        b"\xff\xd8jpeg",
        "image/jpeg",
    )
    token = api.tokens[WORKER]
    assert api.client.get(path, params={"access_token": token}).status_code == 200
    missing = api.get("/evidence/cam-0001/20261123/nope.jpg", WORKER)
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "no evidence cam-0001/20261123/nope.jpg"},
    )


@pytest.mark.parametrize(
    "key",
    [
        "../secret.txt",
        "cam-0001/../../secret.txt",
        "cam-0001/%2e%2e/%2e%2e/secret.txt",
        "cam-0001/a b.jpg",
        "x\\y",
    ],
)
def test_evidence_keys_cannot_leave_the_folder(api: Api, key: str) -> None:
    answer = api.get(f"/evidence/{key}", WORKER)
    assert answer.status_code in (400, 404)
    assert b"outside" not in answer.content


@pytest.mark.parametrize(
    "key",
    ["", "/etc/passwd", "../secret.txt", "a/./b.jpg", "a/../b.jpg", "a\\b.jpg", "a/b c.jpg", "a//b.jpg"],
)
def test_path_of_refuses_what_is_not_a_plain_relative_key(evidence_root: Path, key: str) -> None:
    with pytest.raises(EvidenceKeyError, match="evidence key"):
        EvidenceFolder(evidence_root).path_of(key)


def test_view_urls(evidence_root: Path, tmp_path: Path) -> None:
    folder = EvidenceFolder(evidence_root, BASE)
    inside = (evidence_root / "cam-0001" / "20261123" / "010203-0000000007.jpg").as_uri()
    assert view_url(folder, inside) == "/evidence/cam-0001/20261123/010203-0000000007.jpg"
    assert view_url(folder, f"{BASE}/evidence/cam-0001/x.jpg") == "/evidence/cam-0001/x.jpg"
    assert view_url(folder, "https://minio.example/bucket/a.jpg") == "https://minio.example/bucket/a.jpg"
    assert view_url(folder, (tmp_path / "secret.txt").as_uri()) is None  # a file outside the folder
    assert view_url(folder, "s3://bucket/a.jpg") is None
    assert view_url(None, inside) is None
    assert view_url(folder, None) is None


def test_page_shells_and_pwa_files(api: Api) -> None:
    for path in ("/m/", "/m/cases/c-1", "/ops/", "/ops/cases/c-1", "/rate/some-token"):
        answer = api.client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert '<script type="module" src="/static/gw/' in answer.text
        assert "http://" not in answer.text and "https://" not in answer.text  # nothing from elsewhere
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/m/"
    manifest = api.client.get("/m/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert {icon["sizes"] for icon in manifest.json()["icons"]} == {"192x192", "512x512"}
    for size in (192, 512):
        png = api.client.get(f"/m/icons/icon-{size}.png").content
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack("!II", png[16:24]) == (size, size)
    assert api.client.get("/m/icons/icon-64.png").status_code == 404
    worker = api.client.get("/m/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "showNotification" in worker.text and "notificationclick" in worker.text
    for asset in ("common.js", "phone.js", "ops.js", "map.js", "rate.js", "style.css"):
        assert api.client.get(f"/static/gw/{asset}").status_code == 200, asset
    for bad in ("../app.py", "..%2Fapp.py", "__init__.py", "phone.html", "nope.js"):
        assert api.client.get(f"/static/gw/{bad}").status_code == 404, bad


def test_site_map_has_every_micro_grid_with_its_boundary(api: Api) -> None:
    site = api.harness.site
    answer = api.get("/api/v1/site/map", WORKER).json()
    assert [grid["id"] for grid in answer["micro_grids"]] == [grid.id for grid in site.micro_grids]
    first = answer["micro_grids"][0]
    assert first["boundary"]["type"] == "Polygon"
    assert first["boundary"]["coordinates"][0][0] == [119.962, 30.128]
    assert answer["town"]["id"] == site.town.id
    assert api.client.get("/api/v1/site/map").status_code == 401


def test_cameras_carry_the_newest_status_heard(api: Api, board: CameraStatusBoard) -> None:
    counters = CameraCounters(sampled=1, published=1, skipped_by_gate=0, dropped=0, bad_frames=0)
    newer = CameraStatus(
        camera_id="cam-0002", status="offline", reason="no frame for 60 s", at=200.0, counters=counters
    )
    older = CameraStatus(camera_id="cam-0002", status="online", at=100.0, counters=counters)
    assert board.update(newer) is True
    assert board.update(older) is False  # arrived late from another partition: ignored
    cameras = {camera["id"]: camera for camera in api.get("/api/v1/cameras", OPERATOR).json()}
    assert len(cameras) == len(api.harness.site.cameras)
    assert (cameras["cam-0002"]["status"], cameras["cam-0002"]["reason"]) == ("offline", "no frame for 60 s")
    assert cameras["cam-0002"]["status_at"].startswith("1970-01-01T00:03:20")
    assert (cameras["cam-0001"]["status"], cameras["cam-0001"]["status_at"]) == ("unknown", None)
    assert cameras["cam-0001"]["lat"] == api.harness.site.camera("cam-0001").location.lat
