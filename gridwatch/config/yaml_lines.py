"""Read site YAML keeping its node tree, so that a field path can be traced back to a line of the file.

The loader follows YAML 1.2 rather than PyYAML's YAML 1.1 defaults where 1.1 surprises config authors:
``17:00`` stays the string "17:00" (1.1 reads it as the base-60 number 1020), ``06`` stays "06" (1.1: octal),
and only ``true``/``false`` are booleans (1.1 also turns ``no``, ``on``, ``off`` into booleans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from gridwatch.config.errors import Loc

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_REPLACED_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class SiteYamlLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe YAML loader with YAML 1.2 style booleans and numbers (see the module docstring)."""


SiteYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SiteYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
SiteYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
SiteYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
        r"|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
        r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
    ),
    list("-+0123456789."),
)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document: its plain data and the node tree it came from."""

    data: Any
    root: yaml.Node | None


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; raises ``yaml.MarkedYAMLError`` (with a line) when it is not valid YAML."""
    loader = SiteYamlLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return YamlDocument(data, root)


def line_of(node: yaml.Node) -> int:
    """1-based line where a node starts."""
    return int(node.start_mark.line) + 1


def line_for(root: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest node a location reaches (a mapping entry's key line for a mapping entry).

    A location that goes past what the file holds (a missing field) gets the line of the deepest part that
    exists, which is where the missing field belongs.
    """
    if root is None:
        return None
    node: yaml.Node = root
    line = line_of(root)
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            entry = next(
                ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None
            )
            if entry is None:
                break
            line, node = line_of(entry[0]), entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = line_of(node)
        else:
            break
    return line


def duplicate_keys(root: yaml.Node | None) -> list[tuple[Loc, int, str]]:
    """Mapping keys written twice (YAML keeps the last silently): (location, line, key) of each repeat."""
    found: list[tuple[Loc, int, str]] = []
    stack: list[tuple[yaml.Node, Loc]] = [] if root is None else [(root, ())]
    seen_nodes: set[int] = set()
    while stack:
        node, loc = stack.pop()
        if id(node) in seen_nodes:
            continue  # an alias of a node already walked
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
                if name and name in keys:
                    found.append(((*loc, name), line_of(key), name))
                keys.add(name)
                stack.append((value, (*loc, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))
    return sorted(found, key=lambda item: item[1])
