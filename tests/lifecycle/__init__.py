"""Tests of `exports/lifecycle/`, one module per module it tests (or per behaviour across them)."""
