"""Cut text to a byte budget without splitting a UTF-8 character (WeCom and DingTalk count bytes)."""

from __future__ import annotations

ELLIPSIS = "…"


def utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def truncate_utf8(text: str, max_bytes: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` itself when it fits in ``max_bytes`` UTF-8 bytes, else its longest prefix that fits with
    ``ellipsis`` appended (the ellipsis is dropped when even it does not fit)."""
    if max_bytes < 0:
        raise ValueError(f"max_bytes must not be negative, got {max_bytes}")
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    tail = ellipsis.encode("utf-8")
    if len(tail) > max_bytes:
        tail = b""
    # errors="ignore" drops the partial character a byte cut may leave at the end
    head = encoded[: max_bytes - len(tail)].decode("utf-8", errors="ignore")
    return head + tail.decode("utf-8")
