from functools import partial

import streamlit as st

import ui
from kpis import charts, dashboard
from kpis.model import EXTERNAL_SEGMENTS, INTERNAL_SEGMENTS

sel = ui.selection()
ui.sources_caption(sel.flt.segments)
lang = sel.lang
t = ui.t
view = ui.cdo_view(sel.version, sel.flt, sel.grain, lang, sel.fiscal_start)

if view.empty:
    ui.empty_state()
    st.stop()

st.caption(t("rep.caption"))
left, right = st.columns(2)
for column, world, segments in ((left, "external", EXTERNAL_SEGMENTS), (right, "internal", INTERNAL_SEGMENTS)):
    with column:
        st.markdown(f"#### {t(f'rep.{world}')}")
        shown = [s for s in sel.flt.segments if s in segments]
        cards = dashboard.cards(view, dashboard.headline_segment(tuple(shown)), dashboard.REPUTATION_KPIS[world],
                                lang, sel.compare) if shown else []
        if cards:
            ui.cards_grid(cards)
        else:
            st.caption(t("rep.no_data") if shown else t("sbs.world_off"))

trend = dashboard.reputation_trend_frame(view.table, lang)
if not trend.empty:
    with st.container(border=True):
        st.altair_chart(charts.trend(trend, title=t("rep.trend"), unit="%", lang=lang), alt=t("rep.trend"))
        st.caption(t("rep.trend_help"))

ui.excel_download(partial(dashboard.view_workbook, view, lang, {}, ui.export_context("nav.reputation", sel.flt)),
                  "passerelle_e_reputation.xlsx", key="download_e_reputation")
