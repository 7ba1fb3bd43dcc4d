"""Test harness: fixtures that start real services live in ``tests/fixtures/`` as plugins."""

pytest_plugins = [
    "tests.fixtures.broker",
    "tests.fixtures.database",
]
