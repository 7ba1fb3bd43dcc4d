"""The Chinese wording of task notices: titles per notice kind, the body lines, times in the site's zone.

The dispatch core calls :func:`compose_notice`; ``body`` says what and where, while the deadline stays
structured (``deadline_at``) and each channel renders it with :func:`deadline_line` in its own format.
"""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from dispatch.push.notice import NoticeKind, TaskNotice

TITLE_PREFIX: dict[NoticeKind, str] = {
    NoticeKind.NEW_TASK: "新任务",
    NoticeKind.REMINDER: "催办",
    NoticeKind.ESCALATED: "上报案件",
    NoticeKind.RETURNED: "退回重办",
}


def local_time_text(moment: datetime, tz: tzinfo) -> str:
    """A moment as local wall-clock text, e.g. ``5月12日 14:30``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no timezone; pass an aware datetime")
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def dwell_text(dwell_s: float) -> str:
    """A dwell time in whole minutes (rounded up, at least 1), e.g. ``已持续 12 分钟``."""
    if dwell_s < 0 or math.isnan(dwell_s):
        raise ValueError(f"dwell time must be a non-negative number of seconds, got {dwell_s}")
    minutes = max(1, math.ceil(dwell_s / 60))
    return f"已持续 {minutes} 分钟"


def deadline_line(notice: TaskNotice, tz: tzinfo) -> str | None:
    """``处置时限：5月12日 14:30 前`` for a notice with a deadline, else None."""
    if notice.deadline_at is None:
        return None
    return f"处置时限：{local_time_text(notice.deadline_at, tz)} 前"


def full_text_lines(notice: TaskNotice, tz: tzinfo) -> list[str]:
    """The body lines followed by the deadline line (for channels without rich formatting)."""
    lines = [line for line in notice.body.splitlines() if line.strip()]
    deadline = deadline_line(notice, tz)
    if deadline is not None:
        lines.append(deadline)
    return lines


def compose_notice(
    *,
    kind: NoticeKind | str,
    case_id: str,
    recipient_id: str,
    class_code: str,
    class_name: str,
    place: str,
    url: str,
    dwell_s: float | None = None,
    deadline_at: datetime | None = None,
    evidence_url: str | None = None,
    note: str | None = None,
) -> TaskNotice:
    """A notice in Chinese: title ``新任务：非机动车乱停放``; body lines 地点 (camera / zone), dwell minutes,
    an optional note (why it was returned or escalated) and the case number."""
    notice_kind = NoticeKind(kind)
    if not class_name.strip():
        raise ValueError(f"class_name is empty (case {case_id!r})")
    if not place.strip():
        raise ValueError(f"place is empty (case {case_id!r}); name the camera and zone")
    lines = [f"地点：{place.strip()}"]
    if dwell_s is not None:
        lines.append(dwell_text(dwell_s))
    if note is not None and note.strip():
        lines.append(f"说明：{note.strip()}")
    lines.append(f"案卷号：{case_id}")
    return TaskNotice(
        case_id=case_id,
        recipient_id=recipient_id,
        kind=notice_kind,
        title=f"{TITLE_PREFIX[notice_kind]}：{class_name.strip()}",
        body="\n".join(lines),
        url=url,
        class_code=class_code,
        evidence_url=evidence_url,
        deadline_at=deadline_at,
    )
