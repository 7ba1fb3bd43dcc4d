"""A small valid site as YAML text, for tests that break one thing at a time."""

from __future__ import annotations

MINIMAL_SITE = """\
site:
  id: test
  name: 测试镇
  timezone: Asia/Shanghai
calendar:
  working_hours:
    - {days: [mon, tue, wed, thu, fri], start: "08:30", end: "12:00"}
    - {days: [mon, tue, wed, thu, fri], start: "13:30", end: "17:30"}
  holidays: [2026-10-01]
  extra_workdays: [2026-10-10]
departments:
  - {id: chengguan, name: 城管}
  - {id: scjg, name: 市场监管}
grid:
  town: {id: town, name: 测试镇}
  communities:
    - id: cg-1
      name: 一社区
      micro_grids:
        - {id: mg-1, name: 一号微网格}
        - {id: mg-2, name: 二号微网格}
cameras:
  - id: cam-1
    name: 人民路口
    micro_grid: mg-1
    location: {lat: 30.1, lon: 120.1}
    resolution: [1920, 1080]
    sample_fps: 0.5
    source: {kind: rtsp, url: "rtsp://cam-1.example/s", username_env: CAM_USER, password_env: CAM_PASSWORD}
    zones:
      - id: z-1
        name: 人行道
        polygon: [[100, 600], [1800, 600], [1800, 1000], [100, 1000]]
        rules:
          - {kind: ebike_parking, dwell_s: 600}
          - {kind: storefront_trading, dwell_s: 900}
  - id: cam-2
    name: 学府路口
    micro_grid: mg-2
    location: {lat: 30.2, lon: 120.2}
    resolution: [1280, 720]
    sample_fps: 1
    source: {kind: image_folder, path: var/footage/cam-2}
    zones:
      - id: z-1
        name: 校门口
        polygon: [[10, 300], [1200, 300], [640, 700]]
        rules: [{kind: mobile_vendor, dwell_s: 300, active_hours: [{start: "17:00", end: "02:00"}]}]
      - id: z-2
        name: 盲道
        polygon: [[10, 10], [300, 10], [300, 200], [10, 200]]
        rules: [{kind: ebike_parking, dwell_s: 300}]
people:
  - {id: p-1, name: 张三, role: leader, grid: mg-1}
  - {id: p-2, name: 李四, role: worker, grid: mg-1}
  - {id: p-3, name: 王五, role: leader, grid: mg-2}
  - {id: p-4, name: 赵六, role: worker, grid: mg-2}
  - {id: p-5, name: 钱七, role: department, grid: town, department: chengguan}
  - {id: p-6, name: 孙八, role: department, grid: town, department: scjg}
  - {id: p-7, name: 周九, role: operator, grid: town}
rosters:
  - grid: mg-1
    shifts:
      - {person: p-2, days: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00"}
  - grid: mg-2
    shifts:
      - {person: p-4, start: "20:00", end: "06:00"}
event_classes:
  - {code: "06", name: 非机动车乱停放, rules: [ebike_parking], department: chengguan,
     accept_within_h: 0.5, handle_within_h: 2}
  - {code: "04", name: 店外经营, rules: [storefront_trading], department: chengguan,
     accept_within_h: 1, handle_within_h: 4}
  - {code: "01", name: 无照经营游商, rules: [mobile_vendor], department: scjg,
     accept_within_h: 0.5, handle_within_h: 2}
"""


def mutate(old: str, new: str, text: str = MINIMAL_SITE) -> str:
    """The site with one exact piece of text replaced (it must occur exactly once)."""
    if text.count(old) != 1:
        raise AssertionError(f"{old!r} occurs {text.count(old)} times in the site text")
    return text.replace(old, new)


def line_containing(text: str, marker: str) -> int:
    """1-based line of the first line containing a marker."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} is in no line")
