"""Tests of `exports/config/`, one module per module it tests (or per behaviour across them)."""
