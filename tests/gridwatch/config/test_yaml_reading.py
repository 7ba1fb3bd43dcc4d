"""The YAML reader: 1.2-style scalars, and field paths traced back to lines."""

from __future__ import annotations

import pytest

from gridwatch.config.yaml_lines import duplicate_keys, line_for, parse_yaml


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        ("17:30", "17:30"),  # YAML 1.1 reads 1050 (base 60)
        ("08:30", "08:30"),
        ("06", "06"),  # YAML 1.1 reads 6 (octal)
        ("no", "no"),  # YAML 1.1 reads False
        ("on", "on"),
        ("true", True),
        ("False", False),
        ("12", 12),
        ("-3", -3),
        ("0.5", 0.5),
        ("1e3", 1000.0),
        ("2026-10-01", __import__("datetime").date(2026, 10, 1)),
        ("~", None),
    ],
)
def test_scalars_read_as_yaml_1_2(scalar: str, value: object) -> None:
    assert parse_yaml(f"v: {scalar}\n").data == {"v": value}


def test_line_for_follows_keys_and_indexes() -> None:
    text = "a:\n  b:\n    - x\n    - {c: 1,\n       d: 2}\ne: 3\n"
    root = parse_yaml(text).root
    assert line_for(root, ("a", "b", 0)) == 3
    assert line_for(root, ("a", "b", 1, "d")) == 5
    assert line_for(root, ("e",)) == 6
    assert line_for(root, ("a", "b", 1, "missing")) == 4  # the mapping where it belongs
    assert line_for(root, ("a", "b", 7)) == 2  # past the end: the list's key


def test_duplicate_keys_are_found_with_their_line() -> None:
    root = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n").root
    assert duplicate_keys(root) == [(("b", "c"), 4, "c"), (("a",), 5, "a")]
