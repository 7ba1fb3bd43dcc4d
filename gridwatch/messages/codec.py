"""Bytes on the wire <-> typed messages, for every topic in the topic table.

Frames use a compact binary envelope so that the JPEG is never base64-inflated::

    b"GWFR" | version: u8 (1) | header length: u32 big-endian | header: UTF-8 JSON object | raw JPEG bytes

Every other message is one UTF-8 JSON object carrying its ``schema_version``. Decoding checks, in order:
the topic is declared, the value is present, the framing (envelope or JSON object), the schema version,
then every field; the first failure raises :class:`MalformedMessage` naming it.
"""

from __future__ import annotations

import json
import struct
from typing import Any, TypeVar

from pydantic import ValidationError

from gridwatch.messages.base import GwMessage
from gridwatch.messages.errors import MalformedMessage
from gridwatch.messages.frames import Frame
from gridwatch.messages.topics import TopicSpec, topic_for, topic_named, topic_with_schema

FRAME_MAGIC = b"GWFR"
FRAME_ENVELOPE_VERSION = 1
_PREFIX = struct.Struct(">4sBI")
#: Largest frame header we read; a real one is ~200 bytes.
MAX_FRAME_HEADER_BYTES = 16 * 1024
#: How many field errors a reason lists before summarising the rest.
_MAX_LISTED_ERRORS = 5

M = TypeVar("M", bound=GwMessage)


def topic_of(message: GwMessage) -> str:
    """The topic ``message`` belongs on."""
    return topic_for(type(message)).name


def key_of(message: GwMessage) -> bytes:
    """The record key of ``message``: camera id, incident id, case id or source topic, UTF-8."""
    spec = topic_for(type(message))
    return str(getattr(message, spec.key_field)).encode("utf-8")


