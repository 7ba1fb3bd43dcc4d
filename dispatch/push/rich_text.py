"""Fit lines of text into a byte budget once each is wrapped in markup (WeCom textcard description)."""

from __future__ import annotations

import html
from collections.abc import Callable

from dispatch.push.utf8 import truncate_utf8, utf8_len


def fit_escaped(text: str, max_bytes: int) -> str:
    """The HTML-escaped ``text``, cut (before escaping, so no entity is split) to at most ``max_bytes``."""
    budget = max_bytes
    while budget >= 0:
        escaped = html.escape(truncate_utf8(text, budget), quote=False)
        if utf8_len(escaped) <= max_bytes:
            return escaped
        budget -= utf8_len(escaped) - max_bytes
    return ""


def pack_lines(head: str, lines: list[str], tail: str, max_bytes: int, wrap: Callable[[str], str]) -> str:
    """``head`` + each of ``lines`` wrapped (and escaped) + ``tail``, within ``max_bytes`` UTF-8 bytes.

    ``head`` and ``tail`` are kept whole (they must fit); lines are added in order, the first one that does
    not fit is cut to the room left (with an ellipsis) and the rest are dropped.
    """
    room = max_bytes - utf8_len(head) - utf8_len(tail)
    if room < 0:
        raise ValueError(f"the fixed parts alone take {max_bytes - room} bytes, over the {max_bytes} allowed")
    parts: list[str] = []
    empty = utf8_len(wrap(""))
    for line in lines:
        whole = wrap(html.escape(line, quote=False))
        if utf8_len(whole) <= room:
            parts.append(whole)
            room -= utf8_len(whole)
            continue
        if room > empty + 3:  # room for at least one character and the ellipsis
            parts.append(wrap(fit_escaped(line, room - empty)))
        break
    return head + "".join(parts) + tail
