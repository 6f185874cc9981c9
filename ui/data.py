"""Cached ``kpis`` calls: the UI boundary where Streamlit caching wraps pure functions.

    >>> view = cdo_view(sel.version, sel.flt, sel.grain, sel.lang, sel.fiscal_start)

Every cached read is keyed on what actually changes: the store's data
version (it changes with every import, delete or target edit) and the
selection. No pandas logic here: it lives in ``kpis``.

Uploaded files are not in ``st.cache_data`` (shared by every session, kept
after the session ends): what ``check`` and ``overlaps`` learn about one is
kept in its own session (``ui.state.checked_uploads``), keyed on the
uploader's file id, dropped by ``forget_uploads`` once the file leaves the
uploader, and bounded by ``CHECKED_MAX_BYTES`` of uploaded bytes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, NoReturn

import streamlit as st

from kpis.access import ScopedStore
from kpis.errors import StoreError
from kpis.ingest.gate import MAX_UPLOAD_MB
from kpis.model import Filter
from kpis.store import Store
from ui.access import rights
from ui.state import checked_uploads, settings

CHECKED_MAX_BYTES = MAX_UPLOAD_MB * 2 ** 20
"""Uploaded bytes whose checks a session keeps (one largest file); the newest check is always kept. A check
holds about ten times its file's size (the observations, the issues): 50 MiB of files is ~0.5 GiB at most."""


def store() -> ScopedStore:
    """The store named by the ``store`` setting (``PASSERELLE_STORE``, default ``data/passerelle.duckdb``), seen
    through this session's rights (``kpis.access.ScopedStore``): reads cut to the segments granted, writes
    refused outside them.

    A store that cannot be opened (damaged, not a DuckDB file, written by a newer version) stops the page
    with its message and remedy, French then English, instead of Streamlit's redacted error.
    """
    return ScopedStore(raw_store(), rights())


def raw_store() -> Store:
    """The store itself, unscoped: for the sign-in (grants are read before rights exist) and the demo seeding."""
    try:
        opened = _open_store(settings().store)
        opened.activate()  # its own KPIs in the catalog, again if another process changed them
        return opened
    except StoreError as exc:
        store_error(exc)


def data_version() -> str:
    """The key every cached read is keyed on: the store's data version and the session's rights, so that a
    number computed for one person's segments is never served to another's."""
    r = rights()
    return f"{raw_store().data_version()}|{r.role}|{','.join(r.readable)}|{','.join(r.entities)}"


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
def kpi_definitions(version: str) -> list:
    return store().kpi_definitions()


@st.cache_data(show_spinner=False, max_entries=16)
def subjects(version: str) -> list:
    """The social network's tracked subjects (``kpis.esn.subjects.Subject``)."""
    return store().subjects()


@st.cache_data(show_spinner=False, max_entries=16)
def kpi_history(version: str):
    return store().kpi_history()


@st.cache_data(show_spinner=False, max_entries=16)
def remembered_mappings(version: str) -> list:
    return store().remembered_mappings()


def check(file, segment: str | None, maps: tuple[tuple[str, str], ...], version: str,
          window_days: int | None = None):
    """``kpis.ingest.check_bytes`` of an uploaded file (``st.file_uploader``'s ``UploadedFile``), kept in the
    session for that file, the choices made and the store's version (which the tracked subjects change); a
    social network export is read as the ``esn_names`` and ``esn_private`` settings say."""
    from kpis import ingest
    from kpis.ingest.exports import EsnOptions

    options = EsnOptions(names=settings().esn_names, include_private=settings().esn_private)
    key = ("check", file.file_id, segment, maps, version, window_days, options)
    return _kept(key, file, lambda: ingest.check_bytes(
        file.getvalue(), file.name, segment=segment, maps=dict(maps), remembered=remembered_mappings(version),
        window_days=window_days, esn=options))


