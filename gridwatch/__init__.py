"""Gridwatch: shared configuration, message schemas, embedded broker and command line."""

__version__ = "0.1.0"
