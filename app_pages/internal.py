import streamlit as st

import ui
from kpis import charts, dashboard
from kpis.model import INTERNAL_SEGMENTS

sel = ui.selection()
flt = ui.world_filter(sel, INTERNAL_SEGMENTS)
view = ui.cdo_view(sel.version, flt, sel.grain, sel.lang)
if view.empty:
    ui.empty_state()
    st.stop()

kpi, segment = ui.world_overview(view, flt, dashboard.INTERNAL_KPIS, key="internal")
left, right = st.columns(2)
with left, st.container(border=True):
    ui.breakdown_chart(flt, kpi, segment, "entity", "world.entity")
with right, st.container(border=True):
    ui.breakdown_chart(flt, kpi, segment, "channel", "world.channel")
with st.container(border=True):
    st.markdown(f"**{ui.t('world.top_spaces')}**")
    ui.breakdown_chart(flt, kpi, segment, "initiative", "world.space", fallback="contributions")

profile = dashboard.profile_frame(view.table, "B2E", sel.lang)
if not profile.empty:
    with st.container(border=True):
        title = ui.t("world.profile")
        st.altair_chart(charts.profile(profile, title=title, lang=sel.lang), alt=title)
        st.caption(ui.t("world.profile_help"))

ui.world_detail(view, flt, "passerelle_digital_interne.xlsx")