def overlaps(file, segment: str | None, maps: tuple[tuple[str, str], ...], origin: str, version: str,
             window_days: int | None = None) -> list:
    """``Store.overlaps`` of the checked file under ``origin``: the batches of other origins its series share."""
    result = check(file, segment, maps, version, window_days)
    key = ("overlaps", file.file_id, segment, maps, origin, version, window_days)
    return _kept(key, file, lambda: store().overlaps(result.observations, origin) if result.readable else [])


def forget_uploads(files) -> None:
    """Drop what was kept for the uploads no longer in ``files`` (the uploader's current list)."""
    live = {f.file_id for f in files or ()}
    kept = checked_uploads()
    for key in [k for k in kept if k[1] not in live]:
        del kept[key]


def _kept(key: tuple, file, compute: Callable[[], Any]):
    kept = checked_uploads()
    if key in kept:
        kept.move_to_end(key)
        return kept[key][1]
    value = compute()
    kept[key] = (file.size, value)
    total = sum(size for size, _ in kept.values())
    while total > CHECKED_MAX_BYTES and len(kept) > 1:  # least recently used first, never the newest
        size, _ = kept.pop(next(iter(kept)))
        total -= size
    return value


@st.cache_data(show_spinner=False, max_entries=16)
def native(version: str, flt: Filter, grain: str, fiscal_start: int = 1):
    """``kpis.metrics.fetch``: the native totals of a selection and its comparisons, one store read shared by
    the Vue CDO's view, its points of attention and its deck."""
    from kpis import metrics

    return metrics.fetch(store(), flt, grain, fiscal_start)


@st.cache_data(show_spinner=False, max_entries=64)
def cdo_view(version: str, flt: Filter, grain: str, lang: str, fiscal_start: int = 1):
    """``kpis.metrics.cdo_view`` cached on the store's data version and the selection, with each KPI's native
    grain and last data day (``kpis.grain.with_data_grain``) read from the same store read."""
    from kpis import grain as grains
    from kpis import metrics
    from kpis.dashboard import source_names

    native_totals = native(version, flt, grain, fiscal_start)
    view = metrics.cdo_view(store(), flt, grain, fiscal_start=fiscal_start, lang=lang, native=native_totals)
    view = replace(view, meta={**view.meta, "source_names": source_names(batches(version), lang)})
    return grains.with_data_grain(view, native_totals, flt)


@st.cache_data(show_spinner=False, max_entries=32)
def attention(version: str, flt: Filter, grain: str, lang: str, fiscal_start: int = 1, compare: str | None = None,
              dismissed: frozenset[str] = frozenset()):
    """``kpis.attention.points`` of the Vue CDO's view, those ``dismissed`` left out (the next ones come up)."""
    from kpis import attention as points_of_attention

    view = cdo_view(version, flt, grain, lang, fiscal_start)
    return points_of_attention.points(view, native(version, flt, grain, fiscal_start), batches(version), lang,
                                      compare, flt, None, dismissed)


def pack(version: str, flt: Filter, grain: str, lang: str, fiscal_start: int = 1, compare: str | None = None,
         dismissed: frozenset[str] = frozenset()) -> bytes:
    """The committee deck (``kpis.deck``) of the Vue CDO's view and points, as shown (the dismissed left out)."""
    from kpis import deck

    view = cdo_view(version, flt, grain, lang, fiscal_start)
    points = attention(version, flt, grain, lang, fiscal_start, compare, dismissed)
    return deck.Pack(view, points, batches(version), flt, lang, compare, native(version, flt, grain, fiscal_start),
                     comments(version, flt)).pptx()


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


@st.cache_data(show_spinner=False, max_entries=32)
def comments(version: str, flt: Filter):
    """``Store.comments`` of the selection: those on its segments whose period overlaps its window."""
    return store().comments(flt)


@st.cache_data(show_spinner=False, max_entries=16)
def audit(version: str):
    """The audit trail the session may read: the actions touching a segment granted (all of it for local mode
    and administrators)."""
    return store().audit()


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
