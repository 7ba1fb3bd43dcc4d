"""The Web Push subscription store: what the phone page registers, what the Web Push sender reads.

The sender runs in the background thread and calls :meth:`SubscriptionStore.for_person` for each push,
:meth:`SubscriptionStore.forget` when a push service says a subscription is gone (404/410) and
:meth:`SubscriptionStore.mark_ok` when one accepted a message. Every call is one short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.clock import Clock
from dispatch.persistence.push_tables import ENDPOINT_LENGTH, WebPushSubscriptionRecord
from dispatch.push.webpush_subscription import WebPushSubscription


class SubscriptionRejectedError(ValueError):
    """A subscription the store cannot keep (an endpoint too long)."""


@dataclass(frozen=True)
class SavedSubscription:
    """The outcome of :meth:`SubscriptionStore.save`."""

    created: bool
    """False when the endpoint was known and its keys (or owner) were updated."""
    previous_owner: str | None
    """The person the endpoint belonged to before, when it changed hands."""


class SubscriptionStore:
    """Web Push subscriptions per person, in the ``webpush_subscriptions`` table."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = session_factory
        self._clock = clock

    def save(self, person_id: str, subscription: WebPushSubscription) -> SavedSubscription:
        """Keep ``subscription`` for ``person_id``; an endpoint already known is updated (and re-owned)."""
        if len(subscription.endpoint) > ENDPOINT_LENGTH:
            raise SubscriptionRejectedError(
                f"push subscription endpoint is {len(subscription.endpoint)} characters; "
                f"at most {ENDPOINT_LENGTH} are kept"
            )
        with self._sessions() as session, session.begin():
            row = session.scalars(
                select(WebPushSubscriptionRecord).where(
                    WebPushSubscriptionRecord.endpoint == subscription.endpoint
                )
            ).first()
            if row is None:
                session.add(
                    WebPushSubscriptionRecord(
                        person_id=person_id,
                        endpoint=subscription.endpoint,
                        p256dh=subscription.p256dh,
                        auth=subscription.auth,
                        created_at=self._clock(),
                    )
                )
                return SavedSubscription(created=True, previous_owner=None)
            previous = row.person_id if row.person_id != person_id else None
            row.person_id = person_id
            row.p256dh = subscription.p256dh
            row.auth = subscription.auth
            return SavedSubscription(created=False, previous_owner=previous)

    def remove(self, person_id: str, endpoint: str) -> bool:
        """Delete ``person_id``'s subscription at ``endpoint``; False when they had none there."""
        with self._sessions() as session, session.begin():
            result = session.execute(
                delete(WebPushSubscriptionRecord).where(
                    WebPushSubscriptionRecord.person_id == person_id,
                    WebPushSubscriptionRecord.endpoint == endpoint,
                )
            )
            return bool(getattr(result, "rowcount", 0))

    def for_person(self, person_id: str) -> list[WebPushSubscription]:
        """Every subscription of ``person_id``, oldest first (the Web Push sender's ``subscriptions_for``)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(WebPushSubscriptionRecord)
                .where(WebPushSubscriptionRecord.person_id == person_id)
                .order_by(WebPushSubscriptionRecord.id)
            ).all()
            return [WebPushSubscription(row.endpoint, row.p256dh, row.auth) for row in rows]

    def count(self, person_id: str) -> int:
        """How many subscriptions ``person_id`` has."""
        return len(self.for_person(person_id))

    def forget(self, subscription: WebPushSubscription) -> None:
        """Delete a subscription its push service reported gone (the sender's ``on_gone``)."""
        with self._sessions() as session, session.begin():
            session.execute(
                delete(WebPushSubscriptionRecord).where(
                    WebPushSubscriptionRecord.endpoint == subscription.endpoint
                )
            )

    def mark_ok(self, subscription: WebPushSubscription) -> None:
        """Record that a push service accepted a message for ``subscription`` (the sender's ``on_ok``)."""
        with self._sessions() as session, session.begin():
            row = session.scalars(
                select(WebPushSubscriptionRecord).where(
                    WebPushSubscriptionRecord.endpoint == subscription.endpoint
                )
            ).first()
            if row is not None:
                row.last_ok_at = self._clock()
