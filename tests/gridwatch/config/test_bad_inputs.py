"""Every kind of bad site input gets a precise problem: the field path, what is wrong, and the YAML line."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gridwatch.config import Problem, SiteConfigError, parse_site
from tests.gridwatch.config.site_text import MINIMAL_SITE, line_containing, mutate


@dataclass(frozen=True)
class BadCase:
    """Replace ``old`` by ``new`` in the minimal site; expect a problem at ``path`` whose message contains
    ``message`` on the first line of the broken text containing ``line_of``."""

    name: str
    old: str
    new: str
    path: str
    message: str
    line_of: str


CASES = [
    BadCase(
        "unknown field",
        "    zones:\n      - id: z-1\n        name: 人行道",
        "    zonez:\n      - id: z-1\n        name: 人行道",
        "cameras[0].zonez",
        "unknown field",
        "zonez:",
    ),
    BadCase(
        "unknown field inside a tagged union",
        "{kind: image_folder, path: var/footage/cam-2}",
        "{kind: image_folder, path: var/footage/cam-2, lopp: true}",
        "cameras[1].source.lopp",
        "unknown field",
        "lopp",
    ),
    BadCase(
        "polygon with fewer than 3 points",
        "[[10, 300], [1200, 300], [640, 700]]",
        "[[10, 300], [1200, 300]]",
        "cameras[1].zones[0].polygon",
        "needs at least 3 points",
        "[[10, 300], [1200, 300]]",
    ),
    BadCase(
        "bow-tie polygon",
        "[[100, 600], [1800, 600], [1800, 1000], [100, 1000]]",
        "[[100, 600], [1800, 1000], [1800, 600], [100, 1000]]",
        "cameras[0].zones[0].polygon",
        "self-intersecting: edge 0 (100, 600)-(1800, 1000) crosses edge 2 (1800, 600)-(100, 1000)",
        "[[100, 600], [1800, 1000]",
    ),
    BadCase(
        "polygon folding back along a line",
        "[[10, 10], [300, 10], [300, 200], [10, 200]]",
        "[[10, 10], [300, 10], [150, 10], [150, 200]]",
        "cameras[1].zones[1].polygon",
        "self-intersecting: edges 0 and 1 overlap along a line",
        "[[10, 10], [300, 10], [150, 10]",
    ),
    BadCase(
        "polygon vertex touching another edge",
        "[[10, 10], [300, 10], [300, 200], [10, 200]]",
        "[[10, 10], [300, 10], [300, 200], [200, 200], [200, 10], [100, 100]]",
        "cameras[1].zones[1].polygon",
        "self-intersecting",
        "[200, 10]",
    ),
    BadCase(
        "zone outside the image",
        "[[100, 600], [1800, 600], [1800, 1000], [100, 1000]]",
        "[[100, 600], [1800, 600], [2000, 800], [1800, 1000], [100, 1000]]",
        "cameras[0].zones[0].polygon[2]",
        "point (2000, 800) lies outside the 1920x1080 image",
        "[2000, 800]",
    ),
    BadCase(
        "camera in an unknown micro-grid",
        "    micro_grid: mg-2\n",
        "    micro_grid: mg-9\n",
        "cameras[1].micro_grid",
        "unknown micro-grid mg-9",
        "micro_grid: mg-9",
    ),
    BadCase(
        "camera in a community grid",
        "    micro_grid: mg-2\n",
        "    micro_grid: cg-1\n",
        "cameras[1].micro_grid",
        "cg-1 is a community grid; cameras belong to a micro-grid",
        "micro_grid: cg-1",
    ),
    BadCase(
        "duplicate camera id",
        "  - id: cam-2\n",
        "  - id: cam-1  # again\n",
        "cameras[1].id",
        "duplicate camera id cam-1 (first at cameras[0].id)",
        "# again",
    ),
    BadCase(
        "duplicate zone id within a camera",
        "      - id: z-2\n",
        "      - id: z-1  # the same id again\n",
        "cameras[1].zones[1].id",
        "duplicate zone id z-1 (first at cameras[1].zones[0].id)",
        "# the same id again",
    ),
    BadCase(
        "grid id used at two levels",
        "{id: mg-2, name: 二号微网格}",
        "{id: cg-1, name: 二号微网格}",
        "grid.communities[0].micro_grids[1].id",
        "duplicate grid id cg-1 (first at grid.communities[0].id)",
        "{id: cg-1, name: 二号微网格}",
    ),
    BadCase(
        "duplicate person id",
        "{id: p-6, name: 孙八",
        "{id: p-5, name: 孙八",
        "people[5].id",
        "duplicate person id p-5 (first at people[4].id)",
        "孙八",
    ),
    BadCase(
        "duplicate event class code",
        'code: "01"',
        'code: "04"',
        "event_classes[2].code",
        "duplicate event class code 04 (first at event_classes[1].code)",
        "无照经营游商",
    ),
    BadCase(
        "worker on duty nowhere",
        "      - {person: p-4, start:",
        "      - {person: p-2, start:",
        "people[3]",
        "worker p-4 is on duty nowhere (no roster shift names them)",
        "{id: p-4,",
    ),
    BadCase(
        "handling time limit of zero",
        "handle_within_h: 4}",
        "handle_within_h: 0}",
        "event_classes[1].handle_within_h",
        "time limit must be more than 0 working hours, got 0",
        "handle_within_h: 0}",
    ),
    BadCase(
        "negative accept time limit",
        "chengguan,\n     accept_within_h: 0.5",
        "chengguan,\n     accept_within_h: -1",
        "event_classes[0].accept_within_h",
        "time limit must be more than 0 working hours, got -1",
        "accept_within_h: -1",
    ),
    BadCase(
        "invalid YAML",
        "    name: 人民路口\n",
        "    name: 人民路口: 东\n",
        "",
        "invalid YAML: mapping values are not allowed",
        "人民路口: 东",
    ),
    BadCase(
        "micro-grid without a leader",
        "{id: p-3, name: 王五, role: leader",
        "{id: p-3, name: 王五, role: operator",
        "grid.communities[0].micro_grids[1]",
        "micro-grid mg-2 has no leader (escalation needs one)",
        "{id: mg-2,",
    ),
    BadCase(
        "rule kind no event class maps",
        '  - {code: "01", name: 无照经营游商, rules: [mobile_vendor], department: scjg,\n'
        "     accept_within_h: 0.5, handle_within_h: 2}\n",
        "",
        "cameras[1].zones[0].rules[0].kind",
        "rule kind mobile_vendor has no event class",
        "{kind: mobile_vendor",
    ),
    BadCase(
        "unknown department of an event class",
        "rules: [mobile_vendor], department: scjg",
        "rules: [mobile_vendor], department: police",
        "event_classes[2].department",
        "unknown department police",
        "police",
    ),
    BadCase(
        "person in an unknown grid",
        "{id: p-7, name: 周九, role: operator, grid: town}",
        "{id: p-7, name: 周九, role: operator, grid: city}",
        "people[6].grid",
        "unknown grid city",
        "周九",
    ),
    BadCase(
        "roster naming an unknown person",
        "      - {person: p-2, days:",
        '      - {person: p-2, days: [sat], start: "09:00", end: "10:00"}\n      - {person: p-99, days:',
        "rosters[0].shifts[1].person",
        "unknown person p-99",
        "p-99",
    ),
    BadCase(
        "environment reference that is no variable name",
        "username_env: CAM_USER",
        "username_env: cam user",
        "cameras[0].source.username_env",
        "'cam user' is not an environment variable name",
        "cam user",
    ),
    BadCase(
        "credentials written into a URL",
        '"rtsp://cam-1.example/s"',
        '"rtsp://admin:secret@cam-1.example/stream"',
        "cameras[0].source.url",
        "credentials do not go in the URL",
        "admin:secret",
    ),
    BadCase(
        "unknown source kind",
        "{kind: rtsp,",
        "{kind: ftp,",
        "cameras[0].source.kind",
        "unknown kind 'ftp'",
        "kind: ftp",
    ),
    BadCase(
        "clock time out of range",
        'start: "13:30"',
        'start: "24:30"',
        "calendar.working_hours[1].start",
        "'24:30' is not a time of day as \"HH:MM\"",
        "24:30",
    ),
    BadCase(
        "event code written as a number",
        'code: "06"',
        "code: 6",
        "event_classes[0].code",
        'event class codes are two-digit strings in quotes, e.g. "06"',
        "code: 6",
    ),
    BadCase(
        "key written twice",
        "{kind: ebike_parking, dwell_s: 600}",
        "{kind: ebike_parking, dwell_s: 600, dwell_s: 60}",
        "cameras[0].zones[0].rules[0].dwell_s",
        "key 'dwell_s' appears twice",
        "dwell_s: 60}",
    ),
    BadCase(
        "required field missing",
        "    sample_fps: 1\n",
        "",
        "cameras[1].sample_fps",
        "required field is missing",
        "  - id: cam-2",
    ),
    BadCase(
        "unknown timezone",
        "timezone: Asia/Shanghai",
        "timezone: Mars/Olympus",
        "site.timezone",
        "unknown timezone 'Mars/Olympus'",
        "Mars/Olympus",
    ),
]


def _problems(text: str) -> tuple[Problem, ...]:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(text, "site.yaml")
    return caught.value.problems


def test_the_minimal_site_is_valid() -> None:
    site = parse_site(MINIMAL_SITE)
    assert [camera.id for camera in site.cameras] == ["cam-1", "cam-2"]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_names_field_problem_and_line(case: BadCase) -> None:
    text = mutate(case.old, case.new)
    problems = _problems(text)
    matching = [p for p in problems if p.path == case.path and case.message in p.message]
    assert matching, f"no problem at {case.path!r} saying {case.message!r} in:\n" + "\n".join(
        map(str, problems)
    )
    assert matching[0].line == line_containing(text, case.line_of)


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = mutate("    micro_grid: mg-2\n", "    micro_grid: mg-9\n")
    text = mutate("role: operator, grid: town}", "role: operator, grid: city}", text)
    text = mutate("department: scjg,\n", "department: police,\n", text)
    paths = {p.path for p in _problems(text)}
    assert {"cameras[1].micro_grid", "people[6].grid", "event_classes[2].department"} <= paths


def test_problems_come_in_file_order() -> None:
    text = mutate("handle_within_h: 4}", "handle_within_h: 0}")
    text = mutate("username_env: CAM_USER", "username_env: 1CAM", text)
    lines = [p.line for p in _problems(text)]
    assert lines == sorted(lines, key=lambda line: line or 0)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "the file is empty", 1),
        ("- just\n- a list\n", "the top level must be a mapping", 1),
        ("site: {id: x\n", "invalid YAML", 2),
    ],
)
def test_documents_that_are_no_site(text: str, message: str, line: int) -> None:
    (problem,) = _problems(text)
    assert problem.path == ""
    assert message in problem.message
    assert problem.line == line


def test_rendered_problem_reads_like_a_compiler_message() -> None:
    problem = Problem("cameras[0].zonez", "unknown field", 12)
    assert problem.render("site.yaml") == "site.yaml:12: cameras[0].zonez: unknown field"
    assert Problem("", "no such file").render("x.yaml") == "x.yaml: no such file"
