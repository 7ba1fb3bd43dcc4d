"""`gw.dlq`: a record some consumer could not process, with the reason, keyed by its source topic."""

from __future__ import annotations

import base64
from typing import Literal, Self

from pydantic import Field, model_validator

from gridwatch.messages.base import EpochSeconds, GwMessage

#: Most payload bytes a dead letter keeps; the rest is cut (see ``payload_truncated``).
MAX_DEAD_LETTER_PAYLOAD = 64 * 1024


class DeadLetter(GwMessage):
    """The evidence of one rejected record: where it was, what it held, and why it was rejected."""

    schema_version: Literal["gw.dlq/1"] = Field(
        default="gw.dlq/1", description="Schema version of this record."
    )
    source_topic: str = Field(min_length=1, max_length=249, description="Topic the record was read from.")
    partition: int = Field(ge=0, description="Partition of the record.")
    offset: int = Field(ge=0, description="Offset of the record in its partition.")
    key: str | None = Field(
        default=None, description="The record key: UTF-8 text, or base64 when key_is_base64; None if unkeyed."
    )
    key_is_base64: bool = Field(default=False, description="True when key holds base64 of non-UTF-8 bytes.")
    reason: str = Field(min_length=1, max_length=4000, description="Why the record was rejected.")
    payload: bytes = Field(
        max_length=MAX_DEAD_LETTER_PAYLOAD,
        description="The first bytes of the record value (base64 in JSON).",
        repr=False,
    )
    payload_size: int = Field(ge=0, description="Size of the whole original value in bytes.")
    payload_truncated: bool = Field(description="True when payload holds only the first bytes of the value.")
    at: EpochSeconds = Field(description="When the record was rejected, epoch seconds.")
    consumer: str = Field(min_length=1, max_length=128, description="Name of the consumer that rejected it.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.payload_truncated != (len(self.payload) < self.payload_size):
            raise ValueError(
                f"payload_truncated={self.payload_truncated} contradicts {len(self.payload)} payload bytes "
                f"of {self.payload_size}"
            )
        if len(self.payload) > self.payload_size:
            raise ValueError(
                f"payload has {len(self.payload)} bytes, more than payload_size {self.payload_size}"
            )
        if self.key_is_base64 and self.key is None:
            raise ValueError("key_is_base64 is set but there is no key")
        return self

    def key_bytes(self) -> bytes | None:
        """The original record key as bytes."""
        if self.key is None:
            return None
        return base64.b64decode(self.key) if self.key_is_base64 else self.key.encode()

    @classmethod
    def describe_key(cls, key: bytes | None) -> tuple[str | None, bool]:
        """Split a raw record key into (text, is_base64) for this record."""
        if key is None:
            return None, False
        try:
            return key.decode("utf-8"), False
        except UnicodeDecodeError:
            return base64.b64encode(key).decode("ascii"), True
