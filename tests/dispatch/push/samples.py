"""People and notices the push tests send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dispatch.push import NoticeKind, TaskNotice, compose_notice
from gridwatch.config import Person

DEADLINE = datetime(2025, 5, 12, 6, 30, tzinfo=UTC)  # 14:30 in Asia/Shanghai


def person(*channels: dict[str, Any], person_id: str = "p-002") -> Person:
    return Person.model_validate(
        {"id": person_id, "name": "冯波", "role": "worker", "grid": "mg-xq-01", "channels": list(channels)}
    )


def notice(
    kind: NoticeKind = NoticeKind.NEW_TASK,
    *,
    recipient_id: str = "p-002",
    place: str = "学府路与育才路交叉口东北角 / 盲道",
    evidence_url: str | None = "https://gw.example.org/evidence/C-0007.jpg",
) -> TaskNotice:
    return compose_notice(
        kind=kind,
        case_id="C-20250512-0007",
        recipient_id=recipient_id,
        class_code="06",
        class_name="非机动车乱停放",
        place=place,
        url="https://gw.example.org/m/cases/C-20250512-0007",
        dwell_s=12 * 60 + 5,
        deadline_at=DEADLINE,
        evidence_url=evidence_url,
    )
