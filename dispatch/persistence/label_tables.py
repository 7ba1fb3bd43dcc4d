"""Labelled examples that people's decisions on cases make: the frame, the boxes, and what they are.

A rejected case (a false alarm) and a worker's "nothing there" make a *negative* example: the incident's
boxes were not what the rule looks for. A verified case (by a leader or by the camera) makes a *positive*
one. Each case gives at most one example (its first decision; the unique ``case_id``), written in the
transaction of the decision, so it survives restarts as the case does. ``gridwatch labels`` lists,
exports (YOLO, COCO) and deletes them.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.persistence.base import ID_LENGTH, Base
from dispatch.persistence.case_tables import URL_LENGTH, JsonDocument, _enum
from dispatch.persistence.utc_datetime import UtcDateTime


class Polarity(enum.StrEnum):
    """Whether the boxes show what the rule looks for."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


class LabelSource(enum.StrEnum):
    """The decision a label comes from."""

    REJECTED = "rejected"  # an operator or leader: a false alarm
    NOTHING_THERE = "nothing_there"  # the assignee on the spot found nothing
    VERIFIED = "verified"  # a leader, an operator or the camera checked it done: it was real


class LabelRecord(Base):
    """One labelled example: a case's clean evidence frame with its boxes, negative or positive."""

    __tablename__ = "labels"
    __table_args__ = (Index("ix_labels_camera_id_captured_at", "camera_id", "captured_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True, comment="one example per case")
    site_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    polarity: Mapped[Polarity] = mapped_column(_enum(Polarity, "label_polarity"))
    source: Mapped[LabelSource] = mapped_column(_enum(LabelSource, "label_source"))
    rule: Mapped[str] = mapped_column(String(32))
    class_code: Mapped[str] = mapped_column(String(ID_LENGTH))
    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    model_id: Mapped[str | None] = mapped_column(String(128), comment="the model that saw the boxes")
    frame_url: Mapped[str | None] = mapped_column(
        String(URL_LENGTH), comment="the clean frame (no drawings); null: the detector kept none"
    )
    evidence_url: Mapped[str | None] = mapped_column(String(URL_LENGTH), comment="the annotated snapshot")
    boxes: Mapped[list[list[float]]] = mapped_column(JsonDocument, comment="in the camera's native pixels")
    frame_width: Mapped[int] = mapped_column(Integer, comment="the camera's native width: boxes' frame")
    frame_height: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="time of the frame the boxes are on")
    dwell_s: Mapped[float] = mapped_column(Float)
    labelled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(ID_LENGTH), comment="who decided")
