"""The app's shared UI helpers: the store, cached ``kpis`` calls, the current selection.

    >>> sel = selection()           # what the sidebar says, read by every page
    >>> view = cdo_view(sel)        # cached on the store's data version

Pages import this module; it is the UI boundary where Streamlit caching
wraps pure ``kpis`` calls. No pandas logic here either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from kpis import i18n
from kpis.model import Filter
from kpis.store import Store

DEFAULT_STORE = Path("data") / "passerelle.duckdb"


@dataclass(frozen=True)
class Selection:
    """The sidebar's state: the filter, the grain and the language."""

    flt: Filter
    grain: str
    lang: str
    version: str


@st.cache_resource
def store() -> Store:
    """The store named by ``PASSERELLE_STORE`` (default ``data/passerelle.duckdb``)."""
    return Store(Path(os.environ.get("PASSERELLE_STORE") or DEFAULT_STORE))


def lang() -> str:
    return st.session_state.get("lang") or "fr"


def t(key: str, **values) -> str:
    return i18n.t(key, lang(), **values)


def selection() -> Selection:
    """The current selection, set by app.py before the page runs."""
    return st.session_state["selection"]


@st.cache_data(show_spinner=False, max_entries=64)
def dimension_values(version: str, segments: tuple[str, ...] = ()) -> dict:
    return store().dimension_values(segments)


@st.cache_data(show_spinner=False, max_entries=16)
def batches(version: str) -> list[dict]:
    return store().batches(details=True)


def empty_state(message_key: str = "empty.title") -> None:
    """A helpful empty state: what to change, and a link to Importer."""
    with st.container(border=True):
        st.markdown(f"**{t(message_key)}**")
        st.caption(t("empty.hint"))
        st.page_link("app_pages/importer.py", label=t("nav.importer"), icon=":material/upload_file:")


@st.cache_data(show_spinner=False, max_entries=16)
def remembered_mappings(version: str) -> list:
    return store().remembered_mappings()


@st.cache_data(show_spinner=False, max_entries=32)
def check(data: bytes, name: str, segment: str | None, maps: tuple[tuple[str, str], ...], version: str):
    """``kpis.ingest.check_bytes`` cached on the file's bytes, the choices made and the store's version."""
    from kpis import ingest

    return ingest.check_bytes(data, name, segment=segment, maps=dict(maps), remembered=remembered_mappings(version))


def import_result(result, *, by: str = "app"):
    """Store one checked file as a batch (``Store.import_batch`` with the result's bookkeeping)."""
    return store().import_batch(**result.batch(imported_by=by))


@st.cache_data(show_spinner=False, max_entries=64)
def cdo_view(version: str, flt: Filter, grain: str, lang: str):
    """``kpis.metrics.cdo_view`` cached on the store's data version and the selection."""
    from kpis import metrics

    return metrics.cdo_view(store(), flt, grain, lang=lang)


@st.cache_data(show_spinner=False, max_entries=64)
def breakdown(version: str, flt: Filter, grain: str, dimension: str, lang: str, n: int = 10):
    from kpis import metrics

    return metrics.breakdown(metrics.fetch(store(), flt, grain, by=(dimension,)), dimension, flt, n=n, lang=lang)


@st.cache_data(show_spinner=False, max_entries=16)
def targets(version: str):
    return store().targets()


@st.cache_data(show_spinner=False, max_entries=16)
def observations(version: str, flt: Filter):
    return store().observations(flt)


def metric_card(card) -> None:
    """One KPI card as a bordered ``st.metric`` with its sparkline and target status."""
    from kpis.dashboard import status_label

    label = f"{status_label(card.status, lang(), card.attainment)} {card.label}".strip()  # the badge first: long labels are cut
    st.metric(label, card.value, card.delta, delta_color=card.delta_color, delta_arrow=card.delta_arrow,
              delta_description=card.delta_description, help=card.help, border=True, height="stretch",
              chart_data=list(card.sparkline) if len(card.sparkline) > 1 else None, chart_type="area")


def world_filter(sel: Selection, world: tuple[str, ...]) -> Filter:
    """The selection restricted to one world's segments (all of them when none of them is selected)."""
    from dataclasses import replace

    segments = tuple(s for s in sel.flt.segments if s in world) or world
    return replace(sel.flt, segments=segments)


def cards_grid(cards: list) -> None:
    with st.grid(6, gap="small", min_column_width=170):
        for card in cards:
            metric_card(card)


