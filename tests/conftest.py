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


SCHEMA_ADDITIONS = {  # what each schema version added, undone by ``as_version``
    10: {"tables": ("comments",)},
    11: {"tables": ("deleted_esn_terms", "deleted_esn_profiles", "esn_terms", "esn_profiles")},
    12: {"tables": ("deleted_esn_subjects", "esn_subjects", "subjects", "deleted_subjects"),
         "columns": {"esn_profiles": ("name", "mentions"), "deleted_esn_profiles": ("name", "mentions")}},
}


def as_version(path: Path, version: int) -> None:
    """Turn the store file at ``path`` (closed) back into a store of schema ``version``, as an older Passerelle
    wrote it: what every later version added is dropped, newest first, and the version number set back."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        for v in sorted((v for v in SCHEMA_ADDITIONS if v > version), reverse=True):
            for table, columns in SCHEMA_ADDITIONS[v].get("columns", {}).items():
                for column in columns:
                    con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            for table in SCHEMA_ADDITIONS[v]["tables"]:
                con.execute(f"DROP TABLE {table}")
        con.execute("UPDATE schema_version SET version = ?", [version])
    finally:
        con.close()
