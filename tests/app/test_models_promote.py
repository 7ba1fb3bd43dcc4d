"""`gridwatch models promote` and `rollback`: a catalogue model, a zone's model or a stored verifier set on a
copy of the example site as a reviewed diff that touches only that camera's lines; written and logged only
with --write; rolled back step by step to the very same file; refusals exit 2 and write nothing."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.cli.main import main
from gridwatch.config import load_site
from gridwatch.config.promotions import (
    PromotionError,
    PromotionField,
    Target,
    log_path,
    plan_promotion,
    plan_rollback,
    read_log,
    write_edit,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.yaml"
CENTERNET = "centernet-coco80"
SSD = "ssdlite-mobilenetv2-coco90"
VERIFIER = "trading-20261208T0301"


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    shutil.copy(EXAMPLE, path)
    return path


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A verifier store with one verifier: its verifier.json only (listing and the site read nothing else)."""
    root = tmp_path / "verifiers"
    folder = root / VERIFIER
    folder.mkdir(parents=True)
    info = {
        "id": VERIFIER,
        "created_at": "2026-12-08T03:01:00Z",
        "base_model": SSD,
        "applies_to": ["static_foreground"],
        "threshold": 0.5,
        "context": 0.15,
        "input_size": 300,
        "feature_dim": 1856,
        "positives": 12,
        "negatives": 30,
        "data_sha256": "0" * 64,
        "data": "var/export",
        "cross_validation": {"folds": 3, "precision": 0.9, "recall": 0.8, "negatives_removed": 0.7},
    }
    (folder / "verifier.json").write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.setenv("GW_VERIFIER_DIR", str(root))
    return root


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``main``'s status (also where argparse rejects an argument), stdout and stderr."""
    try:
        code = main(args)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _changed(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_catalogue_model_is_shown_with_the_comparison_to_run_then_written_and_logged(
    site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = site_file.read_text(encoding="utf-8")
    args = ["models", "promote", CENTERNET, "--site", str(site_file), "--camera", "cam-0003", "--by", "p-041"]
    code, diff, err = _run(args, capsys)
    assert code == 0, err
    assert site_file.read_text(encoding="utf-8") == before and not log_path(site_file).exists()
    assert _changed(diff) == ["+    detection:", f"+      model: {CENTERNET}"]
    assert "@@ -162," in diff  # after cam-0003's zones, not anywhere else
    # the comparison to run: this site against a temp copy of the promoted one
    (command,) = [line.strip() for line in err.splitlines() if "gridwatch replay compare" in line]
    assert command.startswith(f"gridwatch replay compare {site_file} ")
    assert command.endswith("--footage FOOTAGE --camera cam-0003 --labels LABELS.csv")
    promoted = Path(command.split()[4])
    assert load_site(promoted).camera("cam-0003").detection.model == CENTERNET
    assert err.index("gridwatch replay compare") < err.index("not written")

    code, _, err = _run([*args, "--write"], capsys)
    assert code == 0, err
    after = site_file.read_text(encoding="utf-8")
    assert set(before.splitlines()) <= set(after.splitlines())  # every comment and line kept
    site = load_site(site_file)
    assert site.camera("cam-0003").detection.model == CENTERNET
    assert site.camera("cam-0002").detection.model is None
    (entry,) = read_log(log_path(site_file))
    assert (entry.action, entry.by, entry.camera, entry.zone, entry.field) == (
        "promote",
        "p-041",
        "cam-0003",
        None,
        PromotionField.MODEL,
    )
    assert (entry.previous, entry.value, entry.promoted) == (None, CENTERNET, CENTERNET)
    assert entry.at.tzinfo is not None
    # the same again: nothing to change, nothing logged
    code, diff, err = _run([*args, "--write"], capsys)
    assert (code, diff) == (0, "") and "nothing to change" in err
    assert len(read_log(log_path(site_file))) == 1


def test_a_zone_gets_its_own_model(site_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["models", "promote", SSD, "--site", str(site_file), "--camera", "cam-0004", "--zone", "z-2"]
    code, diff, err = _run([*args, "--write"], capsys)
    assert code == 0, err
    assert _changed(diff) == [f"+        model: {SSD}"]
    camera = load_site(site_file).camera("cam-0004")
    assert (camera.zone("z-2").model, camera.zone("z-1").model, camera.detection.model) == (SSD, None, None)
    (entry,) = read_log(log_path(site_file))
    assert (entry.camera, entry.zone, entry.field) == ("cam-0004", "z-2", PromotionField.MODEL)


def test_a_verifier_from_the_store_sets_the_cameras_verifier_folder(
    site_file: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["models", "promote", VERIFIER, "--site", str(site_file), "--camera", "cam-0007", "--write"]
    code, diff, err = _run(args, capsys)
    assert code == 0, err
    folder = (store / VERIFIER).resolve()
    assert _changed(diff) == ["+    detection:", f"+      verifier: {folder}"]
    assert load_site(site_file).camera("cam-0007").detection.verifier == folder
    (entry,) = read_log(log_path(site_file))
    assert (entry.field, entry.value, entry.promoted) == (PromotionField.VERIFIER, str(folder), VERIFIER)
    # --verifiers names another store: the id is not there
    code, _, err = _run([*args, "--verifiers", str(store.parent / "elsewhere")], capsys)
    assert code == 2 and "unknown id" in err


def test_an_existing_detection_mapping_gets_the_key_replaced_or_added_in_its_own_style(
    site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = site_file.read_text(encoding="utf-8")
    flow = "    detection: {zone_tiles: true}   # flow style\n"
    block = "    detection:                      # block style\n      tile_overlap: 0.2\n"
    text = text.replace("    motion_gate: {keepalive_s: 10}", flow + "    motion_gate: {keepalive_s: 10}", 1)
    text = text.replace(
        "    source: {kind: image_folder, path: var/footage/cam-0004,",
        block + "    source: {kind: image_folder, path: var/footage/cam-0004,",
        1,
    )
    site_file.write_text(text, encoding="utf-8")
    promote = ["models", "promote", CENTERNET, "--site", str(site_file), "--write"]
    code, diff, err = _run([*promote, "--camera", "cam-0003"], capsys)
    assert code == 0, err
    assert _changed(diff) == [
        "-" + flow.rstrip("\n"),
        f"+    detection: {{zone_tiles: true, model: {CENTERNET}}}   # flow style",
    ]
    code, diff, err = _run([*promote, "--camera", "cam-0004"], capsys)
    assert code == 0, err
    assert _changed(diff) == [f"+      model: {CENTERNET}"]
    # a present key is replaced in place
    code, diff, err = _run(
        ["models", "promote", SSD, "--site", str(site_file), "--camera", "cam-0004"], capsys
    )
    assert code == 0, err
    assert _changed(diff) == [f"-      model: {CENTERNET}", f"+      model: {SSD}"]
    site = load_site(site_file)
    assert site.camera("cam-0003").detection.model == CENTERNET
    assert site.camera("cam-0004").detection.tile_overlap == 0.2
    # rolled back, each mapping is as it was
    for camera in ("cam-0004", "cam-0003"):
        code, _, err = _run(
            ["models", "rollback", "--site", str(site_file), "--camera", camera, "--write"], capsys
        )
        assert code == 0, err
    assert site_file.read_text(encoding="utf-8") == text


def test_rolling_back_twice_returns_the_very_same_file_and_a_third_time_has_nothing_left(
    site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = site_file.read_text(encoding="utf-8")
    ensemble = f"ensemble:{CENTERNET}+{SSD}"
    promote = ["models", "promote", "--site", str(site_file), "--camera", "cam-0003", "--write"]
    rollback = ["models", "rollback", "--site", str(site_file), "--camera", "cam-0003"]
    for model in (CENTERNET, ensemble):
        code, _, err = _run([*promote, model], capsys)
        assert code == 0, err
    assert load_site(site_file).camera("cam-0003").detection.model == ensemble
    code, diff, err = _run(rollback, capsys)  # shown, not written
    assert code == 0 and "rolling back promotion #2" in err
    assert _changed(diff) == [f"-      model: {ensemble}", f"+      model: {CENTERNET}"]
    assert load_site(site_file).camera("cam-0003").detection.model == ensemble
    code, _, err = _run([*rollback, "--write", "--by", "p-042"], capsys)
    assert code == 0, err
    assert load_site(site_file).camera("cam-0003").detection.model == CENTERNET
    code, diff, err = _run([*rollback, "--write"], capsys)
    assert code == 0, err
    assert _changed(diff) == ["-    detection:", f"-      model: {CENTERNET}"]
    assert site_file.read_text(encoding="utf-8") == original
    entries = read_log(log_path(site_file))
    assert [(e.seq, e.action, e.undoes, e.previous, e.value) for e in entries] == [
        (1, "promote", None, None, CENTERNET),
        (2, "promote", None, CENTERNET, ensemble),
        (3, "rollback", 2, ensemble, CENTERNET),
        (4, "rollback", 1, CENTERNET, None),
    ]
    assert entries[2].by == "p-042"
    code, diff, err = _run([*rollback, "--write"], capsys)
    assert (code, diff) == (2, "") and "nothing to roll back" in err
    assert site_file.read_text(encoding="utf-8") == original and len(read_log(log_path(site_file))) == 4


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["promote", "yolo-nonesuch", "--camera", "cam-0003"], "unknown id 'yolo-nonesuch'"),
        (["promote", f"ensemble:{CENTERNET}+nonesuch", "--camera", "cam-0003"], "unknown member(s) nonesuch"),
        (["promote", CENTERNET, "--camera", "cam-9999"], "no camera 'cam-9999'"),
        (["promote", CENTERNET, "--camera", "cam-0003", "--zone", "z-9"], "no zone 'z-9' (its zones: z-1)"),
        (["promote", VERIFIER, "--camera", "cam-0003", "--zone", "z-1"], "not per zone; leave out --zone"),
        (["promote", CENTERNET, "--all-cameras", "--zone", "z-1"], "--zone needs --camera"),
        (["promote", CENTERNET, "--camera", "cam-0003", "--footage", "clip.mp4"], "go together"),
        (["rollback", "--camera", "cam-0003"], "nothing to roll back"),
        (
            ["rollback", "--camera", "cam-0003", "--zone", "z-1", "--field", "verifier"],
            "a zone has a model only",
        ),
    ],
)
def test_refusals_exit_2_and_write_nothing(
    site_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    before = site_file.read_text(encoding="utf-8")
    code, out, err = _run(["models", *args, "--site", str(site_file), "--write"], capsys)
    assert code == 2 and out == ""
    assert problem in err
    assert site_file.read_text(encoding="utf-8") == before and not log_path(site_file).exists()


def test_the_unknown_id_error_lists_the_catalogue_and_the_verifiers(
    site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        ["models", "promote", "nope", "--site", str(site_file), "--camera", "cam-0003"], capsys
    )
    assert code == 2 and CENTERNET in err and SSD in err and VERIFIER in err and "ensemble:A+B" in err


def test_the_library_logs_with_the_clock_it_is_given_and_refuses_a_field_changed_by_hand(
    site_file: Path,
) -> None:
    text = site_file.read_text(encoding="utf-8")
    moment = datetime(2026, 12, 9, 8, 30, tzinfo=UTC)
    targets = [Target(camera, None, PromotionField.MODEL) for camera in ("cam-0001", "cam-0002")]
    edit = plan_promotion(text, site_file, targets, SSD, promoted=SSD, by="p-041", clock=lambda: moment)
    assert [(e.seq, e.camera, e.at) for e in edit.entries] == [
        (1, "cam-0001", moment),
        (2, "cam-0002", moment),
    ]
    assert len(_changed(edit.diff)) == 4
    write_edit(site_file, edit)
    line = json.loads(log_path(site_file).read_text(encoding="utf-8").splitlines()[0])
    assert line["at"] == "2026-12-09T08:30:00Z" and line["previous"] is None and line["value"] == SSD
    edited = site_file.read_text(encoding="utf-8").replace(f"model: {SSD}", f"model: {CENTERNET}", 1)
    log = read_log(log_path(site_file))
    with pytest.raises(PromotionError, match="changed by hand since"):
        plan_rollback(edited, site_file, targets[0], by=None, clock=lambda: moment, log=log)


def test_all_cameras_sets_every_camera_and_logs_each(
    site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        ["models", "promote", SSD, "--site", str(site_file), "--all-cameras", "--write"], capsys
    )
    assert code == 0, err
    site = load_site(site_file)
    assert all(camera.detection.model == SSD for camera in site.cameras)
    assert [e.camera for e in read_log(log_path(site_file))] == [camera.id for camera in site.cameras]


def test_footage_and_labels_run_the_comparison_of_the_current_and_the_promoted_site_first(
    site_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import replay.compare
    import replay.labels
    import replay.session

    seen: list[str | None] = []

    def execute(request: replay.session.ReplayRequest) -> SimpleNamespace:
        assert [(item.path, item.camera) for item in request.items] == [(footage, "cam-0003")]
        seen.append(load_site(request.site_path).camera("cam-0003").detection.model)
        return SimpleNamespace(report=f"report {len(seen)}")

    footage = tmp_path / "frames"
    footage.mkdir()
    monkeypatch.setattr(replay.session, "execute", execute)
    monkeypatch.setattr(replay.labels, "read_labels", lambda path: [])
    monkeypatch.setattr(replay.compare, "side_by_side", lambda na, a, nb, b: f"{na}: {a} | {nb}: {b}\n")
    args = ["models", "promote", CENTERNET, "--site", str(site_file), "--camera", "cam-0003"]
    code, out, err = _run([*args, "--footage", str(footage), "--labels", str(tmp_path / "l.csv")], capsys)
    assert code == 0, err
    assert seen == [None, CENTERNET]
    assert out.startswith(f"{site_file} (current): report 1 | promoted: report 2\n--- a/site.yaml")
    assert "gridwatch replay compare" not in err
