"""Tests of `exports/rules/`, one module per module it tests (or per behaviour across them)."""