def kpi_picker(table, candidates: tuple[str, ...], key: str) -> str | None:
    """A KPI select box offering the candidates that have values in the table."""
    from kpis.dashboard import kpi_label

    present = set(table.loc[table["value"].notna(), "kpi"])
    options = [k for k in candidates if k in present]
    if not options:
        return None
    return st.selectbox(t("world.kpi"), options, key=key, format_func=lambda k: kpi_label(k, lang()))


@st.cache_data(show_spinner=False, max_entries=16)
def coverage(version: str):
    return store().coverage()


@st.cache_data(show_spinner=False, max_entries=16)
def deletions(version: str) -> list[dict]:
    return store().deletions()


def world_view(world: tuple[str, ...]):
    """The selection restricted to one world and its cached view; stops the page with a helpful
    empty state when the filter matches nothing."""
    sel = selection()
    flt = world_filter(sel, world)
    view = cdo_view(sel.version, flt, sel.grain, sel.lang)
    if view.empty:
        empty_state()
        st.stop()
    return flt, view


def world_breakdowns(flt: Filter, kpi: str | None, segment: str, top_title: str, initiative_label: str,
                     fallback: str) -> None:
    """By entity and by channel side by side, then the top initiatives (campaigns or spaces)."""
    left, right = st.columns(2)
    with left, st.container(border=True):
        breakdown_chart(flt, kpi, segment, "entity", "world.entity")
    with right, st.container(border=True):
        breakdown_chart(flt, kpi, segment, "channel", "world.channel")
    with st.container(border=True):
        st.markdown(f"**{t(top_title)}**")
        breakdown_chart(flt, kpi, segment, "initiative", initiative_label, fallback=fallback)


def world_overview(view, flt: Filter, kpis: tuple[str, ...], key: str) -> tuple[str | None, str]:
    """The top of a world page: its cards, then one KPI's trend with its target line.

    Returns the KPI picked and the segment picked for the breakdowns below.
    """
    from kpis import charts, dashboard
    from kpis.catalog import KPIS

    sel = selection()
    headline = "ALL" if len(flt.segments) > 1 else flt.segments[0]
    st.caption(t("world.caption", segments=", ".join(flt.segments)))
    cards_grid(dashboard.cards(view, headline, kpis, sel.lang))
    with st.container(border=True):
        kpi = kpi_picker(view.table, kpis, key=f"{key}_kpi")
        if kpi:
            frame = dashboard.trend_frame(view.table[view.table["segment"] != "ALL"], kpi, targets(sel.version),
                                          sel.lang)
            st.altair_chart(charts.trend(frame, title=KPIS[kpi].label(sel.lang), unit=KPIS[kpi].unit,
                                         lang=sel.lang), alt=KPIS[kpi].label(sel.lang))
    segment = st.segmented_control(t("world.segment"), list(flt.segments), key=f"{key}_segment",
                                   default=flt.segments[0], required=True)
    return kpi, segment


def breakdown_chart(flt: Filter, kpi: str | None, segment: str, dimension: str, label_key: str,
                    fallback: str | None = None) -> None:
    """The top members of one dimension for the picked KPI (else ``fallback``: campaigns and spaces
    have no population), or a short note when there is nothing to show."""
    from kpis import charts, dashboard
    from kpis.catalog import KPIS

    sel = selection()
    bd = breakdown(sel.version, flt, sel.grain, dimension, sel.lang)
    frame = dashboard.breakdown_frame(bd, kpi, segment, dimension) if kpi else bd.iloc[0:0]
    if frame.empty and fallback:
        kpi, frame = fallback, dashboard.breakdown_frame(bd, fallback, segment, dimension)
    if frame.empty:
        st.caption(t("world.no_breakdown"))
        return
    title = t(f"world.by_{dimension}", kpi=KPIS[kpi].label(sel.lang))
    st.altair_chart(charts.breakdown(frame, title=title, unit=KPIS[kpi].unit, lang=sel.lang, label=t(label_key)),
                    alt=title)


def world_detail(view, flt: Filter, file_name: str) -> None:
    """Every value with the batch it came from, and the page as an Excel workbook (built on click)."""
    from functools import partial

    from kpis import dashboard

    sel = selection()
    with st.expander(t("world.detail"), icon=":material/table:"):
        detail = dashboard.detail_frame(observations(sel.version, flt), batches(sel.version), sel.lang)
        st.dataframe(detail, hide_index=True)
    st.download_button(t("download.excel"), partial(dashboard.view_workbook, view, sel.lang, {t("world.detail"): detail}),
                       file_name=file_name, icon=":material/download:", key=f"download_{file_name}")
