"""Web Push subscriptions of the worker phone page: one row per browser that enabled notifications.

A person may have several (two phones, a phone and a tablet); an endpoint is unique, so a browser that
subscribes again (or a phone handed to another person) updates its row instead of adding one. A push service
that answers 404/410 for an endpoint makes the sender report it gone, and its row is deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.persistence.base import ID_LENGTH, Base
from dispatch.persistence.utc_datetime import UtcDateTime

ENDPOINT_LENGTH = 1024
"""Longest push service endpoint kept (FCM, Mozilla and Apple endpoints are a few hundred characters)."""


class WebPushSubscriptionRecord(Base):
    """A browser's ``PushSubscription`` for one person."""

    __tablename__ = "webpush_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    endpoint: Mapped[str] = mapped_column(String(ENDPOINT_LENGTH), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128), comment="the browser's P-256 public key, base64url")
    auth: Mapped[str] = mapped_column(String(64), comment="the browser's 16-byte auth secret, base64url")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="when a push service last accepted a message for it"
    )
