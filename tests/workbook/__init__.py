"""Tests of `exports/workbook/`, one module per module it tests (or per behaviour across them)."""
