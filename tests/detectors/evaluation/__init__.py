"""Tests of `gridwatch models eval`: label readers, matching, metrics, ensemble, the command."""
