"""A world page (external B2C/B2B, internal B2E) rendered from its ``kpis.dashboard.World`` spec.

    >>> render_world(dashboard.EXTERNAL_WORLD)     # the whole of app_pages/external.py

Top to bottom: the world's cards, one KPI's trend with its target line, the
breakdowns by entity and by channel, the top initiatives (campaigns or
collaborative spaces), the participation profile when the spec asks for it,
every value with its import batch, and the page as an Excel workbook.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from kpis import charts, dashboard
from kpis.catalog import KPIS
from kpis.dashboard import World
from kpis.i18n import fmt_value
from kpis.model import Filter
from ui import data
from ui.state import Selection, selection, t
from ui.widgets import (
    cards_grid,
    comments_section,
    empty_state,
    excel_download,
    export_context,
    kpi_picker,
    sources_caption,
)


def render_world(world: World) -> None:
    """The page of one world; stops with a helpful empty state when the filter matches nothing."""
    sel = selection()
    flt = world.restrict(sel.flt)
    sources_caption(flt.segments)
    view = data.cdo_view(sel.version, flt, sel.grain, sel.lang, sel.fiscal_start)
    if view.empty:
        empty_state()
        st.stop()
    kpi, segment = _overview(world, view, flt, sel)
    _by_source(flt, sel)
    _breakdowns(world, flt, kpi, segment, sel)
    if world.profile_segment:
        _profile(view, world.profile_segment, sel)
    listed = comments_section(view, flt, world.kpis, key=world.key)
    _detail(world, view, flt, sel, listed)


def _overview(world: World, view, flt: Filter, sel: Selection) -> tuple[str | None, str]:
    """The world's cards, then one KPI's trend with its target line; returns the KPI and the segment picked."""
    st.caption(t("world.caption", segments=", ".join(flt.segments)))
    notes = data.comments(sel.version, flt)
    cards_grid(dashboard.cards(view, dashboard.headline_segment(flt.segments), world.all_kpis(), sel.lang, sel.compare,
                               notes))
    with st.container(border=True):
        kpi = kpi_picker(view.scorecard, world.all_kpis(), key=f"{world.key}_kpi")
        if kpi:
            _trend(view, flt, kpi, sel)
    segment = st.segmented_control(t("world.segment"), list(flt.segments), key=f"{world.key}_segment",
                                   default=flt.segments[0], required=True)
    return kpi, segment


def _by_source(flt: Filter, sel: Selection) -> None:
    """The KPIs more than one source holds, each source's value, the headline's starred (shown only then)."""
    frame = dashboard.by_source_frame(data.by_source(sel.version, flt, sel.grain, sel.lang, sel.fiscal_start),
                                      sel.lang, dashboard.source_names(data.batches(sel.version), sel.lang))
    if frame.empty:
        return
    with st.expander(t("world.by_source"), icon=":material/dataset:"):
        st.caption(t("world.by_source_help"))
        st.dataframe(frame, hide_index=True)


def _trend(view, flt: Filter, kpi: str, sel: Selection) -> None:
    """One KPI's trend with its target line, at its native grain (with a note) when the chosen one is finer;
    a last bucket whose data stop inside it is a hollow point."""
    at = dashboard.chart_grain(view, kpi, flt.segments)
    table = view.table if at == sel.grain else data.kpi_table(sel.version, flt, at, sel.lang, sel.fiscal_start)
    partial = dashboard.partial_buckets(view, kpi, flt.segments, at)
    frame = dashboard.world_trend_frame(table, kpi, data.targets(sel.version), sel.lang, partial)
    marks = dashboard.comment_marks(frame, data.comments(sel.version, flt), sel.lang, "value", kpi)
    st.altair_chart(charts.trend(frame, title=KPIS[kpi].label(sel.lang), unit=KPIS[kpi].unit, lang=sel.lang,
                                 comments=marks), alt=KPIS[kpi].label(sel.lang))
    if partial:
        notes = " · ".join(f"{segment} — {pb.text(sel.lang)}" for segment, pb in partial.items())
        st.caption(t("grain.partial_chart", notes=notes))
    if at != sel.grain:
        st.caption(t("grain.finer", native=t(f"grain.{at}").lower(), grain=t(f"grain.{sel.grain}").lower()))


def _breakdowns(world: World, flt: Filter, kpi: str | None, segment: str, sel: Selection) -> None:
    """By entity and by channel side by side, then the top initiatives."""
    left, right = st.columns(2)
    with left, st.container(border=True):
        _breakdown_chart(flt, kpi, segment, "entity", "world.entity", sel)
    with right, st.container(border=True):
        _breakdown_chart(flt, kpi, segment, "channel", "world.channel", sel)
    with st.container(border=True):
        st.markdown(f"**{t(world.top_title)}**")
        _breakdown_chart(flt, kpi, segment, "initiative", world.initiative_label, sel, fallback=world.top_fallback)


def _breakdown_chart(flt: Filter, kpi: str | None, segment: str, dimension: str, label_key: str, sel: Selection,
                     fallback: str | None = None) -> None:
    """The top members of one dimension for the picked KPI (else ``fallback``), or a short note."""
    bd = data.breakdown(sel.version, flt, sel.grain, dimension, sel.lang, sel.fiscal_start)
    kpi, frame = dashboard.breakdown_or_fallback(bd, kpi, segment, dimension, fallback)
    if frame.empty:
        st.caption(t("world.no_breakdown"))
        return
    title = t(f"world.by_{dimension}", kpi=KPIS[kpi].label(sel.lang))
    st.altair_chart(charts.breakdown(frame, title=title, unit=KPIS[kpi].unit, lang=sel.lang, label=t(label_key)),
                    alt=title)


def _profile(view, segment: str, sel: Selection) -> None:
    """Active users, readers and contributors per bucket, when the data has them (by month when they are
    monthly and the grain is finer)."""
    at = dashboard.chart_grain(view, "active_users", (segment,))
    flt = replace(sel.flt, segments=(segment,))
    table = view.table if at == sel.grain else data.kpi_table(sel.version, flt, at, sel.lang, sel.fiscal_start)
    profile = dashboard.profile_frame(table, segment, sel.lang)
    if profile.empty:
        return
    with st.container(border=True):
        title = t("world.profile")
        st.altair_chart(charts.profile(profile, title=title, lang=sel.lang), alt=title)
        st.caption(t("world.profile_help"))
        if at != sel.grain:
            st.caption(t("grain.finer", native=t(f"grain.{at}").lower(), grain=t(f"grain.{sel.grain}").lower()))


def _detail(world: World, view, flt: Filter, sel: Selection, listed) -> None:
    """Every value with the batch it came from, and the page as an Excel workbook (built on click) with its
    comments (``listed``)."""
    with st.expander(t("world.detail"), icon=":material/table:"):
        detail = dashboard.detail_frame(data.observations(sel.version, flt), data.batches(sel.version), sel.lang)
        shown = dashboard.DETAIL_ROWS_SHOWN
        if len(detail) > shown:
            st.caption(t("world.detail_cut", shown=fmt_value(shown, "count", sel.lang),
                         total=fmt_value(len(detail), "count", sel.lang)))
        st.dataframe(detail.head(shown), hide_index=True)
    excel_download(partial(dashboard.view_workbook, view, sel.lang, {t("export.detail"): detail,
                                                                     t("comments.sheet"): listed},
                           export_context(f"nav.{world.key}", flt)), world.file_name,
                   key=f"download_{world.file_name}")
