"""The Excel file: its sheets, written with openpyxl in a forked process while the rows are mapped."""
