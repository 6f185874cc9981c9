"""Shared fixtures: each test gets its own store, and Streamlit caches start empty."""

import io
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def store_path(tmp_path, monkeypatch) -> Path:
    """A fresh store file for this test, named by PASSERELLE_STORE as the app reads it."""
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("PASSERELLE_STORE", str(path))
    return path


@pytest.fixture
def clean_streamlit_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def b2e_november(segment: str = "B2E") -> bytes:
    """A one-row B2E workbook for November 2026: headcount 20,000, 12,000 active users, 1,500 contributors."""
    wb = openpyxl.Workbook()
    wb.active.append(["Mois", "Segment", "Effectif", "Utilisateurs actifs", "Contributeurs"])
    wb.active.append(["2026-11", segment, 20000, 12000, 1500])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx_openpyxl(path: Path, sheets: dict[str, list[list]]) -> None:
    """Write sheets (name → rows; ``None`` leaves a cell empty) as a real .xlsx with openpyxl."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(r, c, value)
    book.save(path)
