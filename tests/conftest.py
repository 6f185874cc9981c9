"""Shared fixtures: each test gets its own store, and Streamlit caches start empty."""

from pathlib import Path

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
