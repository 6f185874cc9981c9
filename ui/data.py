"""Cached ``kpis`` calls: the UI boundary where Streamlit caching wraps pure functions.

    >>> view = cdo_view(sel.version, sel.flt, sel.grain, sel.lang, sel.fiscal_start)

Every cached read is keyed on what actually changes: the store's data
version (it changes with every import, delete or target edit), the file's
bytes, and the selection. No pandas logic here: it lives in ``kpis``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import streamlit as st

from kpis.errors import StoreError
from kpis.model import Filter
from kpis.store import Store
from ui.state import settings


def store() -> Store:
    """The store named by the ``store`` setting (``PASSERELLE_STORE``, default ``data/passerelle.duckdb``).

    A store that cannot be opened (damaged, not a DuckDB file, written by a newer version) stops the page
    with its message and remedy, French then English, instead of Streamlit's redacted error.
    """
    try:
        return _open_store(settings().store)
    except StoreError as exc:
        store_error(exc)


def store_error(exc: StoreError) -> NoReturn:
    """Stop the page with the store's message (which file, which backup to restore), French then English."""
    st.error(f"{exc.message_fr}\n\n{exc.message_en}", icon=":material/database:")
    st.stop()


@st.cache_resource
def _open_store(path: Path) -> Store:
    return Store(path)


@st.cache_data(show_spinner=False, max_entries=64)
def dimension_values(version: str, segments: tuple[str, ...] = ()) -> dict:
    return store().dimension_values(segments)


@st.cache_data(show_spinner=False, max_entries=16)
def batches(version: str) -> list[dict]:
    return store().batches(details=True)


@st.cache_data(show_spinner=False, max_entries=16)
def remembered_mappings(version: str) -> list:
    return store().remembered_mappings()


@st.cache_data(show_spinner=False, max_entries=32)
def check(data: bytes, name: str, segment: str | None, maps: tuple[tuple[str, str], ...], version: str,
          window_days: int | None = None):
    """``kpis.ingest.check_bytes`` cached on the file's bytes, the choices made and the store's version."""
    from kpis import ingest

    return ingest.check_bytes(data, name, segment=segment, maps=dict(maps), remembered=remembered_mappings(version),
                              window_days=window_days)


@st.cache_data(show_spinner=False, max_entries=32)
def overlaps(data: bytes, name: str, segment: str | None, maps: tuple[tuple[str, str], ...], origin: str,
             version: str, window_days: int | None = None) -> list:
    """``Store.overlaps`` of the checked file under ``origin``: the batches of other origins its series share."""
    result = check(data, name, segment, maps, version, window_days)
    return store().overlaps(result.observations, origin) if result.readable else []


@st.cache_data(show_spinner=False, max_entries=64)
def cdo_view(version: str, flt: Filter, grain: str, lang: str, fiscal_start: int = 1):
    """``kpis.metrics.cdo_view`` cached on the store's data version and the selection."""
    from kpis import metrics

    return metrics.cdo_view(store(), flt, grain, fiscal_start=fiscal_start, lang=lang)


@st.cache_data(show_spinner=False, max_entries=64)
def breakdown(version: str, flt: Filter, grain: str, dimension: str, lang: str, fiscal_start: int = 1, n: int = 10):
    """``kpis.metrics.breakdown`` of one dimension, cached like ``cdo_view``."""
    from kpis import metrics

    native = metrics.fetch(store(), flt, grain, fiscal_start=fiscal_start, by=(dimension,))
    return metrics.breakdown(native, dimension, flt, n=n, lang=lang)


@st.cache_data(show_spinner=False, max_entries=32)
def by_source(version: str, flt: Filter, grain: str, lang: str, fiscal_start: int = 1):
    """``kpis.metrics.by_source``: each KPI's window value per origin, where several origins hold it."""
    from kpis import metrics

    return metrics.by_source(metrics.fetch(store(), flt, grain, fiscal_start=fiscal_start), flt, lang)


@st.cache_data(show_spinner=False, max_entries=16)
def kpi_origins(version: str):
    return store().kpi_origins()


@st.cache_data(show_spinner=False, max_entries=16)
def reference_origins(version: str):
    return store().reference_origins()


@st.cache_data(show_spinner=False, max_entries=16)
def targets(version: str):
    return store().targets()


@st.cache_data(show_spinner=False, max_entries=16)
def observations(version: str, flt: Filter):
    return store().observations(flt)


@st.cache_data(show_spinner=False, max_entries=16)
def coverage(version: str):
    return store().coverage()


@st.cache_data(show_spinner=False, max_entries=16)
def deletions(version: str) -> list[dict]:
    return store().deletions()


@st.cache_data(show_spinner=False, max_entries=32)
def deletion_preview(version: str, batch_id: int):
    """``Store.preview_delete``: what deleting the batch would do, cached on the store's data version."""
    return store().preview_delete(batch_id)


@st.cache_data(show_spinner=False, max_entries=8)
def demo_preview(version: str):
    """``Store.preview_demo``: what removing the demo data would do (``.empty`` when there is none)."""
    return store().preview_demo()
