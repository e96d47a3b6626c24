"""Tests of `exports/history/`, one module per module it tests (or per behaviour across them)."""
