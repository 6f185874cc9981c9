"""Cached ``kpis`` calls: the UI boundary where Streamlit caching wraps pure functions.

    >>> view = cdo_view(sel.version, sel.flt, sel.grain, sel.lang, sel.fiscal_start)

Every cached read is keyed on what actually changes: the store's data
version (it changes with every import, delete or target edit), the file's
bytes, and the selection. No pandas logic here: it lives in ``kpis``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from kpis.model import Filter
from kpis.store import Store
from ui.state import settings


def store() -> Store:
    """The store named by the ``store`` setting (``PASSERELLE_STORE``, default ``data/passerelle.duckdb``)."""
    return _open_store(settings().store)


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
    """``kpis.metrics.cdo_view`` cached on the store's data version and the selection, with each KPI's native
    grain and last data day (``kpis.grain.with_data_grain``) read from the same store read."""
    from kpis import grain as grains
    from kpis import metrics
    from kpis.dashboard import source_names

    native = metrics.fetch(store(), flt, grain, fiscal_start)
    view = metrics.cdo_view(store(), flt, grain, fiscal_start=fiscal_start, lang=lang, native=native)
    view = replace(view, meta={**view.meta, "source_names": source_names(batches(version))})
    return grains.with_data_grain(view, native, flt)


@st.cache_data(show_spinner=False, max_entries=16)
def kpi_table(version: str, flt: Filter, grain: str, lang: str, fiscal_start: int = 1):
    """``kpis.metrics.kpi_table`` at one grain (a KPI drawn at its native grain when the chosen one is finer)."""
    from kpis import metrics

    native = metrics.fetch(store(), flt, grain, fiscal_start)
    return metrics.kpi_table(native, flt, grain, fiscal_start, lang)


@st.cache_data(show_spinner=False, max_entries=16)
def indexed_trends(version: str, flt: Filter, grain: str, lang: str, fiscal_start: int = 1):
    """``kpis.metrics.indexed_trends`` of the Vue CDO's KPIs at one grain (their native one when it is coarser)."""
    from kpis import dashboard, metrics

    return metrics.indexed_trends(kpi_table(version, flt, grain, lang, fiscal_start), dashboard.TREND_KPIS)


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
