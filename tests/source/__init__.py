"""Tests of `exports/source/`, one module per module it tests (or per behaviour across them)."""
