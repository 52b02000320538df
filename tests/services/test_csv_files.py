"""CSV files the app writes: cells that hold text never run as spreadsheet formulas."""

from __future__ import annotations

import pytest

from fieldapp.infra import csv_files


@pytest.mark.parametrize("text", ["=1+1", "+51 987", "-2+3", "@SUM(A1:A9)", "\tx", "\r=1"])
def test_every_formula_start_is_neutralised(text):
    assert csv_files.text_cell(text) == "'" + text
    assert csv_files.text_cell("ESP 3250") == "ESP 3250" and csv_files.text_cell(None) == ""


@pytest.mark.parametrize("text", ["=1+1", "+51 987", "@SUM(A1:A9)", "ESP 3250", "'quoted", "", "'"])
def test_a_neutralised_cell_reads_back_as_it_was(text):
    assert csv_files.cell_text(csv_files.text_cell(text)) == text
