"""Read a site YAML file into a :class:`SiteConfig`, or fail with every problem, each with field and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from gridwatch.config.errors import Loc, Problem, SiteConfigError, format_path
from gridwatch.config.site import SiteConfig
from gridwatch.config.yaml_lines import YamlDocument, duplicate_keys, line_for, parse_yaml

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> Loc:
    """The location a rendered path names: ``cameras[3].zones[0]`` → ``("cameras", 3, "zones", 0)``."""
    return tuple(int(index) if index else key for key, index in _PATH_PART.findall(path))


def _readable_loc(loc: tuple[str | int, ...], data: Any) -> Loc:
    """Drop the union tags pydantic puts in locations (``source.rtsp.url`` → ``source.url``)."""
    readable: list[str | int] = []
    node = data
    for part in loc:
        if (
            isinstance(node, dict)
            and isinstance(part, str)
            and part not in node
            and node.get("kind", node.get("type")) == part
        ):
            continue
        readable.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(readable)


def _tag_field(error: ErrorDetails) -> str:
    return str(error.get("ctx", {}).get("discriminator", "kind")).strip("'")


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "union_tag_invalid":
        return f"unknown {_tag_field(error)} {ctx['tag']!r}; expected one of {ctx['expected_tags']}"
    if kind == "union_tag_not_found":
        return f"required field is missing (it says which {_tag_field(error)} this is)"
    text = error["msg"]
    value = error.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        text += f", got {value!r}"
    return text


def problems_from_validation(error: ValidationError, document: YamlDocument) -> list[Problem]:
    """One problem per pydantic error, with a readable field path and the YAML line."""
    problems = []
    for detail in error.errors(include_url=False):
        loc = _readable_loc(detail["loc"], document.data)
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, _tag_field(detail))
        problems.append(Problem(format_path(loc), _message(detail), line_for(document.root, loc)))
    return problems


def _with_lines(problems: tuple[Problem, ...], document: YamlDocument) -> list[Problem]:
    return [
        Problem(
            p.path, p.message, p.line if p.line is not None else line_for(document.root, parse_path(p.path))
        )
        for p in problems
    ]


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def parse_site(text: str, source: str | Path = "<site>") -> SiteConfig:
    """Validate site YAML text; raises :class:`SiteConfigError` listing every problem found."""
    try:
        document = parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "cannot be parsed"
        raise SiteConfigError([Problem("", f"invalid YAML: {what}", line)], source) from None
    except yaml.YAMLError as exc:
        raise SiteConfigError([Problem("", f"invalid YAML: {exc}")], source) from None
    if document.data is None:
        raise SiteConfigError([Problem("", "the file is empty; it should describe a site", 1)], source)
    if not isinstance(document.data, dict):
        raise SiteConfigError(
            [Problem("", "the top level must be a mapping of site, calendar, grid, ...", 1)], source
        )
    repeated = [
        Problem(format_path(loc), f"key {key!r} appears twice in the same mapping", line)
        for loc, line, key in duplicate_keys(document.root)
    ]
    try:
        site = SiteConfig.model_validate(document.data)
    except ValidationError as exc:
        problems = repeated + problems_from_validation(exc, document)
        raise SiteConfigError(_in_file_order(problems), source) from None
    except SiteConfigError as exc:
        problems = repeated + _with_lines(exc.problems, document)
        raise SiteConfigError(_in_file_order(problems), source) from None
    if repeated:
        raise SiteConfigError(repeated, source)
    return site


def load_site(path: Path) -> SiteConfig:
    """Read and validate a site file; raises :class:`SiteConfigError` listing every problem found.

    A file that cannot be read is one problem too (``FileNotFoundError`` is not raised).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteConfigError([Problem("", "no such file")], path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError([Problem("", f"cannot read the file: {exc}")], path) from None
    return parse_site(text, path)
