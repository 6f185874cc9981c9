from functools import partial

import streamlit as st

import ui
from kpis import charts, dashboard
from kpis.catalog import KPIS
from kpis.model import EXTERNAL_SEGMENTS

sel = ui.selection()
lang = sel.lang
t = ui.t
flt = ui.world_filter(sel, EXTERNAL_SEGMENTS)
view = ui.cdo_view(sel.version, flt, sel.grain, lang)

if view.empty:
    ui.empty_state()
    st.stop()

headline = "ALL" if len(flt.segments) > 1 else flt.segments[0]
st.caption(t("world.caption", segments=", ".join(flt.segments)))
ui.cards_grid(dashboard.cards(view, headline, dashboard.EXTERNAL_KPIS, lang))

with st.container(border=True):
    kpi = ui.kpi_picker(view.table, dashboard.EXTERNAL_KPIS, key="external_kpi")
    if kpi:
        frame = dashboard.trend_frame(view.table[view.table["segment"] != "ALL"], kpi, ui.targets(sel.version), lang)
        st.altair_chart(charts.trend(frame, title=KPIS[kpi].label(lang), unit=KPIS[kpi].unit, lang=lang),
                        alt=KPIS[kpi].label(lang))

segment = st.segmented_control(t("world.segment"), list(flt.segments), key="external_segment",
                               default=flt.segments[0], required=True)
left, right = st.columns(2)
for column, dimension in ((left, "entity"), (right, "channel")):
    with column, st.container(border=True):
        bd = ui.breakdown(sel.version, flt, sel.grain, dimension, lang)
        frame = dashboard.breakdown_frame(bd, kpi, segment, dimension) if kpi else bd.iloc[0:0]
        if frame.empty:
            st.caption(t("world.no_breakdown"))
        else:
            st.altair_chart(charts.breakdown(frame, title=t(f"world.by_{dimension}", kpi=KPIS[kpi].label(lang)),
                                             unit=KPIS[kpi].unit, lang=lang, label=t(f"world.{dimension}")))

with st.container(border=True):
    st.markdown(f"**{t('world.top_campaigns')}**")
    bd = ui.breakdown(sel.version, flt, sel.grain, "initiative", lang)
    top = dashboard.breakdown_frame(bd, kpi, segment, "initiative") if kpi else bd.iloc[0:0]
    if top.empty:
        st.caption(t("world.no_breakdown"))
    else:
        st.altair_chart(charts.breakdown(top, title=t("world.by_initiative", kpi=KPIS[kpi].label(lang)),
                                         unit=KPIS[kpi].unit, lang=lang, label=t("world.campaign")))

with st.expander(t("world.detail"), icon=":material/table:"):
    detail = dashboard.detail_frame(ui.observations(sel.version, flt), ui.batches(sel.version), lang)
    st.dataframe(detail, hide_index=True)

st.download_button(t("download.excel"), partial(dashboard.view_workbook, view, lang, {t("world.detail"): detail}),
                   file_name="passerelle_digital_externe.xlsx", icon=":material/download:", key="download_external")
