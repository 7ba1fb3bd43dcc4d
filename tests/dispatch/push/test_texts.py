"""Notice wording, byte-safe truncation and the notice contract's own checks."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from dispatch.push import NoticeKind, TaskNotice, compose_notice
from dispatch.push.rich_text import pack_lines
from dispatch.push.utf8 import truncate_utf8
from dispatch.push.wording import dwell_text, local_time_text
from tests.dispatch.push.conftest import SHANGHAI
from tests.dispatch.push.samples import DEADLINE, notice


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "…"),  # the ellipsis alone is 3 bytes
        ("abcdef", 5, "ab…"),
        ("非机动车", 12, "非机动车"),
        ("非机动车", 11, "非机…"),  # 2 chars (6 bytes) + ellipsis (3); a third char would split
        ("非机动车", 8, "非…"),
        ("非机动车", 2, ""),
    ],
)
def test_truncate_utf8_never_splits_a_character(text: str, limit: int, expected: str) -> None:
    cut = truncate_utf8(text, limit)
    assert cut == expected
    assert len(cut.encode("utf-8")) <= limit


def test_pack_lines_keeps_head_and_tail_and_cuts_the_line_that_overflows() -> None:
    packed = pack_lines("<h>", ["第一行", "第二行很长很长很长"], "<t>", 40, lambda s: f"<p>{s}</p>")

    assert packed.startswith("<h><p>第一行</p><p>第二") and packed.endswith("…</p><t>")
    assert len(packed.encode()) <= 40


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (NoticeKind.NEW_TASK, "新任务：非机动车乱停放"),
        (NoticeKind.REMINDER, "催办：非机动车乱停放"),
        (NoticeKind.ESCALATED, "上报案件：非机动车乱停放"),
        (NoticeKind.RETURNED, "退回重办：非机动车乱停放"),
    ],
)
def test_titles_per_kind(kind: NoticeKind, title: str) -> None:
    assert notice(kind).title == title


def test_body_names_place_dwell_note_and_case() -> None:
    composed = compose_notice(
        kind="returned",
        case_id="C-1",
        recipient_id="p-1",
        class_code="04",
        class_name="店外经营",
        place="兴业路文化广场门前",
        url="https://gw.example.org/m/cases/C-1",
        dwell_s=600,
        note="照片未显示现场已清理",
    )
    assert (
        composed.body == "地点：兴业路文化广场门前\n已持续 10 分钟\n说明：照片未显示现场已清理\n案卷号：C-1"
    )
    assert composed.kind == NoticeKind.RETURNED and composed.deadline_at is None


def test_times_are_local_and_minutes_round_up() -> None:
    assert local_time_text(DEADLINE, SHANGHAI) == "5月12日 14:30"
    assert dwell_text(61) == "已持续 2 分钟"
    assert dwell_text(0) == "已持续 1 分钟"
    with pytest.raises(ValueError, match="has no timezone"):
        local_time_text(datetime(2025, 5, 12, 14, 30), SHANGHAI)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "urgent"}, "notice kind 'urgent' is not one of new_task, reminder, escalated, returned"),
        ({"url": "/m/cases/C-1"}, "notice url must be an absolute http(s) URL"),
        ({"title": " "}, "notice title is empty"),
        (
            {"deadline_at": datetime(2025, 5, 12, 14, 30)},
            "notice deadline_at 2025-05-12T14:30:00 has no timezone",
        ),
    ],
)
def test_bad_notice_is_refused_with_the_reason(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "case_id": "C-1",
        "recipient_id": "p-1",
        "kind": "new_task",
        "title": "新任务：x",
        "body": "地点：y",
        "url": "https://gw.example.org/m/cases/C-1",
        "class_code": "06",
        "evidence_url": None,
        "deadline_at": None,
    }
    fields.update(changes)
    with pytest.raises(ValueError, match=re.escape(message)):
        TaskNotice(**fields)  # type: ignore[arg-type]
