"""Helpers for editing site YAML as text at a node's place (`gridwatch site dismiss`, `gridwatch models
promote`): find a camera's node, where a line can go after a node, and the change as a unified diff.

Editing the text rather than dumping a round-tripped tree keeps comments, order and layout of everything
else (a YAML round-trip library reflows flow collections).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml


def mapping_value(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node; None when absent or ``node`` is not a mapping."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                found: yaml.Node = v
                return found
    return None


def node_id(node: yaml.Node) -> str | None:
    """The scalar ``id`` of a mapping node (a camera, a zone), if it has one."""
    found = mapping_value(node, "id")
    return str(found.value) if isinstance(found, yaml.ScalarNode) else None


def last_end(node: yaml.Node) -> int:
    """The index just after the last character of ``node``'s content. A block collection's own end mark lies
    at the start of what follows it (past comment lines in between): its last leaf's end is exact."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return last_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return last_end(node.value[-1])
    return int(node.end_mark.index)


def line_end(text: str, index: int) -> int:
    """Where a line can go after a node ending at ``index``: just after the end of the line of its last
    character (a block node's end mark lies at the start of what follows it)."""
    last = index - 1
    while last > 0 and text[last] in " \t\r\n":
        last -= 1
    end = text.find("\n", last)
    return len(text) if end < 0 else end + 1


def unified(text: str, new: str, source: Path) -> str:
    """The change from ``text`` to ``new`` as a unified diff of ``a/NAME`` and ``b/NAME``."""
    return "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            new.splitlines(keepends=True),
            f"a/{source.name}",
            f"b/{source.name}",
        )
    )
