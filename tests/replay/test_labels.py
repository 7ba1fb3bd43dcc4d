"""The label format: CSV and JSON, relative and absolute times, and errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridwatch.messages import RuleKind
from replay.errors import ReplayError
from replay.labels import parse_csv, parse_json, read_labels, to_csv, to_json, write_labels

CSV = """camera,zone,class,start,end,note
cam-0003,z-1,ebike_parking,12.5,95,two bikes
cam-0003,z-1,06,2026-03-01T08:00:12+08:00,2026-03-01T08:01:35+08:00,
"""


def test_csv_reads_rule_kinds_class_codes_and_both_kinds_of_time() -> None:
    first, second = parse_csv(CSV, "l.csv")
    assert (first.camera, first.zone, first.rule, first.start, first.end) == (
        "cam-0003", "z-1", RuleKind.EBIKE_PARKING, 12.5, 95.0,
    )  # fmt: skip
    assert not first.absolute and first.note == "two bikes" and first.origin == "l.csv:2"
    assert second.rule is RuleKind.EBIKE_PARKING and second.absolute
    assert second.end - second.start == 83.0
    assert first.resolved(1_000.0) == (1_012.5, 1_095.0)
    assert second.resolved(1_000.0) == (second.start, second.end)  # absolute times ignore the footage start


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("camera,zone,start,end\n", "l.csv:1: header lacks class"),
        ("camera,zone,class,start,end\ncam,z,parking,1,2\n", "l.csv:2: class 'parking' is not one of"),
        ("camera,zone,class,start,end\ncam,z,06,1,2\ncam,z,06,9,3\n", "l.csv:3: end 3 is before start 9"),
        (
            "camera,zone,class,start,end\ncam,z,06,1,2026-03-01T08:00:00+08:00\n",
            "l.csv:2: start and end must",
        ),
        (
            "camera,zone,class,start,end\ncam,z,06,1,2026-03-01T08:00:00\n",
            "l.csv:2: '2026-03-01T08:00:00' has no tz",
        ),
        ("camera,zone,class,start,end\ncam,,06,1,2\n", "l.csv:2: missing zone"),
        ("camera,zone,class,start,end\ncam,z,06,1,2,extra\n", "l.csv:2: more fields than the header"),
    ],
)
def test_csv_errors_name_the_line_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(ReplayError) as caught:
        parse_csv(text, "l.csv")
    assert str(caught.value).startswith(message.replace("has no tz", "has no timezone"))


def test_json_reads_a_list_or_an_object_and_names_bad_entries() -> None:
    labels = parse_json('{"labels": [{"camera": "c", "zone": "z", "class": "04", "start": 1, "end": 2}]}')
    assert labels[0].rule is RuleKind.STOREFRONT_TRADING
    assert parse_json('[{"camera": "c", "zone": "z", "class": "01", "start": "1", "end": "2"}]')[0].end == 2.0
    with pytest.raises(ReplayError, match=r"l.json: labels\[1\]: unknown field colour"):
        parse_json(
            '[{"camera": "c", "zone": "z", "class": "01", "start": 1, "end": 2},'
            ' {"camera": "c", "zone": "z", "class": "01", "start": 1, "end": 2, "colour": 1}]',
            "l.json",
        )
    with pytest.raises(ReplayError, match=r"l.json:2: invalid JSON"):
        parse_json('[\n{"camera": }]', "l.json")


def test_csv_and_json_round_trip_through_files(tmp_path: Path) -> None:
    labels = parse_csv(CSV, "l.csv")
    for name in ("out.csv", "out.json"):
        path = tmp_path / name
        write_labels(path, labels)
        again = read_labels(path)
        assert [(x.camera, x.zone, x.rule, x.start, x.end, x.absolute) for x in again] == [
            (x.camera, x.zone, x.rule, x.start, x.end, x.absolute) for x in labels
        ]
    assert to_csv(labels).splitlines()[0] == "camera,zone,class,start,end,note"
    assert '"class": "ebike_parking"' in to_json(labels)
    (tmp_path / "labels.txt").write_text("camera,zone,class,start,end\n", encoding="utf-8")
    with pytest.raises(ReplayError, match=r"expected a \.csv or \.json file"):
        read_labels(tmp_path / "labels.txt")


def test_labels_carry_a_box_or_a_point_through_csv_and_json(tmp_path: Path) -> None:
    text = (
        "camera,zone,class,start,end,box,point,note\n"
        "cam-1,z-1,06,10,70,100 200 160.5 260,,bike\n"
        "cam-1,z-2,04,5,50,,300 410,table\n"
        "cam-1,z-2,04,5,50,,,no place\n"
    )
    boxed, pointed, plain = parse_csv(text, "l.csv")
    assert boxed.box == (100.0, 200.0, 160.5, 260.0) and boxed.point is None
    assert pointed.point == (300.0, 410.0) and pointed.box is None
    assert plain.box is None and plain.point is None
    for name in ("out.csv", "out.json"):
        path = tmp_path / name
        write_labels(path, [boxed, pointed, plain])
        again = read_labels(path)
        assert [(x.box, x.point, x.note) for x in again] == [
            ((100.0, 200.0, 160.5, 260.0), None, "bike"),
            (None, (300.0, 410.0), "table"),
            (None, None, "no place"),
        ]
    json_list = parse_json(
        '[{"camera": "c", "zone": "z", "class": "06", "start": 1, "end": 2, "box": [1, 2, 3, 4]}]'
    )
    assert json_list[0].box == (1.0, 2.0, 3.0, 4.0)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("1 2 3", "box (x1 y1 x2 y2) must be 4 numbers"),
        ("1 2 x 4", "box (x1 y1 x2 y2) must be 4 numbers"),
        ("10 10 5 20", "box 10 10 5 20 is empty"),
    ],
)
def test_a_bad_box_names_the_line(cells: str, message: str) -> None:
    with pytest.raises(ReplayError) as caught:
        parse_csv(f"camera,zone,class,start,end,box\ncam,z,06,1,2,{cells}\n", "l.csv")
    assert str(caught.value).startswith(f"l.csv:2: {message}")
