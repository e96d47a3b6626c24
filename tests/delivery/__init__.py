"""Tests of `exports/delivery/`, one module per module it tests (or per behaviour across them)."""
