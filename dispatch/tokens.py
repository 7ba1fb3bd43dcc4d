"""API tokens: random, shown once when issued, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.persistence.case_tables import ApiTokenRecord

TOKEN_PREFIX = "gw_"


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, person_id: str, now: datetime, label: str | None = None) -> str:
    """A new token for ``person_id`` (the caller commits); the only time the token itself is seen."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiTokenRecord(person_id=person_id, token_sha256=token_hash(token), label=label, created_at=now)
    )
    return token


def person_of_token(session: Session, token: str) -> str | None:
    """The person a valid (known, not revoked) token belongs to."""
    row = session.scalars(
        select(ApiTokenRecord).where(
            ApiTokenRecord.token_sha256 == token_hash(token), ApiTokenRecord.revoked_at.is_(None)
        )
    ).first()
    return None if row is None else row.person_id


def revoke_tokens(session: Session, person_id: str, now: datetime) -> int:
    """Revoke every token of a person; returns how many (the caller commits)."""
    rows = session.scalars(
        select(ApiTokenRecord).where(
            ApiTokenRecord.person_id == person_id, ApiTokenRecord.revoked_at.is_(None)
        )
    ).all()
    for row in rows:
        row.revoked_at = now
    return len(rows)