def encode(message: GwMessage) -> bytes:
    """The record value of ``message``."""
    spec = topic_for(type(message))
    if isinstance(message, Frame):
        header = json.dumps(
            message.model_dump(mode="json", exclude={"jpeg"}), separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        return _PREFIX.pack(FRAME_MAGIC, FRAME_ENVELOPE_VERSION, len(header)) + header + message.jpeg
    if spec.message_type is Frame:  # pragma: no cover - the table pairs Frame with gw.frames only
        raise TypeError("gw.frames carries Frame only")
    return message.model_dump_json().encode("utf-8")


def decode(topic: str, value: bytes | None) -> GwMessage:
    """The message in ``value`` read from ``topic``; raises :class:`MalformedMessage` with the reason."""
    spec = topic_named(topic)
    if spec is None:
        raise MalformedMessage(f"{topic!r} is not a Gridwatch topic", topic=topic)
    if value is None:
        raise MalformedMessage("record has no value (a tombstone)", topic=topic)
    if not value:
        raise MalformedMessage("record value is empty", topic=topic)
    try:
        if spec.message_type is Frame:
            return _decode_frame(spec, value)
        return _decode_json(spec, value)
    except MalformedMessage as error:
        raise MalformedMessage(error.reason, topic=topic) from None


def decode_record(topic: str, key: bytes | None, value: bytes | None) -> GwMessage:
    """Like :func:`decode`, and also checks that the record key is the message's key."""
    message = decode(topic, value)
    expected = key_of(message)
    if key != expected:
        spec = topic_for(type(message))
        raise MalformedMessage(
            f"record key {_show_key(key)} does not match {spec.key_field} {expected.decode()!r}", topic=topic
        )
    return message


def decode_as(message_type: type[M], value: bytes | None) -> M:
    """The ``message_type`` message in ``value``, read as from that type's topic."""
    message = decode(topic_for(message_type).name, value)
    if not isinstance(message, message_type):  # pragma: no cover - the table guarantees the type
        raise MalformedMessage(f"decoded a {type(message).__name__}, not a {message_type.__name__}")
    return message


def _decode_json(spec: TopicSpec, value: bytes) -> GwMessage:
    if value.startswith(FRAME_MAGIC):
        raise MalformedMessage(
            f"not JSON: the value is a frame envelope, which belongs on gw.frames, not {spec.name}"
        )
    document = _parse_json_object(value, what="value")
    _check_schema(spec, document)
    try:
        return spec.message_type.model_validate_json(value)
    except ValidationError as error:
        raise MalformedMessage(_describe(spec, error)) from None


def _decode_frame(spec: TopicSpec, value: bytes) -> GwMessage:
    if value[:1] == b"{":
        raise MalformedMessage(f"not a frame envelope: the value is JSON{_json_hint(spec, value)}")
    if len(value) < _PREFIX.size:
        raise MalformedMessage(
            f"not a frame envelope: {len(value)} bytes, shorter than the {_PREFIX.size}-byte prefix"
        )
    magic, version, header_length = _PREFIX.unpack_from(value)
    if magic != FRAME_MAGIC:
        raise MalformedMessage(f"not a frame envelope: starts with {magic!r} instead of {FRAME_MAGIC!r}")
    if version != FRAME_ENVELOPE_VERSION:
        raise MalformedMessage(
            f"unsupported frame envelope version {version} (this reader knows {FRAME_ENVELOPE_VERSION})"
        )
    if header_length > MAX_FRAME_HEADER_BYTES:
        raise MalformedMessage(
            f"frame header length {header_length} exceeds the {MAX_FRAME_HEADER_BYTES}-byte limit"
        )
    body = value[_PREFIX.size :]
    if header_length > len(body):
        raise MalformedMessage(
            f"truncated frame envelope: header length {header_length} but only {len(body)} bytes follow"
        )
    header = _parse_json_object(body[:header_length], what="frame header")
    if "jpeg" in header:
        raise MalformedMessage("frame header must not contain 'jpeg': the image follows the header")
    _check_schema(spec, header)
    try:
        return Frame.model_validate({**header, "jpeg": body[header_length:]})
    except ValidationError as error:
        raise MalformedMessage(_describe(spec, error)) from None


def _parse_json_object(raw: bytes, *, what: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedMessage(f"{what} is not JSON: invalid UTF-8 at byte {error.start}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise MalformedMessage(
            f"{what} is not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    if not isinstance(document, dict):
        raise MalformedMessage(f"{what} is a JSON {_json_type(document)}, expected an object")
    return document


def _check_schema(spec: TopicSpec, document: dict[str, Any]) -> None:
    field = GwMessage.SCHEMA_FIELD
    if field not in document:
        raise MalformedMessage(f"missing {field} (expected {spec.schema!r})")
    schema = document[field]
    if not isinstance(schema, str):
        raise MalformedMessage(f"{field} is a JSON {_json_type(schema)}, expected the string {spec.schema!r}")
    if schema == spec.schema:
        return
    owner = topic_with_schema(schema)
    if owner is not None:
        raise MalformedMessage(f"schema {schema!r} belongs on topic {owner.name}, not {spec.name}")
    if schema.startswith(f"{spec.name}/"):
        raise MalformedMessage(f"unsupported schema version {schema!r} (this reader knows {spec.schema!r})")
    raise MalformedMessage(f"unknown schema {schema!r} (expected {spec.schema!r})")


def _json_hint(spec: TopicSpec, value: bytes) -> str:
    try:
        document = json.loads(value)
    except ValueError:
        return ""
    schema = document.get(GwMessage.SCHEMA_FIELD) if isinstance(document, dict) else None
    owner = topic_with_schema(schema) if isinstance(schema, str) else None
    if owner is None:
        return ""
    return f" with schema {schema!r}, which belongs on topic {owner.name}, not {spec.name}"


def _describe(spec: TopicSpec, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False):
        text = item["msg"].removeprefix("Value error, ")
        problems.append(f"{_path(item['loc'])}: {text}" if item["loc"] else text)
    listed = "; ".join(problems[:_MAX_LISTED_ERRORS])
    more = len(problems) - _MAX_LISTED_ERRORS
    suffix = f"; and {more} more" if more > 0 else ""
    return f"invalid {spec.schema} record: {listed}{suffix}"


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else type(value).__name__


def _show_key(key: bytes | None) -> str:
    if key is None:
        return "(none)"
    try:
        return repr(key.decode("utf-8"))
    except UnicodeDecodeError:
        return f"0x{key[:32].hex()}"
